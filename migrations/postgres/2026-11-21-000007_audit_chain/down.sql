DROP TABLE challenges;
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
DROP TRIGGER events_hashed_on_insert ON events;
DROP FUNCTION events_hashed_on_insert();
DROP INDEX events_by_actor;
DROP INDEX events_unchained;
ALTER TABLE events DROP COLUMN hash;
ALTER TABLE events DROP COLUMN prev_hash;
