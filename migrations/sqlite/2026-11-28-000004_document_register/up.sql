-- The register of documents (公文公开属性台账, issue 17): each office's documents with their
-- disclosure status, the append-only history of every status change, the documents a case
-- names with the answer's outcome for each, and the annual review's decisions (art. 44).
ALTER TABLE agencies ADD COLUMN register_review_threshold INTEGER NOT NULL DEFAULT 3;

CREATE TABLE register_entries (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    document_number TEXT NOT NULL,
    title TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    division_id TEXT REFERENCES divisions (id),
    issued_on DATE NOT NULL,
    -- The status now: the last row of register_status_changes, kept here for the lists.
    status TEXT NOT NULL,
    grounds TEXT,
    reasons TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (agency_id, document_number)
);
CREATE INDEX register_entries_by_status ON register_entries (agency_id, status);

-- Every status a document was given, the first included; rows are never changed.
CREATE TABLE register_status_changes (
    entry_id TEXT NOT NULL REFERENCES register_entries (id),
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    grounds TEXT,
    reasons TEXT,
    source TEXT NOT NULL,
    changed_by TEXT,
    changed_by_name TEXT,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (entry_id, seq)
);

-- The documents a case concerns; outcome when the answer for that document differs from the
-- case's.
CREATE TABLE case_register_entries (
    application_id TEXT NOT NULL REFERENCES applications (id),
    entry_id TEXT NOT NULL REFERENCES register_entries (id),
    outcome TEXT,
    PRIMARY KEY (application_id, entry_id)
);
CREATE INDEX case_register_entries_by_entry ON case_register_entries (entry_id);

CREATE TABLE register_review_decisions (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    entry_id TEXT NOT NULL REFERENCES register_entries (id),
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT,
    decided_by_name TEXT,
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX register_review_decisions_by_entry ON register_review_decisions (entry_id);
