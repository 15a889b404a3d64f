-- Staff sign in to the web console (issue 15) with a login name and a password hashed with
-- Argon2id; API tokens stay as they were.
ALTER TABLE users ADD COLUMN login TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE UNIQUE INDEX users_by_login ON users (login);

-- Sessions of the web pages, in the database so that several instances share them. The cookie
-- holds a secret whose keyed hash is the key here. A session belongs to a staff member
-- (user_id) or to the holder of one application's access token (application_id, the applicant's
-- tracking page). It ends when idle too long (last_seen_at) or on sign-out.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id),
    application_id TEXT REFERENCES applications (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (application_id IS NULL))
);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);

-- Every sign-in attempt, kept for the record and for the limits on repeated failures (counted
-- per login and per address over the last minutes, shared by every instance).
CREATE TABLE sign_in_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX sign_in_attempts_by_login ON sign_in_attempts (login, attempted_at);
CREATE INDEX sign_in_attempts_by_address ON sign_in_attempts (address, attempted_at);
