//! The register of documents (公文公开属性台账): an office's documents and their disclosure
//! status, kept with the history of every change; CSV import and export; the documents a case
//! names; and the annual review (art. 44), its counting in `domain::register`.
//!
//! Office staff (clerks, approvers) and auditors read the register; clerks and admins keep it;
//! approvers decide the review. A division's staff are refused (403), as for the office's other
//! lists.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::auth::{authenticate, require_staff, Principal, Staff};
use super::{FieldError, ServiceError, Services};
use crate::db::models::{Agency, EventRow};
use crate::db::register::{self as db, ChangeRow, DecisionRow, EntryRow, LinkRow};
use crate::db::{cases, divisions, events, is_unique_violation, staff, write_tx, DbConnection};
use crate::domain::case::{Outcome, Status};
use crate::domain::problem_code::ProblemCode;
use crate::domain::register::{self as rules, ChangeSource, DisclosureStatus, ReviewDecision};
use crate::domain::workflow::Role;
use crate::msg;

/// Who reads the register: the office's own staff and auditors (and admins).
const READERS: &[Role] = &[Role::Clerk, Role::Approver, Role::Auditor, Role::Admin];
/// Who keeps it: clerks and admins.
const KEEPERS: &[Role] = &[Role::Clerk, Role::Admin];
/// Who decides the annual review.
const DECIDERS: &[Role] = &[Role::Approver];
/// Who names a case's documents: the office's clerks and approvers.
const NAMERS: &[Role] = &[Role::Clerk, Role::Approver];

/// Who made a change: a staff member, or the command line (nobody named).
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub id: Option<String>,
    pub name: Option<String>,
}

impl Who {
    pub fn staff(s: &Staff) -> Self {
        Self {
            id: Some(s.id.clone()),
            name: Some(s.name.clone()),
        }
    }

    /// The command line, run by whoever administers the server.
    pub fn command_line() -> Self {
        Self {
            id: None,
            name: Some("命令行".into()),
        }
    }
}

/// A document as it is entered (from JSON or a CSV row), before it is checked.
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub document_number: String,
    pub title: String,
    pub issued_by: String,
    pub issued_on: Option<NaiveDate>,
    pub status: Option<DisclosureStatus>,
    pub grounds: Option<String>,
    pub reasons: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DivisionRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub seq: i32,
    pub status: String,
    pub grounds: Option<String>,
    pub reasons: Option<String>,
    pub source: String,
    pub changed_by: Person,
    pub changed_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub id: String,
    pub document_id: String,
    pub decision: String,
    pub reason: String,
    pub decided_by: Person,
    pub decided_at: String,
}

/// A document of the register as the API shows it; with its history when read alone.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub id: String,
    pub agency_code: String,
    pub document_number: String,
    pub title: String,
    pub issued_by: String,
    pub issuing_division: Option<DivisionRef>,
    pub issued_on: NaiveDate,
    pub status: String,
    pub grounds: Option<String>,
    pub reasons: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<ChangeView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_decisions: Option<Vec<DecisionView>>,
}

/// A document a case names, as the staff's case view shows it.
#[derive(Debug, Clone, Serialize)]
pub struct NamedDocument {
    pub document_id: String,
    pub document_number: String,
    pub title: String,
    pub status: String,
    /// The answer's outcome for this document, when it differs from the case's.
    pub outcome: Option<String>,
}

fn instant(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn view(conn: &mut DbConnection, agency: &Agency, e: EntryRow) -> Result<EntryView, ServiceError> {
    let issuing_division = match &e.division_id {
        Some(id) => divisions::by_id(conn, id)?.map(|d| DivisionRef {
            code: d.code,
            name: d.name,
        }),
        None => None,
    };
    Ok(EntryView {
        id: e.id,
        agency_code: agency.code.to_string(),
        document_number: e.document_number,
        title: e.title,
        issued_by: e.issued_by,
        issuing_division,
        issued_on: e.issued_on,
        status: e.status,
        grounds: e.grounds,
        reasons: e.reasons,
        created_at: instant(e.created_at),
        updated_at: instant(e.updated_at),
        history: None,
        review_decisions: None,
    })
}

fn decision_view(d: DecisionRow) -> DecisionView {
    DecisionView {
        id: d.id,
        document_id: d.entry_id,
        decision: d.decision,
        reason: d.reason,
        decided_by: Person {
            id: d.decided_by,
            name: d.decided_by_name,
        },
        decided_at: instant(d.decided_at),
    }
}

fn full_view(
    conn: &mut DbConnection,
    agency: &Agency,
    e: EntryRow,
) -> Result<EntryView, ServiceError> {
    let id = e.id.clone();
    let mut v = view(conn, agency, e)?;
    v.history = Some(
        db::history(conn, &id)?
            .into_iter()
            .map(|c| ChangeView {
                seq: c.seq,
                status: c.status,
                grounds: c.grounds,
                reasons: c.reasons,
                source: c.source,
                changed_by: Person {
                    id: c.changed_by,
                    name: c.changed_by_name,
                },
                changed_at: instant(c.changed_at),
            })
            .collect(),
    );
    v.review_decisions = Some(
        db::decisions_of(conn, &id)?
            .into_iter()
            .map(decision_view)
            .collect(),
    );
    Ok(v)
}

/// Trimmed text, none when empty.
fn text(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// One line of 1 to `max` visible characters.
fn one_line(
    errors: &mut Vec<FieldError>,
    field: String,
    value: &str,
    max: usize,
) -> Option<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n == 0 || n > max || crate::domain::text::one_line_text(v).is_err() {
        errors.push(FieldError::new(
            field,
            "length",
            msg!(
                "须为一行 1 至 {max} 个字符",
                "must be 1 to {max} characters on one line"
            ),
        ));
        return None;
    }
    Some(v.to_owned())
}

/// Grounds or reasons: up to 2,000 characters, required for on-request and withheld documents.
fn grounds_text(
    errors: &mut Vec<FieldError>,
    field: String,
    value: Option<&str>,
    required: bool,
) -> Option<String> {
    let v = text(value);
    match &v {
        None if required => errors.push(FieldError::new(
            field,
            "required",
            msg!(
                "依申请公开和不予公开的公文须写明认定依据和理由",
                "documents disclosed on request or withheld need their grounds and reasons"
            ),
        )),
        Some(s) if s.chars().count() > 2000 || crate::domain::text::reason_text(s).is_err() => {
            errors.push(FieldError::new(
                field,
                "length",
                msg!("不能超过 2000 个字符", "at most 2,000 characters"),
            ));
        }
        _ => {}
    }
    v
}

/// An entry checked: its fields, trimmed, the division when the issuer names one of the
/// office's. `prefix` is prepended to the field names (`rows[3].` for a CSV row).
struct Checked {
    document_number: String,
    title: String,
    issued_by: String,
    division_id: Option<String>,
    issued_on: NaiveDate,
    status: DisclosureStatus,
    grounds: Option<String>,
    reasons: Option<String>,
}

fn check(
    conn: &mut DbConnection,
    agency: &Agency,
    input: &EntryInput,
    prefix: &str,
) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let f = |name: &str| format!("{prefix}{name}");
    let number = one_line(
        &mut errors,
        f("document_number"),
        &input.document_number,
        100,
    );
    let title = one_line(&mut errors, f("title"), &input.title, 300);
    let issued_by = one_line(&mut errors, f("issued_by"), &input.issued_by, 100);
    if input.issued_on.is_none() {
        errors.push(FieldError::new(
            f("issued_on"),
            "date",
            msg!(
                "成文日期须为 YYYY-MM-DD 格式的日期",
                "the date issued must be a date as YYYY-MM-DD"
            ),
        ));
    }
    if input.status.is_none() {
        errors.push(FieldError::new(
            f("status"),
            "status",
            msg!(
                "公开属性须为 proactive（主动公开）、on_request（依申请公开）或 withheld（不予公开）",
                "the status is proactive (主动公开), on_request (依申请公开) or withheld (不予公开)"
            ),
        ));
    }
    let required = input.status.is_some_and(DisclosureStatus::needs_grounds);
    let grounds = grounds_text(
        &mut errors,
        f("grounds"),
        input.grounds.as_deref(),
        required,
    );
    let reasons = grounds_text(
        &mut errors,
        f("reasons"),
        input.reasons.as_deref(),
        required,
    );
    // An issuer that is one of the office's division codes is that division.
    let division = match &issued_by {
        Some(by) => divisions::by_code(conn, &agency.id, by).map_err(|e| {
            vec![FieldError::new(
                f("issued_by"),
                "unreadable",
                msg!("{e}", "{e}"),
            )]
        })?,
        None => None,
    };
    match (number, title, issued_by, input.issued_on, input.status) {
        (Some(document_number), Some(title), Some(issued_by), Some(issued_on), Some(status))
            if errors.is_empty() =>
        {
            Ok(Checked {
                document_number,
                title,
                issued_by: division.as_ref().map_or(issued_by, |d| d.code.clone()),
                division_id: division.map(|d| d.id),
                issued_on,
                status,
                grounds,
                reasons,
            })
        }
        _ => Err(errors),
    }
}

fn number_taken(number: &str) -> ServiceError {
    ServiceError::Conflict(
        ProblemCode::DocumentNumberTaken,
        msg!(
            "本机关的台账中已有文号为 {number} 的公文",
            "the office's register already has a document numbered {number}"
        ),
    )
}

/// A status as given, with its grounds and reasons.
#[derive(Debug, Clone)]
pub struct StatusInput {
    pub status: DisclosureStatus,
    pub grounds: Option<String>,
    pub reasons: Option<String>,
}

fn change_row(
    entry_id: &str,
    seq: i32,
    given: StatusInput,
    source: ChangeSource,
    who: &Who,
    now: NaiveDateTime,
) -> ChangeRow {
    ChangeRow {
        entry_id: entry_id.to_owned(),
        seq,
        status: given.status.as_str().to_owned(),
        grounds: given.grounds,
        reasons: given.reasons,
        source: source.as_str().to_owned(),
        changed_by: who.id.clone(),
        changed_by_name: who.name.clone(),
        changed_at: now,
    }
}

/// Inserts a checked entry with its first history row.
fn insert_checked(
    conn: &mut DbConnection,
    agency: &Agency,
    c: &Checked,
    source: ChangeSource,
    who: &Who,
    now: NaiveDateTime,
) -> Result<EntryRow, ServiceError> {
    let row = EntryRow {
        id: uuid::Uuid::now_v7().to_string(),
        agency_id: agency.id.clone(),
        document_number: c.document_number.clone(),
        title: c.title.clone(),
        issued_by: c.issued_by.clone(),
        division_id: c.division_id.clone(),
        issued_on: c.issued_on,
        status: c.status.as_str().to_owned(),
        grounds: c.grounds.clone(),
        reasons: c.reasons.clone(),
        created_at: now,
        updated_at: now,
    };
    match db::insert(conn, &row) {
        Err(e) if is_unique_violation(&e) => return Err(number_taken(&c.document_number)),
        other => other?,
    }
    let first = change_row(
        &row.id,
        1,
        StatusInput {
            status: c.status,
            grounds: c.grounds.clone(),
            reasons: c.reasons.clone(),
        },
        source,
        who,
        now,
    );
    db::set_status(conn, &first)?;
    Ok(row)
}

/// Enters a document in the office's register, its status the first row of its history.
pub fn create(
    conn: &mut DbConnection,
    agency: &Agency,
    input: &EntryInput,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<EntryView, ServiceError> {
    let c = check(conn, agency, input, "").map_err(ServiceError::Invalid)?;
    let row = write_tx(conn, |conn| {
        if db::by_number(conn, &agency.id, &c.document_number)?.is_some() {
            return Err(number_taken(&c.document_number));
        }
        insert_checked(
            conn,
            agency,
            &c,
            ChangeSource::Created,
            who,
            now.naive_utc(),
        )
    })?;
    full_view(conn, agency, row)
}

/// An entry of the office, or 404.
fn entry_of(conn: &mut DbConnection, agency: &Agency, id: &str) -> Result<EntryRow, ServiceError> {
    db::by_id(conn, id)?
        .filter(|e| e.agency_id == agency.id)
        .ok_or(ServiceError::NoSuchDocument)
}

/// Gives a document a status, with its grounds and reasons: a new row of its history.
pub fn change_status(
    conn: &mut DbConnection,
    agency: &Agency,
    id: &str,
    given: &StatusInput,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<EntryView, ServiceError> {
    let entry = entry_of(conn, agency, id)?;
    let mut errors = Vec::new();
    let status = given.status;
    let required = status.needs_grounds();
    let grounds = grounds_text(
        &mut errors,
        "grounds".into(),
        given.grounds.as_deref(),
        required,
    );
    let reasons = grounds_text(
        &mut errors,
        "reasons".into(),
        given.reasons.as_deref(),
        required,
    );
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    write_tx(conn, |conn| {
        let seq = db::next_seq(conn, &entry.id)?;
        let change = change_row(
            &entry.id,
            seq,
            StatusInput {
                status,
                grounds: grounds.clone(),
                reasons: reasons.clone(),
            },
            ChangeSource::Changed,
            who,
            now.naive_utc(),
        );
        db::set_status(conn, &change)?;
        Ok::<_, ServiceError>(())
    })?;
    let entry = entry_of(conn, agency, id)?;
    full_view(conn, agency, entry)
}

pub fn list(
    conn: &mut DbConnection,
    agency: &Agency,
    status: Option<DisclosureStatus>,
) -> Result<Vec<EntryView>, ServiceError> {
    db::of_agency(conn, &agency.id, status.map(DisclosureStatus::as_str))?
        .into_iter()
        .map(|e| view(conn, agency, e))
        .collect()
}

pub fn get(conn: &mut DbConnection, agency: &Agency, id: &str) -> Result<EntryView, ServiceError> {
    let entry = entry_of(conn, agency, id)?;
    full_view(conn, agency, entry)
}

mod naming;
mod review;
mod spreadsheet;

pub use naming::*;
pub use review::*;
pub use spreadsheet::*;

/// The API's register operations: who may do what, then the work above.
pub mod api {
    use super::*;

    /// The office the caller may open: its own staff (not a division's), or an auditor or
    /// admin bound to none; another office is 404.
    fn office_for(
        conn: &mut DbConnection,
        principal: &Principal,
        code: &str,
        roles: &[Role],
    ) -> Result<(Agency, Who), ServiceError> {
        let s = require_staff(principal, roles)?;
        let agency = staff::agency_by_code(conn, code)?
            .filter(|a| s.agency_id.as_ref().is_none_or(|own| *own == a.id))
            .ok_or(ServiceError::NoSuchAgency)?;
        Ok((agency, Who::staff(s)))
    }

    fn open(
        services: &Services,
        token: Option<&str>,
        code: &str,
        roles: &[Role],
    ) -> Result<
        (
            diesel::r2d2::PooledConnection<crate::db::pool::Manager>,
            Agency,
            Who,
        ),
        ServiceError,
    > {
        let mut conn = services.conn()?;
        let principal = authenticate(&mut conn, token)?;
        // Readers first: somebody of another office learns nothing from a 403 on writing.
        office_for(&mut conn, &principal, code, READERS)?;
        let (agency, who) = office_for(&mut conn, &principal, code, roles)?;
        Ok((conn, agency, who))
    }

    pub fn list(
        services: &Services,
        token: Option<&str>,
        code: &str,
        status: Option<DisclosureStatus>,
    ) -> Result<Vec<EntryView>, ServiceError> {
        let (mut conn, agency, _) = open(services, token, code, READERS)?;
        super::list(&mut conn, &agency, status)
    }

    pub fn get(
        services: &Services,
        token: Option<&str>,
        code: &str,
        id: &str,
    ) -> Result<EntryView, ServiceError> {
        let (mut conn, agency, _) = open(services, token, code, READERS)?;
        super::get(&mut conn, &agency, id)
    }

    pub fn create(
        services: &Services,
        token: Option<&str>,
        code: &str,
        input: &EntryInput,
    ) -> Result<EntryView, ServiceError> {
        let (mut conn, agency, who) = open(services, token, code, KEEPERS)?;
        super::create(&mut conn, &agency, input, &who, services.now())
    }

    pub fn change_status(
        services: &Services,
        token: Option<&str>,
        code: &str,
        id: &str,
        given: &StatusInput,
    ) -> Result<EntryView, ServiceError> {
        let (mut conn, agency, who) = open(services, token, code, KEEPERS)?;
        super::change_status(&mut conn, &agency, id, given, &who, services.now())
    }

    pub fn export_csv(
        services: &Services,
        token: Option<&str>,
        code: &str,
    ) -> Result<Vec<u8>, ServiceError> {
        let (mut conn, agency, _) = open(services, token, code, READERS)?;
        super::export_csv(&mut conn, &agency)
    }

    pub fn import_csv(
        services: &Services,
        token: Option<&str>,
        code: &str,
        bytes: &[u8],
    ) -> Result<ImportSummary, ServiceError> {
        let (mut conn, agency, who) = open(services, token, code, KEEPERS)?;
        super::import_csv(&mut conn, &agency, bytes, &who, services.now())
    }

    pub fn review(
        services: &Services,
        token: Option<&str>,
        code: &str,
        as_of: Option<NaiveDate>,
    ) -> Result<Review, ServiceError> {
        let (mut conn, agency, _) = open(services, token, code, READERS)?;
        let as_of = as_of.unwrap_or_else(|| crate::domain::time::legal_date(services.now()));
        super::review(&mut conn, &agency, as_of)
    }

    pub fn decide(
        services: &Services,
        token: Option<&str>,
        code: &str,
        list: &[DecisionInput],
    ) -> Result<Vec<DecisionView>, ServiceError> {
        let (mut conn, agency, who) = open(services, token, code, DECIDERS)?;
        super::decide(&mut conn, &agency, list, &who, services.now())
    }
}
