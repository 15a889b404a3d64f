DROP INDEX applications_convenience_reply;
DROP INDEX applications_fee_waived;
DROP INDEX applications_fee_paid;
