-- The clock at the edges the law names (issue 12):
-- the day the applicant received a correction notice (art. 30: their period runs from it;
-- unknown while a posted notice's return receipt is not back);
-- the day an answer was posted (交邮之日: what makes a posted answer timely);
-- art. 35's request for reasons and the reply;
-- the reopening of a case deemed abandoned (art. 30, once);
-- a full fee waiver;
-- and the deadlines as they stood when the case closed, which a later calendar never changes.
ALTER TABLE applications ADD COLUMN correction_notice_received_on DATE;
ALTER TABLE applications ADD COLUMN posted_on DATE;
ALTER TABLE applications ADD COLUMN reasons_asked_on DATE;
ALTER TABLE applications ADD COLUMN reasons_replied_on DATE;
ALTER TABLE applications ADD COLUMN reopened_on DATE;
ALTER TABLE applications ADD COLUMN final_clock TEXT;
ALTER TABLE applications ADD COLUMN final_answer_due_on DATE;
-- A full waiver of the processing fee: an office decision, recorded with its reason (the
-- event) and counted in the annual report.
ALTER TABLE applications ADD COLUMN fee_waived_on DATE;
-- Notices written before this change were taken as received the day they were sent.
UPDATE applications SET correction_notice_received_on = correction_requested_on
    WHERE correction_requested_on IS NOT NULL;
-- Applicants look their case up by the tracking number on their receipt.
CREATE INDEX applications_tracking_number ON applications (tracking_number);
