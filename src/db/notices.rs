//! The outbox of notices: written with the events that cause them, claimed by delivery
//! workers with a lease, so that several instances never send one notice at once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::NoticeRow;
use super::schema::notices;
use super::DbConnection;
use crate::domain::case::ApplicationId;
use crate::domain::outbox::{NoticeId, NoticeStatus};

pub fn exists(conn: &mut DbConnection, dedup_key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        notices::table.filter(notices::dedup_key.eq(dedup_key)),
    ))
    .get_result(conn)
}

/// Writes the first notice of a case just opened in this transaction: no other can share its
/// key (the unique index would refuse one), so there is nothing to look up first.
pub fn insert_first(conn: &mut DbConnection, notice: &NoticeRow) -> QueryResult<()> {
    diesel::insert_into(notices::table)
        .values(notice)
        .execute(conn)
        .map(drop)
}

/// Writes a notice unless one with the same de-duplication key exists; returns whether it did.
pub fn enqueue(conn: &mut DbConnection, notice: &NoticeRow) -> QueryResult<bool> {
    if exists(conn, &notice.dedup_key)? {
        return Ok(false);
    }
    diesel::insert_into(notices::table)
        .values(notice)
        .execute(conn)?;
    Ok(true)
}

/// Notices due for an attempt and not claimed by a live worker.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<NoticeRow>> {
    notices::table
        .filter(notices::status.eq(NoticeStatus::Pending))
        .filter(notices::next_attempt_at.le(now))
        .filter(
            notices::claimed_until
                .is_null()
                .or(notices::claimed_until.lt(now)),
        )
        .order(notices::next_attempt_at.asc())
        .limit(limit)
        .select(NoticeRow::as_select())
        .load(conn)
}

/// Claims a notice until `until`; false if another worker holds it or it is no longer pending.
pub fn claim(
    conn: &mut DbConnection,
    id: &NoticeId,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        notices::table
            .filter(notices::id.eq(id))
            .filter(notices::status.eq(NoticeStatus::Pending))
            .filter(
                notices::claimed_until
                    .is_null()
                    .or(notices::claimed_until.lt(now)),
            ),
    )
    .set(notices::claimed_until.eq(until))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn mark_sent(conn: &mut DbConnection, id: &NoticeId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(notices::table.find(id))
        .set((
            notices::status.eq(NoticeStatus::Sent),
            notices::sent_at.eq(now),
            notices::claimed_until.eq(None::<NaiveDateTime>),
            notices::attempts.eq(notices::attempts + 1),
        ))
        .execute(conn)
        .map(drop)
}

/// Replaces the stored bodies of a notice (once sent, without the access token it carried).
pub fn replace_bodies(
    conn: &mut DbConnection,
    id: &NoticeId,
    text: &str,
    html: &str,
) -> QueryResult<()> {
    diesel::update(notices::table.find(id))
        .set((notices::body_text.eq(text), notices::body_html.eq(html)))
        .execute(conn)
        .map(drop)
}

/// Records a failed attempt: tried again at `retry_at`, or failed for good when `None`.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    id: &NoticeId,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    let row = notices::table.find(id);
    let common = (
        notices::last_error.eq(error),
        notices::claimed_until.eq(None::<NaiveDateTime>),
        notices::attempts.eq(notices::attempts + 1),
    );
    match retry_at {
        Some(at) => diesel::update(row)
            .set((
                common,
                notices::status.eq(NoticeStatus::Pending),
                notices::next_attempt_at.eq(at),
            ))
            .execute(conn),
        None => diesel::update(row)
            .set((common, notices::status.eq(NoticeStatus::Failed)))
            .execute(conn),
    }
    .map(drop)
}

pub fn for_application(
    conn: &mut DbConnection,
    application_id: &ApplicationId,
) -> QueryResult<Vec<NoticeRow>> {
    notices::table
        .filter(notices::application_id.eq(application_id))
        .order(notices::created_at.asc())
        .select(NoticeRow::as_select())
        .load(conn)
}

/// Notices of one office (or all) in a status, newest first.
pub fn by_status(
    conn: &mut DbConnection,
    agency_id: Option<&str>,
    status: NoticeStatus,
    limit: i64,
) -> QueryResult<Vec<NoticeRow>> {
    let mut q = notices::table
        .filter(notices::status.eq(status))
        .order(notices::created_at.desc())
        .limit(limit)
        .select(NoticeRow::as_select())
        .into_boxed();
    if let Some(a) = agency_id {
        q = q.filter(notices::agency_id.eq(a.to_owned()));
    }
    q.load(conn)
}

pub fn get(conn: &mut DbConnection, id: &NoticeId) -> QueryResult<Option<NoticeRow>> {
    notices::table
        .find(id)
        .select(NoticeRow::as_select())
        .first(conn)
        .optional()
}

/// Puts a failed notice back in the queue for an attempt now, attempts counted afresh.
pub fn retry(conn: &mut DbConnection, id: &NoticeId, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        notices::table
            .filter(notices::id.eq(id))
            .filter(notices::status.eq(NoticeStatus::Failed)),
    )
    .set((
        notices::status.eq(NoticeStatus::Pending),
        notices::attempts.eq(0),
        notices::next_attempt_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
