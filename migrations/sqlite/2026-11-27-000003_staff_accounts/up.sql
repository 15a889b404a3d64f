-- Staff accounts (issue 13): a user can be disabled (its token then fails everywhere) and the
-- day its token was last used is kept (written only when the day changes, not per request).
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
ALTER TABLE users ADD COLUMN last_used_on DATE;

-- How each national year came in: 'shipped' with the service, from the 'command_line', or over
-- the 'api' by an administrator (`loaded_by` then holds the administrator's name).
ALTER TABLE calendar_years ADD COLUMN loaded_via TEXT;
UPDATE calendar_years SET loaded_via = CASE
    WHEN loaded_by = 'shipped with gongkai' THEN 'shipped'
    WHEN loaded_by = 'command line' OR loaded_by IS NULL THEN 'command_line'
    ELSE 'api'
END;

-- Every calendar load, national (agency_id NULL) or an office's local days off: who, in which
-- role and office, when, and what changed. Append-only, like the case history.
CREATE TABLE calendar_loads (
    id TEXT PRIMARY KEY NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('shipped', 'command_line', 'api')),
    actor_id TEXT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    actor_role TEXT,
    actor_agency_id TEXT REFERENCES agencies (id),
    agency_id TEXT REFERENCES agencies (id),
    year INTEGER NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX calendar_loads_by_office ON calendar_loads (agency_id, loaded_at);

CREATE TRIGGER calendar_loads_append_only_update BEFORE UPDATE ON calendar_loads
BEGIN
    SELECT RAISE(ABORT, 'calendar loads are append-only');
END;
CREATE TRIGGER calendar_loads_append_only_delete BEFORE DELETE ON calendar_loads
BEGIN
    SELECT RAISE(ABORT, 'calendar loads are append-only');
END;
