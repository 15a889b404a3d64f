-- The closed cases whose clock is still to be kept (service::clock::keep_clocks_of_closed_cases,
-- run at every start): without this, finding that there are none read every case, and keeping
-- a million of them read the table again for every thousand.
CREATE INDEX applications_clock_to_keep ON applications (id) WHERE final_clock IS NULL;
