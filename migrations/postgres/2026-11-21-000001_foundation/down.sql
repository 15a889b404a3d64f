DROP TABLE settings;
DROP TABLE idempotency_keys;
DROP TABLE tracking_counters;
DROP TABLE events;
DROP FUNCTION events_append_only();
DROP TABLE applications;
DROP TABLE users;
DROP TABLE agencies;
