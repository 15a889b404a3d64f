ALTER TABLE applications DROP COLUMN event_seq;
