DROP TABLE local_days_off;
DROP TABLE calendar_years;
DROP INDEX applications_deadline;
ALTER TABLE applications DROP COLUMN next_deadline_provisional;
ALTER TABLE applications DROP COLUMN next_deadline_on;
ALTER TABLE applications DROP COLUMN next_deadline_kind;
ALTER TABLE applications DROP COLUMN clock_pauses;
