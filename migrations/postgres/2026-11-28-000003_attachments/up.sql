-- Attachments (issue 17): files held in the database, content-addressed by SHA-256, so that one
-- backup and one transaction cover a case and its files and every instance sees the same files.

-- A file's content, once per SHA-256 whichever cases carry it, in chunks of at most 1 MiB (an
-- upload is written and a download read a chunk at a time). Never changed or removed.
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    chunks INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE file_chunks (
    sha256 TEXT NOT NULL REFERENCES files (sha256),
    seq INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);
CREATE FUNCTION files_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'files are immutable';
END;
$$;
CREATE TRIGGER files_immutable BEFORE UPDATE OR DELETE ON files
    FOR EACH ROW EXECUTE FUNCTION files_immutable();
CREATE TRIGGER file_chunks_immutable BEFORE UPDATE OR DELETE ON file_chunks
    FOR EACH ROW EXECUTE FUNCTION files_immutable();

-- A file attached to a case: who gave it, what it is for, whether the applicant may read it,
-- and when it was delivered with the answer.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    sha256 TEXT NOT NULL REFERENCES files (sha256),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    source TEXT NOT NULL,
    purpose TEXT NOT NULL,
    redacts TEXT REFERENCES attachments (id),
    staff_only BOOLEAN NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by_role TEXT NOT NULL,
    uploaded_by_id TEXT,
    uploaded_by_name TEXT,
    event_seq INTEGER NOT NULL,
    delivered_at TIMESTAMP,
    delivered_seq INTEGER
);
CREATE INDEX attachments_by_application ON attachments (application_id, id);

-- The files an outgoing notice carries (the answer e-mail, up to its size limit).
CREATE TABLE notice_attachments (
    notice_id TEXT NOT NULL REFERENCES notices (id),
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    PRIMARY KEY (notice_id, attachment_id)
);
