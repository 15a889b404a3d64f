-- Each case's events are numbered by their own counter, apart from the version: the version
-- guards what people change (optimistic concurrency), while derived changes (recomputed
-- deadlines, sent notices) are recorded as events without making a clerk's copy stale.
ALTER TABLE applications ADD COLUMN event_seq INTEGER NOT NULL DEFAULT 0;
UPDATE applications
SET event_seq = (SELECT COALESCE(MAX(seq), 0) FROM events WHERE events.application_id = applications.id);
