DROP TABLE register_review_decisions;
DROP TABLE case_register_entries;
DROP TABLE register_status_changes;
DROP TABLE register_entries;
ALTER TABLE agencies DROP COLUMN register_review_threshold;
