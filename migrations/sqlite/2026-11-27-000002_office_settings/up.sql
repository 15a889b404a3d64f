-- Office settings for written answers (GB/T 9704; RULES §5, §6, §8).
-- The answer letter's document number (发文字号) prefix, e.g. 海政信复 → 海政信复〔2026〕4号,
-- and the bodies named in its remedies (行政复议法 art. 20, 行政诉讼法 art. 46). Unset: the
-- letter keeps the tracking number line and generic remedy wording.
ALTER TABLE agencies ADD COLUMN letter_prefix TEXT;
ALTER TABLE agencies ADD COLUMN reconsideration_body TEXT;
ALTER TABLE agencies ADD COLUMN court TEXT;
-- How applicants pay processing fees (Fee Measures; the fee notice states it). Unset: the
-- office cannot send a fee notice.
ALTER TABLE agencies ADD COLUMN payee TEXT;
ALTER TABLE agencies ADD COLUMN payment_account TEXT;
ALTER TABLE agencies ADD COLUMN payment_channel TEXT;
-- Working days given to a case reopened after a justified late correction (RULES §8).
ALTER TABLE agencies ADD COLUMN reopen_working_days INTEGER NOT NULL DEFAULT 20;

-- The yearly series of answer-letter numbers per office: gapless, because a number is taken
-- in the delivery transaction (the row is incremented in place and locked until it commits).
CREATE TABLE letter_counters (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (agency_id, year)
);

-- The number a letter was given (none for offices without a prefix).
ALTER TABLE documents ADD COLUMN document_number TEXT;
