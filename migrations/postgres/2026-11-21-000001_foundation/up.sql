-- Offices, staff, applications and their append-only event log.
-- Instants are UTC (TIMESTAMP); legal dates are calendar dates in China (DATE).

CREATE TABLE agencies (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'approver', 'auditor', 'admin')),
    agency_id TEXT REFERENCES agencies (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    CHECK (role IN ('auditor', 'admin') OR agency_id IS NOT NULL)
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    tracking_number TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    applicant_kind TEXT NOT NULL,
    organisation_type TEXT,
    applicant_name TEXT NOT NULL,
    id_document_type TEXT NOT NULL,
    id_number_hash TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT,
    address TEXT,
    description TEXT NOT NULL,
    document_number TEXT,
    information_form TEXT NOT NULL,
    delivery_wanted TEXT NOT NULL,
    assistance_needed TEXT,
    access_token_hash TEXT NOT NULL UNIQUE,
    registered_by TEXT REFERENCES users (id),
    registered_at TIMESTAMP NOT NULL,
    registered_on DATE NOT NULL,
    received_on DATE,
    correction_requested_on DATE,
    correction_period_days INTEGER,
    corrected_received_on DATE,
    consultation_letter_on DATE,
    outcome TEXT,
    decision_drafted_by TEXT,
    approved_by TEXT,
    delivered_on DATE,
    delivery_method TEXT,
    closed_on DATE,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (agency_id, tracking_number)
);

-- The clerk queue: one agency, newest first (ids are time-ordered UUIDv7), optionally by status.
CREATE INDEX applications_queue ON applications (agency_id, id);
CREATE INDEX applications_queue_status ON applications (agency_id, status, id);
CREATE INDEX applications_received ON applications (agency_id, received_on);
-- Same applicant across applications (fees, repeat applications).
CREATE INDEX applications_identity ON applications (id_number_hash);

CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    seq INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_role TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    status_before TEXT,
    status_after TEXT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (application_id, seq)
);

-- Events are never edited or removed (RULES §7).
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

CREATE TABLE tracking_counters (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (agency_id, year)
);

CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY NOT NULL,
    request_hash TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
