DROP INDEX applications_clock_to_keep;
CREATE INDEX applications_clock_to_keep ON applications (id) WHERE final_clock IS NULL;
