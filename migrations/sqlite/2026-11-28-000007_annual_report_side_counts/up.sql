-- The annual report's three side counts (service::report::annual), each over the few cases
-- that carry what it counts, so that none of them walks the office's million cases: the fees
-- paid in the year (with the amount, so the index answers alone), the fees waived, and the
-- answers whose decision names a convenience reply. The last index's condition is written
-- exactly as the report's query writes it, which is what lets either database use it.
CREATE INDEX applications_fee_paid ON applications (agency_id, fee_paid_on, fee_amount_fen)
    WHERE fee_paid_on IS NOT NULL;
CREATE INDEX applications_fee_waived ON applications (agency_id, fee_waived_on)
    WHERE fee_waived_on IS NOT NULL;
CREATE INDEX applications_convenience_reply ON applications (agency_id, status, id)
    WHERE decision LIKE '%convenience_reply%';
