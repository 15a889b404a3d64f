DROP TABLE calendar_loads;
DROP FUNCTION calendar_loads_append_only();
ALTER TABLE calendar_years DROP COLUMN loaded_via;
ALTER TABLE users DROP COLUMN last_used_on;
ALTER TABLE users DROP COLUMN disabled_at;
