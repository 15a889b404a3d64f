-- The decision side of a case: the drafted answer, an extension, an office-set period (art. 35),
-- a fee notice and its payment; each office's art. 35 threshold; and the answer letters,
-- which are written once and never changed.

ALTER TABLE applications ADD COLUMN decision TEXT;
ALTER TABLE applications ADD COLUMN extension_state TEXT;
ALTER TABLE applications ADD COLUMN extension_days INTEGER;
ALTER TABLE applications ADD COLUMN extension_requested_by TEXT;
ALTER TABLE applications ADD COLUMN office_set_period INTEGER;
ALTER TABLE applications ADD COLUMN fee_scale TEXT;
ALTER TABLE applications ADD COLUMN fee_amount_fen BIGINT;
ALTER TABLE applications ADD COLUMN fee_notice_on DATE;
ALTER TABLE applications ADD COLUMN fee_received_on DATE;
ALTER TABLE applications ADD COLUMN fee_paid_on DATE;

-- Art. 35: above this many applications from one applicant in a calendar month, clerks are told.
ALTER TABLE agencies ADD COLUMN art35_monthly_threshold INTEGER NOT NULL DEFAULT 10;

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    html TEXT NOT NULL,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (application_id, kind)
);

CREATE FUNCTION documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'documents are immutable';
END;
$$;
CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_immutable();
