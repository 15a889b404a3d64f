//! The annual report of one office for one year (parts 三 and 四, and the fees collected), as
//! data; `report_format` turns it into JSON, CSV or a printable page. Part 三 is counted by the
//! database in groups of alike cases, each group then counted by the domain's rules
//! (`domain::report`); the drill-down into one cell reads cases page by page in narrow rows.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;

use super::export::year_bounds;
use super::{FieldError, ServiceError};
use crate::db::models::{Agency, Challenge};
use crate::db::schema::{applications as a, challenges as c};
use crate::db::DbConnection;
use crate::domain::case::{ApplicantKind, OrganisationType, Outcome, Status};
use crate::domain::report::{self, CaseFacts, ChallengeFacts, Side, Table, COLUMNS, ROWS};

const PAGE: i64 = 5000;

pub struct AnnualReport {
    pub agency: Agency,
    pub year: i32,
    pub table: Table,
    pub challenges: [[u64; 5]; 3],
    /// Information-processing fees actually paid in the year (Fee Measures), in fen.
    pub fees_collected_fen: i64,
    pub fees_paid: u64,
    /// Answers delivered in the year that carried a 便民答复 (convenience reply, RULES §5).
    pub convenience_replies: u64,
    /// Fees the office waived in full in the year (a recorded decision, Fee Measures).
    pub fees_waived: u64,
}

type FactRow = (
    String,
    String,
    ApplicantKind,
    Option<OrganisationType>,
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<Outcome>,
    Status,
);

fn facts(r: &FactRow) -> CaseFacts {
    // A withdrawal counts under （六）3 其他, whatever answer had been drafted before it.
    let outcome = r.7.filter(|_| r.8 != Status::Withdrawn);
    CaseFacts {
        column: report::column(r.2, r.3),
        // The legal date of receipt (art. 31); a case never confirmed counts from registration.
        received_on: r.5.or(Some(r.4)),
        finished_on: r.6,
        outcome,
    }
}

/// The office's cases that can count in `year` (the same as `each_case` walks), grouped by
/// what the report reads of them: column, result, status, and on which side of the year their
/// received and finished days fall. A year of a million cases is a few hundred groups. The
/// inner grouping by the days themselves follows the index `applications_annual_report`, so
/// SQLite reads it in order without sorting a million rows (0.5 s against 5 s).
const GROUPS: &str = "\
SELECT applicant_kind, organisation_type, outcome, status,
       CASE WHEN registered_on < $1 THEN 0 WHEN registered_on <= $2 THEN 1 ELSE 2 END
         AS registered,
       CASE WHEN received_on IS NULL THEN NULL
            WHEN received_on < $1 THEN 0 WHEN received_on <= $2 THEN 1 ELSE 2 END AS received,
       CASE WHEN closed_on IS NULL THEN NULL
            WHEN closed_on < $1 THEN 0 WHEN closed_on <= $2 THEN 1 ELSE 2 END AS finished,
       CAST(SUM(n) AS BIGINT) AS n
  FROM (SELECT applicant_kind, organisation_type, outcome, status,
               registered_on, received_on, closed_on, COUNT(*) AS n
          FROM applications
         WHERE agency_id = $3
           AND (closed_on IS NULL OR closed_on >= $1)
           AND (registered_on <= $2 OR received_on <= $2 OR closed_on <= $2)
         GROUP BY 1, 2, 3, 4, 5, 6, 7) AS alike
 GROUP BY 1, 2, 3, 4, 5, 6, 7";

#[derive(QueryableByName)]
struct Group {
    #[diesel(sql_type = diesel::sql_types::Text)]
    applicant_kind: ApplicantKind,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    organisation_type: Option<OrganisationType>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    outcome: Option<Outcome>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: Status,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    registered: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    received: Option<i32>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    finished: Option<i32>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Each group of alike cases as the facts of one of them (its days standing for their sides of
/// the year, see `Side::day`), with how many cases it holds.
fn groups(
    conn: &mut DbConnection,
    agency_id: &str,
    year: i32,
) -> Result<Vec<(CaseFacts, u64)>, ServiceError> {
    use diesel::sql_types::{Date, Text};
    let (first, last) = year_bounds(year)?;
    let rows: Vec<Group> = match conn {
        DbConnection::Postgres(c) => diesel::sql_query(GROUPS)
            .bind::<Date, _>(first)
            .bind::<Date, _>(last)
            .bind::<Text, _>(agency_id)
            .load(c)?,
        // SQLite numbers its parameters `?1`; dates are ISO text, which compares as dates.
        DbConnection::Sqlite(c) => diesel::sql_query(GROUPS.replace('$', "?"))
            .bind::<Date, _>(first)
            .bind::<Date, _>(last)
            .bind::<Text, _>(agency_id)
            .load(c)?,
    };
    let side = |n: i32| {
        match n {
            0 => Side::Before,
            1 => Side::In,
            _ => Side::After,
        }
        .day(year)
    };
    Ok(rows
        .into_iter()
        .map(|g| {
            let f = facts(&(
                String::new(),
                String::new(),
                g.applicant_kind,
                g.organisation_type,
                side(g.registered),
                g.received.map(side),
                g.finished.map(side),
                g.outcome,
                g.status,
            ));
            (f, g.n.max(0) as u64)
        })
        .collect())
}

/// Part 三 counted case by case, walking every case: what the grouped count in `annual` must
/// equal (the tests compare them on both backends; the bench times both).
pub fn table_case_by_case(
    conn: &mut DbConnection,
    agency_id: &str,
    year: i32,
) -> Result<Table, ServiceError> {
    let mut table = Table::of([], year);
    each_case(conn, agency_id, year, |_, f| table.add(f, year))?;
    Ok(table)
}

/// Walks the office's cases that can count in `year`, page by page.
fn each_case(
    conn: &mut DbConnection,
    agency_id: &str,
    year: i32,
    mut f: impl FnMut(&FactRow, &CaseFacts),
) -> Result<(), ServiceError> {
    let (first, last) = year_bounds(year)?;
    let mut after = String::new();
    loop {
        let page: Vec<FactRow> = a::table
            .filter(a::agency_id.eq(agency_id))
            .filter(a::id.gt(&after))
            .filter(a::closed_on.is_null().or(a::closed_on.ge(first)))
            .filter(
                a::registered_on
                    .le(last)
                    .or(a::received_on.le(last))
                    .or(a::closed_on.le(last)),
            )
            .order(a::id.asc())
            .limit(PAGE)
            .select((
                a::id,
                a::tracking_number,
                a::applicant_kind,
                a::organisation_type,
                a::registered_on,
                a::received_on,
                a::closed_on,
                a::outcome,
                a::status,
            ))
            .load(conn)?;
        let Some(last_row) = page.last() else {
            return Ok(());
        };
        after = last_row.0.clone();
        for row in &page {
            f(row, &facts(row));
        }
    }
}

/// `progress`, if given, hears the number of cases read, every page's worth.
pub fn annual(
    conn: &mut DbConnection,
    agency: Agency,
    year: i32,
    progress: Option<&mut dyn FnMut(usize)>,
) -> Result<AnnualReport, ServiceError> {
    let (first, last) = year_bounds(year)?;
    let mut table = Table::of([], year);
    let mut read = 0;
    for (f, n) in groups(conn, &agency.id, year)? {
        table.add_many(&f, year, n);
        read += n as usize;
    }
    if let Some(report) = progress {
        report(read);
    }
    let list: Vec<Challenge> = c::table
        .filter(c::agency_id.eq(&agency.id))
        .filter(c::filed_on.between(first, last))
        .select(Challenge::as_select())
        .load(conn)?;
    let list: Vec<ChallengeFacts> = list
        .into_iter()
        .map(|ch| ChallengeFacts {
            kind: ch.kind,
            after_reconsideration: ch.after_reconsideration,
            filed_on: ch.filed_on,
            result: ch.result.zip(ch.decided_on),
        })
        .collect();
    let fees: Vec<Option<i64>> = a::table
        .filter(a::agency_id.eq(&agency.id))
        .filter(a::fee_paid_on.between(first, last))
        .select(a::fee_amount_fen)
        .load(conn)?;
    let convenience_replies = convenience_replies(conn, &agency.id, first, last)?;
    let fees_waived: i64 = a::table
        .filter(a::agency_id.eq(&agency.id))
        .filter(a::fee_waived_on.between(first, last))
        .count()
        .get_result(conn)?;
    Ok(AnnualReport {
        fees_waived: fees_waived as u64,
        convenience_replies,
        challenges: report::challenges(&list, year),
        fees_collected_fen: fees.iter().flatten().sum(),
        fees_paid: fees.len() as u64,
        agency,
        year,
        table,
    })
}

/// The condition of the index `applications_convenience_reply`, written out (not bound) so
/// that both databases see it is the index's own and read only the cases it holds. The
/// decisions are written by serde_json, which spells the key as it is.
const NAMES_CONVENIENCE_REPLY: &str = "decision LIKE '%convenience_reply%'";

/// How many answers delivered between `first` and `last` carried a convenience reply, read page
/// by page from the stored decisions that name one at all, so that most answers are not read.
fn convenience_replies(
    conn: &mut DbConnection,
    agency_id: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<u64, ServiceError> {
    let mut after = String::new();
    let mut n = 0;
    loop {
        let page: Vec<(String, Option<String>)> = a::table
            .filter(a::agency_id.eq(agency_id))
            .filter(a::status.eq(Status::Delivered))
            .filter(a::closed_on.between(first, last))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                NAMES_CONVENIENCE_REPLY,
            ))
            .filter(a::id.gt(&after))
            .order(a::id.asc())
            .limit(PAGE)
            .select((a::id, a::decision))
            .load(conn)?;
        let Some(last_row) = page.last() else {
            return Ok(n);
        };
        after = last_row.0.clone();
        n += page
            .iter()
            .filter(|(_, d)| d.as_deref().is_some_and(report::has_convenience_reply))
            .count() as u64;
    }
}

/// A case counted in one cell.
#[derive(Debug, Serialize)]
pub struct CellCase {
    pub id: String,
    pub tracking_number: String,
    pub received_on: Option<NaiveDate>,
    pub finished_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    /// Inside the office (issue 16): the assignee's name, and the divisions consulted with
    /// their reply dates (`FGC:2026-03-05;CWC:`).
    pub assignee: Option<String>,
    pub divisions_consulted: String,
}

/// The cases behind one cell of part 三: a counted row and a column (or `total`).
pub fn cell_cases(
    conn: &mut DbConnection,
    agency_id: &str,
    year: i32,
    row: &str,
    column: &str,
) -> Result<Vec<CellCase>, ServiceError> {
    let bad = |field: &str, zh: &'static str, en: &'static str| {
        ServiceError::Invalid(vec![FieldError::new(
            field,
            "unknown",
            crate::domain::message::Message::new(zh, en),
        )])
    };
    if !ROWS.iter().any(|r| r.key == row && r.counted) {
        return Err(bad(
            "row",
            "不是表中计数的行（见 `rows[].key`）",
            "not a counted row of the table (see its `rows[].key`)",
        ));
    }
    let col = COLUMNS.iter().position(|c| c.0 == column).ok_or_else(|| {
        bad(
            "column",
            "不是表中的列（见 `columns[].key`）",
            "not a column of the table (see its `columns[].key`)",
        )
    })?;
    let mut out = vec![];
    each_case(conn, agency_id, year, |r, f| {
        let in_column = col == 6 || f.column == col;
        if in_column && report::rows_of(f, year).contains(&row) {
            out.push(CellCase {
                id: r.0.clone(),
                tracking_number: r.1.clone(),
                received_on: f.received_on,
                finished_on: f.finished_on,
                outcome: f.outcome,
                assignee: None,
                divisions_consulted: String::new(),
            });
        }
    })?;
    let ids: Vec<crate::domain::case::ApplicationId> = out
        .iter()
        .filter_map(|c| crate::domain::case::ApplicationId::parse(&c.id))
        .collect();
    let mut inside = super::export::Inside::of(conn, &ids)?;
    for c in &mut out {
        if let Some(id) = crate::domain::case::ApplicationId::parse(&c.id) {
            (c.assignee, c.divisions_consulted) = inside.take_id(&id);
        }
    }
    Ok(out)
}

/// The years an office's report can be asked for.
pub fn check_year(year: i32) -> Result<i32, ServiceError> {
    year_bounds(year).map(|(d, _)| d.year())
}

/// Who may see an office's report: its own staff, and auditors and admins (of it, or of all).
pub fn scope(
    conn: &mut DbConnection,
    token: Option<&str>,
    agency_code: &str,
) -> Result<Agency, ServiceError> {
    use crate::domain::workflow::Role;
    let principal = super::auth::authenticate(conn, token)?;
    let s = super::auth::require_staff(
        &principal,
        &[Role::Clerk, Role::Approver, Role::Auditor, Role::Admin],
    )?;
    let agency =
        crate::db::staff::agency_by_code(conn, agency_code)?.ok_or(ServiceError::NoSuchAgency)?;
    match &s.agency_id {
        Some(own) if *own != agency.id => Err(ServiceError::Forbidden(
            crate::domain::message::Message::new(
                "机关工作人员只能查看本机关的年度报告",
                "staff of an office see that office's report only",
            ),
        )),
        _ => Ok(agency),
    }
}
