-- Staff addresses for the daily digest and overdue alerts (issue 5). Optional: a user
-- without one gets no e-mail, and the queue still shows everything.
ALTER TABLE users ADD COLUMN email TEXT;
