ALTER TABLE agencies DROP COLUMN signature;
ALTER TABLE agencies DROP COLUMN sender_name;
ALTER TABLE agencies DROP COLUMN sender_email;
DROP TABLE notices;
