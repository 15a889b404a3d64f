//! Applications: tracking numbers, idempotent intake, conditional updates and the clerk queue.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{ApplicationRow, CaseChanges};
use super::schema::{agencies, applications, idempotency_keys, tracking_counters};
use super::DbConnection;

/// The next number in an agency's yearly series. The counter row is locked by the update until
/// the filing commits, so numbers are never handed out twice; the first filing of a year inserts
/// the row, and a concurrent first filing that loses the race is retried by `write_tx`.
pub fn next_tracking_number(
    conn: &mut DbConnection,
    agency_id: &str,
    year: i32,
) -> QueryResult<i32> {
    let key = tracking_counters::table
        .filter(tracking_counters::agency_id.eq(agency_id))
        .filter(tracking_counters::year.eq(year));
    let next: Option<i32> = diesel::update(key)
        .set(tracking_counters::last_number.eq(tracking_counters::last_number + 1))
        .returning(tracking_counters::last_number)
        .get_result(conn)
        .optional()?;
    if let Some(n) = next {
        return Ok(n);
    }
    diesel::insert_into(tracking_counters::table)
        .values((
            tracking_counters::agency_id.eq(agency_id),
            tracking_counters::year.eq(year),
            tracking_counters::last_number.eq(1),
        ))
        .execute(conn)?;
    Ok(1)
}

pub struct IdempotencyRecord {
    pub request_hash: String,
    pub application_id: String,
}

pub fn idempotency_record(
    conn: &mut DbConnection,
    key: &str,
) -> QueryResult<Option<IdempotencyRecord>> {
    idempotency_keys::table
        .find(key)
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::application_id,
        ))
        .first::<(String, String)>(conn)
        .optional()
        .map(|r| {
            r.map(|(request_hash, application_id)| IdempotencyRecord {
                request_hash,
                application_id,
            })
        })
}

pub fn insert_idempotency_record(
    conn: &mut DbConnection,
    key: &str,
    request_hash: &str,
    application_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::application_id.eq(application_id),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn insert_application(conn: &mut DbConnection, row: &ApplicationRow) -> QueryResult<()> {
    diesel::insert_into(applications::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn application(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()
}

pub fn application_id_by_access_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<String>> {
    applications::table
        .filter(applications::access_token_hash.eq(hash))
        .select(applications::id)
        .first(conn)
        .optional()
}

/// Writes the changes only if nobody changed the case since `expected_version` was read.
/// Returns whether it was written: on PostgreSQL a concurrent writer holds the row until it
/// commits, and this update then finds the version moved on and writes nothing.
pub fn update_case(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    changes: &CaseChanges,
) -> QueryResult<bool> {
    let n = diesel::update(
        applications::table
            .filter(applications::id.eq(id))
            .filter(applications::version.eq(expected_version)),
    )
    .set(changes)
    .execute(conn)?;
    Ok(n == 1)
}

/// The clerk queue's filters. `agency_id: None` is every agency (unbound auditors and admins).
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    pub agency_id: Option<String>,
    pub statuses: Vec<String>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub applicant_kind: Option<String>,
    pub text: Option<String>,
    /// Cursor: only cases older than this id (ids are time-ordered).
    pub before_id: Option<String>,
    pub limit: i64,
}

/// Escapes LIKE wildcards so that a search for "50%" finds "50%", not everything.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub fn list(conn: &mut DbConnection, f: &CaseFilter) -> QueryResult<Vec<(ApplicationRow, String)>> {
    let mut q = applications::table
        .inner_join(agencies::table)
        .select((ApplicationRow::as_select(), agencies::code))
        .order(applications::id.desc())
        .limit(f.limit)
        .into_boxed();
    if let Some(a) = &f.agency_id {
        q = q.filter(applications::agency_id.eq(a.clone()));
    }
    if !f.statuses.is_empty() {
        q = q.filter(applications::status.eq_any(f.statuses.clone()));
    }
    if let Some(d) = f.received_from {
        q = q.filter(applications::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(applications::received_on.le(d));
    }
    if let Some(k) = &f.applicant_kind {
        q = q.filter(applications::applicant_kind.eq(k.clone()));
    }
    if let Some(t) = &f.text {
        let pattern = like_pattern(t);
        let upper = like_pattern(&t.to_uppercase());
        q = q.filter(
            applications::description
                .like(pattern)
                .escape('\\')
                .or(applications::tracking_number.like(upper).escape('\\')),
        );
    }
    if let Some(c) = &f.before_id {
        q = q.filter(applications::id.lt(c.clone()));
    }
    q.load(conn)
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
