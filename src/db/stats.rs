//! Counts for `GET /metrics`: cheap, index-backed queries run at each scrape.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{applications, notices};
use super::DbConnection;
use crate::domain::clock::DeadlineKind;
use crate::domain::outbox::NoticeStatus;

/// Notices not yet sent, by status (`pending`, `failed`): the outbox depth.
pub fn outbox_depth(conn: &mut DbConnection) -> QueryResult<Vec<(NoticeStatus, i64)>> {
    notices::table
        .filter(notices::status.eq_any(NoticeStatus::UNSENT))
        .group_by(notices::status)
        .select((notices::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Open cases whose next deadline of `kinds` fell before `today`, by deadline kind.
pub fn overdue_by_kind(
    conn: &mut DbConnection,
    today: NaiveDate,
    kinds: &[DeadlineKind],
) -> QueryResult<Vec<(Option<DeadlineKind>, i64)>> {
    applications::table
        .filter(applications::next_deadline_on.lt(today))
        .filter(applications::next_deadline_kind.eq_any(kinds))
        .group_by(applications::next_deadline_kind)
        .select((applications::next_deadline_kind, diesel::dsl::count_star()))
        .load(conn)
}
