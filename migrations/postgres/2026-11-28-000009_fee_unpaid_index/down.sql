DROP INDEX applications_fee_unpaid;
