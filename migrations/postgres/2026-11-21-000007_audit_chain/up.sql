-- Tamper evidence (issue 6): each event carries the hash of the one before it in its case and
-- its own hash over its content and that link (SHA-256; see src/domain/audit.rs). Every new
-- event must carry its hash. Events written before this migration get theirs once, at start-up;
-- the only change ever allowed to an event is that one-time filling of an empty hash.
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN hash TEXT;
CREATE INDEX events_unchained ON events (application_id, seq) WHERE hash IS NULL;
CREATE INDEX events_by_actor ON events (actor_id);

CREATE FUNCTION events_hashed_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.hash IS NULL OR NEW.prev_hash IS NULL THEN
        RAISE EXCEPTION 'events must be chained';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER events_hashed_on_insert BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_hashed_on_insert();

CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
        AND NEW.prev_hash IS NOT NULL
        AND (to_jsonb(NEW) - 'hash' - 'prev_hash') = (to_jsonb(OLD) - 'hash' - 'prev_hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'events are append-only';
END;
$$;

CREATE TABLE challenges (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    kind TEXT NOT NULL,
    after_reconsideration BOOLEAN NOT NULL,
    filed_on DATE NOT NULL,
    result TEXT,
    decided_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX challenges_by_agency ON challenges (agency_id, filed_on);
CREATE INDEX challenges_by_application ON challenges (application_id);
