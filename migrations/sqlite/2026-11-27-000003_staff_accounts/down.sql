DROP TRIGGER calendar_loads_append_only_delete;
DROP TRIGGER calendar_loads_append_only_update;
DROP TABLE calendar_loads;
ALTER TABLE calendar_years DROP COLUMN loaded_via;
ALTER TABLE users DROP COLUMN last_used_on;
ALTER TABLE users DROP COLUMN disabled_at;
