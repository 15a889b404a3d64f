-- The statutory clock: each open case's next deadline, stored so the clerk queue is an indexed
-- query; the spans during which the answer clock stopped; the official calendar as loaded.

ALTER TABLE applications ADD COLUMN clock_pauses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN next_deadline_kind TEXT;
ALTER TABLE applications ADD COLUMN next_deadline_on DATE;
ALTER TABLE applications ADD COLUMN next_deadline_provisional BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX applications_deadline ON applications (agency_id, next_deadline_on, id);

-- One row per year's official notice (国务院办公厅部分节假日安排通知); `notice` is the
-- validated notice as JSON, replaced whole when an administrator loads the year again.
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY NOT NULL,
    source TEXT,
    notice TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by TEXT
);

-- An office's own days off (e.g. a regional holiday), on top of the national calendar.
CREATE TABLE local_days_off (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    date DATE NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (agency_id, date)
);
