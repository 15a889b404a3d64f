DROP TABLE sign_in_attempts;
DROP TABLE sessions;
DROP INDEX users_by_login;
ALTER TABLE users DROP COLUMN password_hash;
ALTER TABLE users DROP COLUMN login;
