ALTER TABLE documents DROP COLUMN document_number;
DROP TABLE letter_counters;
ALTER TABLE agencies DROP COLUMN reopen_working_days;
ALTER TABLE agencies DROP COLUMN payment_channel;
ALTER TABLE agencies DROP COLUMN payment_account;
ALTER TABLE agencies DROP COLUMN payee;
ALTER TABLE agencies DROP COLUMN court;
ALTER TABLE agencies DROP COLUMN reconsideration_body;
ALTER TABLE agencies DROP COLUMN letter_prefix;
