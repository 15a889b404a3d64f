-- The lapse job (service::jobs, every few minutes) looks for cases with a fee notice unpaid:
-- this index holds only those, so that it no longer reads every case to find them. (Its other
-- half, the cases waiting for a correction, reads `applications_clock_to_keep` by status.)
CREATE INDEX applications_fee_unpaid ON applications (id)
    WHERE fee_notice_on IS NOT NULL AND fee_paid_on IS NULL;
