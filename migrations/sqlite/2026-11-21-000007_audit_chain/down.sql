DROP TABLE challenges;
DROP TRIGGER events_append_only_update;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
DROP TRIGGER events_hashed_on_insert;
DROP INDEX events_by_actor;
DROP INDEX events_unchained;
ALTER TABLE events DROP COLUMN hash;
ALTER TABLE events DROP COLUMN prev_hash;
