//! Applications: tracking numbers, idempotent intake, conditional updates and the clerk queue.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{ApplicationRow, CaseChanges, ClockRow, NextDeadline};
use super::schema::{agencies, applications, idempotency_keys, tracking_counters};
use super::DbConnection;
use crate::domain::case::{ApplicantKind, ApplicationId, Status};

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

/// Sets where an office's yearly series stands (bulk loads that bring their own numbers).
pub fn set_tracking_counter(
    conn: &mut DbConnection,
    agency_id: &str,
    year: i32,
    last: i32,
) -> QueryResult<()> {
    let key = tracking_counters::table
        .filter(tracking_counters::agency_id.eq(agency_id))
        .filter(tracking_counters::year.eq(year));
    if diesel::update(key)
        .set(tracking_counters::last_number.eq(last))
        .execute(conn)?
        == 0
    {
        diesel::insert_into(tracking_counters::table)
            .values((
                tracking_counters::agency_id.eq(agency_id),
                tracking_counters::year.eq(year),
                tracking_counters::last_number.eq(last),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub struct IdempotencyRecord {
    pub request_hash: String,
    pub application_id: ApplicationId,
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
        .first::<(String, ApplicationId)>(conn)
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
    application_id: &ApplicationId,
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

/// A case by its id, or by its tracking number (BJHD-2026-000001) as on the applicant's receipt.
pub fn by_id_or_tracking_number(
    conn: &mut DbConnection,
    key: &str,
) -> QueryResult<Option<ApplicationRow>> {
    if let Some(id) = ApplicationId::parse(key) {
        return application(conn, &id);
    }
    applications::table
        .filter(applications::tracking_number.eq(key.trim().to_uppercase()))
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()
}

pub fn application(
    conn: &mut DbConnection,
    id: &ApplicationId,
) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()
}

pub fn application_id_by_access_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<ApplicationId>> {
    applications::table
        .filter(applications::access_token_hash.eq(hash))
        .select(applications::id)
        .first(conn)
        .optional()
}

/// Writes the changes only if nobody changed the case since `expected_version` was read, and
/// takes the next event number. Returns that number, or `None` if nothing was written: on
/// PostgreSQL a concurrent writer holds the row until it commits, and this update then finds
/// the version moved on and writes nothing.
pub fn update_case(
    conn: &mut DbConnection,
    id: &ApplicationId,
    expected_version: i32,
    changes: &CaseChanges,
) -> QueryResult<Option<i32>> {
    diesel::update(
        applications::table
            .filter(applications::id.eq(id))
            .filter(applications::version.eq(expected_version)),
    )
    .set((
        changes,
        applications::event_seq.eq(applications::event_seq + 1),
    ))
    .returning(applications::event_seq)
    .get_result(conn)
    .optional()
}

/// Takes the case's next event number (for events that change nothing else, such as a sent
/// notice); returns it with the case's status.
pub fn next_event_seq(conn: &mut DbConnection, id: &ApplicationId) -> QueryResult<(i32, Status)> {
    diesel::update(applications::table.find(id))
        .set(applications::event_seq.eq(applications::event_seq + 1))
        .returning((applications::event_seq, applications::status))
        .get_result(conn)
}

fn month_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = d.with_day(1).expect("day 1 exists");
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("in range");
    (first, next.pred_opt().expect("in range"))
}

/// The same applicant's applications to the same office received in the calendar month of
/// `on` (fees and art. 35 count per applicant per month, RULES §6).
fn same_applicant_in_month(
    row: &ApplicationRow,
    on: NaiveDate,
) -> applications::BoxedQuery<'static, <DbConnection as diesel::Connection>::Backend> {
    let (first, last) = month_of(on);
    applications::table
        .filter(applications::agency_id.eq(row.agency_id.clone()))
        .filter(applications::id_number_hash.eq(row.applicant.id_number_hash.clone()))
        .filter(applications::received_on.between(first, last))
        .into_boxed()
}

/// This application's rank among them: 3 for the applicant's third application this month.
pub fn month_rank(conn: &mut DbConnection, row: &ApplicationRow) -> QueryResult<i64> {
    let Some(on) = row.clock.received_on else {
        return Ok(1);
    };
    same_applicant_in_month(row, on)
        .filter(
            applications::received_on
                .lt(on)
                .or(applications::received_on
                    .eq(on)
                    .and(applications::id.le(row.id.clone()))),
        )
        .count()
        .get_result(conn)
}

/// How many applications the applicant made to the office in the month of `on`.
pub fn month_count(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    on: NaiveDate,
) -> QueryResult<i64> {
    same_applicant_in_month(row, on).count().get_result(conn)
}

/// The applicant's earlier answered applications to the same office, newest first.
pub fn earlier_answered(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    limit: i64,
) -> QueryResult<Vec<ApplicationRow>> {
    applications::table
        .filter(applications::agency_id.eq(&row.agency_id))
        .filter(applications::id_number_hash.eq(&row.applicant.id_number_hash))
        // Registered before this one (ids are time-ordered).
        .filter(applications::id.lt(&row.id))
        .filter(applications::status.eq_any(Status::ANSWERED))
        .order(applications::closed_on.desc())
        .limit(limit)
        .select(ApplicationRow::as_select())
        .load(conn)
}

/// What the clock reads of the open cases whose stored next deadline is before `today` (the
/// index on the next deadline finds them), locked as `open_clock_rows` locks.
pub fn passed_clock_rows(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<Vec<ClockRow>> {
    let passed = applications::table
        .filter(applications::status.ne_all(Status::TERMINAL))
        .filter(applications::next_deadline_on.lt(today));
    match conn {
        DbConnection::Postgres(c) => passed.select(ClockRow::as_select()).for_update().load(c),
        DbConnection::Sqlite(c) => passed.select(ClockRow::as_select()).load(c),
    }
}

/// What the clock reads of every open case (of one office, or all). On PostgreSQL the rows are
/// locked until the transaction ends, so no action moves a version underneath a recomputation;
/// SQLite's write transaction already excludes every other writer.
pub fn open_clock_rows(
    conn: &mut DbConnection,
    agency_id: Option<&str>,
) -> QueryResult<Vec<ClockRow>> {
    match conn {
        DbConnection::Postgres(c) => {
            let open = applications::table
                .filter(applications::status.ne_all(Status::TERMINAL))
                .select(ClockRow::as_select());
            match agency_id {
                Some(a) => open
                    .filter(applications::agency_id.eq(a))
                    .for_update()
                    .load(c),
                None => open.for_update().load(c),
            }
        }
        DbConnection::Sqlite(c) => {
            let mut q = applications::table
                .filter(applications::status.ne_all(Status::TERMINAL))
                .select(ClockRow::as_select())
                .into_boxed();
            if let Some(a) = agency_id {
                q = q.filter(applications::agency_id.eq(a.to_owned()));
            }
            q.load(c)
        }
    }
}

/// Sets the same next deadline on many cases, taking each one's next event number (the version,
/// which guards what people edit, stays: a recomputed deadline makes no clerk's copy stale).
pub fn set_next_deadline(
    conn: &mut DbConnection,
    ids: &[&ApplicationId],
    next: &NextDeadline,
    now: NaiveDateTime,
) -> QueryResult<()> {
    for chunk in ids.chunks(500) {
        diesel::update(applications::table.filter(applications::id.eq_any(chunk)))
            .set((
                next,
                applications::event_seq.eq(applications::event_seq + 1),
                applications::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The order of the clerk queue.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Newest first (ids are time-ordered).
    #[default]
    Newest,
    /// Earliest next deadline first; cases with none last.
    Deadline,
}

/// Where the previous page ended: the last row's sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    Id(ApplicationId),
    Deadline {
        due: Option<NaiveDate>,
        id: ApplicationId,
    },
}

impl Cursor {
    pub fn after(sort: Sort, row: &ApplicationRow) -> Self {
        match sort {
            Sort::Newest => Self::Id(row.id.clone()),
            Sort::Deadline => Self::Deadline {
                due: row.clock.next.on,
                id: row.id.clone(),
            },
        }
    }

    pub fn encode(&self) -> String {
        match self {
            Self::Id(id) => id.to_string(),
            Self::Deadline { due: Some(d), id } => format!("{d}_{id}"),
            Self::Deadline { due: None, id } => format!("none_{id}"),
        }
    }

    /// Reads a cursor made for this sort; anything else is `None`.
    pub fn parse(sort: Sort, s: &str) -> Option<Self> {
        let id = ApplicationId::parse;
        match sort {
            Sort::Newest => id(s).map(Self::Id),
            Sort::Deadline => {
                let (due, rest) = s.split_once('_')?;
                let due = if due == "none" {
                    None
                } else {
                    Some(due.parse().ok()?)
                };
                Some(Self::Deadline { due, id: id(rest)? })
            }
        }
    }
}

/// The clerk queue's filters. `agency_id: None` is every agency (unbound auditors and admins).
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    pub agency_id: Option<String>,
    pub statuses: Vec<Status>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub applicant_kind: Option<ApplicantKind>,
    pub text: Option<String>,
    /// Next deadline on or before this day.
    pub due_by: Option<NaiveDate>,
    /// (true, today): next deadline before today; (false, today): not overdue.
    pub overdue: Option<(bool, NaiveDate)>,
    /// Only cases with an extension requested and not yet decided (the approver's inbox).
    pub extension_requested: bool,
    /// Inside the office (domain::handling): the person handling it (`Some(None)`: nobody).
    pub assignee_id: Option<Option<String>>,
    /// Cases forwarded to this division (by id).
    pub division_id: Option<String>,
    /// Earliest open internal due day on or before this day.
    pub internal_due_by: Option<NaiveDate>,
    /// (true, today): an internal due day before today still open; (false, today): none.
    pub internal_overdue: Option<(bool, NaiveDate)>,
    /// Drafts waiting at this approval level.
    pub awaiting_level: Option<i32>,
    /// The search text does not look at the applicant's name (a division's staff, who may not
    /// see it, must not find it either).
    pub hide_names: bool,
    pub sort: Sort,
    pub cursor: Option<Cursor>,
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

/// Which cases of a deadline-ordered list one query reads: those with a next deadline (in the
/// index's order), those without (closed cases, by id), or, for other orders, all.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Segment {
    All,
    Dated,
    Undated,
}

pub fn list(conn: &mut DbConnection, f: &CaseFilter) -> QueryResult<Vec<(ApplicationRow, String)>> {
    let only_dated = f.due_by.is_some() || matches!(f.overdue, Some((true, _)));
    match (f.sort, &f.cursor) {
        (Sort::Newest, _) => list_segment(conn, f, Segment::All),
        (Sort::Deadline, _) if only_dated => list_segment(conn, f, Segment::Dated),
        (Sort::Deadline, Some(Cursor::Deadline { due: None, .. })) => {
            list_segment(conn, f, Segment::Undated)
        }
        // Cases with a deadline in the index's order (agency, deadline, id), so that a page
        // stops after `limit` rows instead of sorting the office's whole history; the cases
        // without one follow, by id, only when the page is not full yet.
        (Sort::Deadline, _) => {
            let mut rows = list_segment(conn, f, Segment::Dated)?;
            let missing = f.limit - rows.len() as i64;
            if missing > 0 {
                let rest = CaseFilter {
                    limit: missing,
                    cursor: None,
                    ..f.clone()
                };
                rows.extend(list_segment(conn, &rest, Segment::Undated)?);
            }
            Ok(rows)
        }
    }
}

fn list_segment(
    conn: &mut DbConnection,
    f: &CaseFilter,
    segment: Segment,
) -> QueryResult<Vec<(ApplicationRow, String)>> {
    use applications as a;
    let mut q = a::table
        .inner_join(agencies::table)
        .select((ApplicationRow::as_select(), agencies::code))
        .limit(f.limit)
        .into_boxed();
    q = match (f.sort, segment) {
        (Sort::Newest, _) | (_, Segment::All) => q.order(a::id.desc()),
        (Sort::Deadline, Segment::Dated) => q
            .filter(a::next_deadline_on.is_not_null())
            .order((a::next_deadline_on.asc(), a::id.asc())),
        (Sort::Deadline, Segment::Undated) => {
            q.filter(a::next_deadline_on.is_null()).order(a::id.asc())
        }
    };
    if let Some(agency) = &f.agency_id {
        q = q.filter(a::agency_id.eq(agency.clone()));
    }
    if !f.statuses.is_empty() {
        q = q.filter(a::status.eq_any(f.statuses.clone()));
    }
    if let Some(d) = f.received_from {
        q = q.filter(a::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(a::received_on.le(d));
    }
    if let Some(k) = &f.applicant_kind {
        q = q.filter(a::applicant_kind.eq(*k));
    }
    if let Some(t) = &f.text {
        let pattern = like_pattern(t);
        let upper = like_pattern(&t.to_uppercase());
        let request = a::description
            .like(pattern.clone())
            .escape('\\')
            .or(a::tracking_number.like(upper).escape('\\'));
        q = match f.hide_names {
            true => q.filter(request),
            false => q.filter(request.or(a::applicant_name.like(pattern).escape('\\'))),
        };
    }
    if let Some(d) = f.due_by {
        q = q.filter(a::next_deadline_on.le(d));
    }
    if f.extension_requested {
        q = q.filter(a::extension_state.eq(crate::domain::workflow::ExtensionState::Requested));
    }
    match &f.assignee_id {
        Some(Some(id)) => q = q.filter(a::assignee_id.eq(id.clone())),
        Some(None) => q = q.filter(a::assignee_id.is_null()),
        None => {}
    }
    if let Some(division) = &f.division_id {
        use super::schema::forwardings as fw;
        q = q.filter(diesel::dsl::exists(
            fw::table
                .filter(fw::application_id.eq(a::id))
                .filter(fw::division_id.eq(division.clone())),
        ));
    }
    if let Some(d) = f.internal_due_by {
        q = q.filter(a::internal_due_on.le(d));
    }
    match f.internal_overdue {
        Some((true, today)) => q = q.filter(a::internal_due_on.lt(today)),
        Some((false, today)) => {
            q = q.filter(
                a::internal_due_on
                    .ge(today)
                    .or(a::internal_due_on.is_null()),
            )
        }
        None => {}
    }
    if let Some(level) = f.awaiting_level {
        q = q
            .filter(a::status.eq(Status::Decision))
            .filter(a::approval_stage.eq(level));
    }
    match f.overdue {
        Some((true, today)) => q = q.filter(a::next_deadline_on.lt(today)),
        Some((false, today)) => {
            q = q.filter(
                a::next_deadline_on
                    .ge(today)
                    .or(a::next_deadline_on.is_null()),
            )
        }
        None => {}
    }
    match &f.cursor {
        None => {}
        Some(Cursor::Id(c)) => q = q.filter(a::id.lt(c.clone())),
        // The dated segment only: the undated one starts from its beginning.
        Some(Cursor::Deadline { due: Some(d), id }) => {
            q = q.filter(
                a::next_deadline_on
                    .gt(*d)
                    .or(a::next_deadline_on.eq(*d).and(a::id.gt(id.clone()))),
            )
        }
        Some(Cursor::Deadline { due: None, id }) => {
            q = q.filter(a::next_deadline_on.is_null().and(a::id.gt(id.clone())))
        }
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
