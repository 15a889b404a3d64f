DROP INDEX applications_tracking_number;
ALTER TABLE applications DROP COLUMN fee_waived_on;
ALTER TABLE applications DROP COLUMN final_answer_due_on;
ALTER TABLE applications DROP COLUMN final_clock;
ALTER TABLE applications DROP COLUMN reopened_on;
ALTER TABLE applications DROP COLUMN reasons_replied_on;
ALTER TABLE applications DROP COLUMN reasons_asked_on;
ALTER TABLE applications DROP COLUMN posted_on;
ALTER TABLE applications DROP COLUMN correction_notice_received_on;
