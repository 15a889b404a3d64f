-- Overdue cases across all offices (GET /metrics, the overdue alert): only open cases have a
-- next deadline, so the index stays as small as the open caseload.
CREATE INDEX applications_next_deadline ON applications (next_deadline_on, next_deadline_kind)
    WHERE next_deadline_on IS NOT NULL;
