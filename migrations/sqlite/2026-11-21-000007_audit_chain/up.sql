-- Tamper evidence (issue 6): each event carries the hash of the one before it in its case and
-- its own hash over its content and that link (SHA-256; see src/domain/audit.rs). Every new
-- event must carry its hash. Events written before this migration get theirs once, at start-up;
-- the only change ever allowed to an event is that one-time filling of an empty hash.
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN hash TEXT;
CREATE INDEX events_unchained ON events (application_id, seq) WHERE hash IS NULL;
-- Exports page through events in id order (ids are time-ordered UUIDv7).
CREATE INDEX events_by_actor ON events (actor_id);

CREATE TRIGGER events_hashed_on_insert BEFORE INSERT ON events
WHEN NEW.hash IS NULL OR NEW.prev_hash IS NULL
BEGIN
    SELECT RAISE(ABORT, 'events must be chained');
END;

DROP TRIGGER events_append_only_update;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
WHEN NOT (
    OLD.hash IS NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
    AND NEW.id IS OLD.id AND NEW.application_id IS OLD.application_id AND NEW.seq IS OLD.seq
    AND NEW.occurred_at IS OLD.occurred_at AND NEW.actor_role IS OLD.actor_role
    AND NEW.actor_id IS OLD.actor_id AND NEW.actor_name IS OLD.actor_name
    AND NEW.action IS OLD.action AND NEW.status_before IS OLD.status_before
    AND NEW.status_after IS OLD.status_after AND NEW.payload IS OLD.payload
)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Part 四 of the annual report: administrative reconsideration and litigation about a decision.
CREATE TABLE challenges (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    -- reconsideration | litigation
    kind TEXT NOT NULL,
    -- litigation only: brought after a reconsideration (复议后起诉) or directly
    after_reconsideration BOOLEAN NOT NULL,
    filed_on DATE NOT NULL,
    -- upheld | corrected | other; NULL while pending (尚未审结)
    result TEXT,
    decided_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX challenges_by_agency ON challenges (agency_id, filed_on);
CREATE INDEX challenges_by_application ON challenges (application_id);
