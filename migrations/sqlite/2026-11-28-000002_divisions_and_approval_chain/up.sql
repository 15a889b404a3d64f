-- Inside the office (issue 16): divisions (处室), the person handling each case, forwardings to
-- divisions with internal due dates, and an approval chain of one or two levels.
CREATE TABLE divisions (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (agency_id, code)
);

-- Staff of a division see and do only what is forwarded to it; its head is marked. Approvers
-- approve at level 1 (head of the disclosure unit) or 2 (the leader in charge).
-- (SQLite cannot drop a column that references another table, so the two references added
-- here are kept by the service; PostgreSQL declares them.)
ALTER TABLE users ADD COLUMN division_id TEXT;
ALTER TABLE users ADD COLUMN division_head BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN approval_level INTEGER NOT NULL DEFAULT 1;

-- Per office: how many approval levels, the working days a division has to reply by default,
-- and whether divisions see the applicant's identity.
ALTER TABLE agencies ADD COLUMN approval_levels INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agencies ADD COLUMN forwarding_working_days INTEGER NOT NULL DEFAULT 5;
ALTER TABLE agencies ADD COLUMN divisions_see_applicant BOOLEAN NOT NULL DEFAULT FALSE;

-- The case: who handles it, the approval level its draft waits at and who approved level 1,
-- and the earliest internal due day still open (the queue's internal deadline).
ALTER TABLE applications ADD COLUMN assignee_id TEXT;
ALTER TABLE applications ADD COLUMN approval_stage INTEGER;
ALTER TABLE applications ADD COLUMN first_approved_by TEXT;
ALTER TABLE applications ADD COLUMN internal_due_on DATE;
UPDATE applications SET assignee_id = registered_by;
UPDATE applications SET approval_stage = 1 WHERE status = 'decision';

CREATE INDEX applications_by_assignee ON applications (assignee_id, next_deadline_on)
    WHERE assignee_id IS NOT NULL;
CREATE INDEX applications_by_internal_due ON applications (agency_id, internal_due_on)
    WHERE internal_due_on IS NOT NULL;
CREATE INDEX applications_awaiting_approval ON applications (agency_id, approval_stage)
    WHERE approval_stage IS NOT NULL;

-- A request to a division for its proposed answer, and the reply (JSON) once it came.
CREATE TABLE forwardings (
    application_id TEXT NOT NULL REFERENCES applications (id),
    label TEXT NOT NULL,
    division_id TEXT NOT NULL REFERENCES divisions (id),
    asked TEXT NOT NULL,
    forwarded_on DATE NOT NULL,
    forwarded_by TEXT,
    due_on DATE NOT NULL,
    replied_on DATE,
    replied_by TEXT,
    reply TEXT,
    PRIMARY KEY (application_id, label)
);
CREATE INDEX forwardings_by_division ON forwardings (division_id, replied_on, due_on);
