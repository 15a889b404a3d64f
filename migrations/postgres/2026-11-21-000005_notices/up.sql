-- The outbox: every notice is written here in the same transaction as the event that causes
-- it, rendered once, and delivered by a worker that claims it with a lease. `dedup_key` makes
-- a notice for the same reason impossible to write twice; `message_id` is fixed at writing so a
-- resend after a crash carries the same Message-ID.
CREATE TABLE notices (
    id TEXT PRIMARY KEY NOT NULL,
    dedup_key TEXT NOT NULL UNIQUE,
    application_id TEXT REFERENCES applications (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    template TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_role TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    message_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX notices_due ON notices (status, next_attempt_at);
CREATE INDEX notices_application ON notices (application_id);

-- Each office's sender and signature for its notices.
ALTER TABLE agencies ADD COLUMN sender_email TEXT;
ALTER TABLE agencies ADD COLUMN sender_name TEXT;
ALTER TABLE agencies ADD COLUMN signature TEXT;
