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

// ---- CSV -------------------------------------------------------------------------------

/// The CSV's columns: the key the export writes, and the Chinese headers the import also takes.
const COLUMNS: &[(&str, &[&str])] = &[
    ("document_number", &["文号", "发文字号"]),
    ("title", &["标题", "公文标题", "文件标题", "名称"]),
    ("issued_by", &["发文处室", "发文单位", "发文机构", "处室"]),
    ("issued_on", &["成文日期", "发文日期", "日期"]),
    ("status", &["公开属性", "公开方式"]),
    ("grounds", &["认定依据", "依据"]),
    ("reasons", &["理由", "认定理由"]),
];

/// Columns a CSV must have (grounds and reasons may be left out when no row needs them).
const REQUIRED_COLUMNS: &[&str] = &[
    "document_number",
    "title",
    "issued_by",
    "issued_on",
    "status",
];

fn column_of(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}').trim();
    COLUMNS
        .iter()
        .find(|(key, zh)| key.eq_ignore_ascii_case(h) || zh.contains(&h))
        .map(|(key, _)| *key)
}

/// The register as CSV: UTF-8 with a byte-order mark (as spreadsheets read it), one row a
/// document, cells a spreadsheet would take for formulas neutralised as in the other exports.
pub fn export_csv(conn: &mut DbConnection, agency: &Agency) -> Result<Vec<u8>, ServiceError> {
    let rows = db::of_agency(conn, &agency.id, None)?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    let fail = |e: &dyn std::fmt::Display| ServiceError::Internal(format!("register csv: {e}"));
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        w.write_record(COLUMNS.iter().map(|(k, _)| *k))
            .map_err(|e| fail(&e))?;
        for r in rows {
            let cells = [
                r.document_number,
                r.title,
                r.issued_by,
                r.issued_on.to_string(),
                r.status,
                r.grounds.unwrap_or_default(),
                r.reasons.unwrap_or_default(),
            ];
            w.write_record(
                cells
                    .iter()
                    .map(|c| super::export::neutralise_cell(c).into_owned()),
            )
            .map_err(|e| fail(&e))?;
        }
        w.flush().map_err(|e| fail(&e))?;
    }
    Ok(out)
}

/// A cell as the export wrote it, back: the apostrophe that neutralised a formula-like cell
/// is taken off again.
fn cell_value(cell: &str) -> &str {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// A date as written in the CSV: 2026-03-01, or as a spreadsheet rewrites it, 2026/3/1.
fn csv_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

fn csv_error(field: &str, code: &str, message: crate::domain::message::Message) -> FieldError {
    FieldError::new(field, code, message)
}

/// Reads a CSV of the register (a BOM optional, headers in English or Chinese) into entries,
/// each checked; every fault of every row is listed (`rows[n].column`, `n` counting data rows
/// from 1: the file's line `n + 1`).
fn read_csv(
    conn: &mut DbConnection,
    agency: &Agency,
    bytes: &[u8],
) -> Result<Vec<Checked>, Vec<FieldError>> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let Ok(body) = std::str::from_utf8(bytes) else {
        return Err(vec![csv_error(
            "",
            "encoding",
            msg!(
                "CSV 须为 UTF-8 编码（可带 BOM）",
                "the CSV must be UTF-8 (a BOM is allowed)"
            ),
        )]);
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![csv_error(
                "header",
                "unreadable",
                msg!("无法读取表头：{e}", "the header cannot be read: {e}"),
            )])
        }
    };
    let mut errors = Vec::new();
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let col = column_of(h);
        if col.is_none() {
            let h = h.to_owned();
            errors.push(csv_error(
                &format!("header[{i}]"),
                "unknown_column",
                msg!("不认识的列 {h:?}", "unknown column {h:?}"),
            ));
        } else if columns.contains(&col) {
            let h = h.to_owned();
            errors.push(csv_error(
                &format!("header[{i}]"),
                "duplicate_column",
                msg!("列 {h:?} 出现两次", "the column {h:?} appears twice"),
            ));
        }
        columns.push(col);
    }
    for required in REQUIRED_COLUMNS {
        if !columns.contains(&Some(required)) {
            errors.push(csv_error(
                "header",
                "missing_column",
                msg!("缺少列 {required}", "the column {required} is missing"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut n = 0usize;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                n += 1;
                errors.push(csv_error(
                    &format!("rows[{n}]"),
                    "unreadable",
                    msg!("无法读取：{e}", "cannot be read: {e}"),
                ));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        n += 1;
        let prefix = format!("rows[{n}].");
        if record.len() != columns.len() {
            let (got, want) = (record.len(), columns.len());
            errors.push(csv_error(
                &format!("rows[{n}]"),
                "columns",
                msg!(
                    "有 {got} 个单元格，表头有 {want} 列",
                    "has {got} cells where the header has {want} columns"
                ),
            ));
            continue;
        }
        let get = |key: &str| {
            columns
                .iter()
                .position(|c| *c == Some(key))
                .and_then(|i| record.get(i))
                .map(cell_value)
                .unwrap_or("")
        };
        let status_cell = get("status");
        let date_cell = get("issued_on");
        let input = EntryInput {
            document_number: get("document_number").to_owned(),
            title: get("title").to_owned(),
            issued_by: get("issued_by").to_owned(),
            issued_on: csv_date(date_cell),
            status: DisclosureStatus::parse_any(status_cell),
            grounds: text(Some(get("grounds"))),
            reasons: text(Some(get("reasons"))),
        };
        match check(conn, agency, &input, &prefix) {
            Ok(c) => {
                if let Some(first) = seen.insert(c.document_number.clone(), n) {
                    let number = c.document_number.clone();
                    errors.push(csv_error(
                        &format!("{prefix}document_number"),
                        "duplicate",
                        msg!(
                            "文号 {number} 已在第 {first} 行出现",
                            "the number {number} is already on row {first}"
                        ),
                    ));
                }
                out.push(c);
            }
            Err(list) => errors.extend(list),
        }
    }
    if n == 0 && errors.is_empty() {
        errors.push(csv_error(
            "rows",
            "empty",
            msg!("CSV 中没有公文", "the CSV has no documents"),
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Imports a CSV: every row creates the document of its number or updates it (a changed status
/// is a new history row) — all rows or none: any bad row and nothing is written.
pub fn import_csv(
    conn: &mut DbConnection,
    agency: &Agency,
    bytes: &[u8],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<ImportSummary, ServiceError> {
    let rows = read_csv(conn, agency, bytes).map_err(ServiceError::Invalid)?;
    let now = now.naive_utc();
    write_tx(conn, |conn| {
        let mut summary = ImportSummary::default();
        for c in &rows {
            let Some(existing) = db::by_number(conn, &agency.id, &c.document_number)? else {
                insert_checked(conn, agency, c, ChangeSource::Imported, who, now)?;
                summary.created += 1;
                continue;
            };
            let details_differ = existing.title != c.title
                || existing.issued_by != c.issued_by
                || existing.division_id != c.division_id
                || existing.issued_on != c.issued_on;
            let status_differs = existing.status != c.status.as_str()
                || existing.grounds != c.grounds
                || existing.reasons != c.reasons;
            if details_differ {
                db::update_details(
                    conn,
                    &EntryRow {
                        title: c.title.clone(),
                        issued_by: c.issued_by.clone(),
                        division_id: c.division_id.clone(),
                        issued_on: c.issued_on,
                        updated_at: now,
                        ..existing.clone()
                    },
                )?;
            }
            if status_differs {
                let seq = db::next_seq(conn, &existing.id)?;
                let change = change_row(
                    &existing.id,
                    seq,
                    StatusInput {
                        status: c.status,
                        grounds: c.grounds.clone(),
                        reasons: c.reasons.clone(),
                    },
                    ChangeSource::Imported,
                    who,
                    now,
                );
                db::set_status(conn, &change)?;
            }
            if details_differ || status_differs {
                summary.updated += 1;
            } else {
                summary.unchanged += 1;
            }
        }
        Ok::<_, ServiceError>(summary)
    })
}

// ---- Cases name documents -----------------------------------------------------------------

/// One document a case names, as asked.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Naming {
    pub document_id: String,
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

/// The documents a case names, for the staff's view of the case.
pub fn named_of_case(
    conn: &mut DbConnection,
    application_id: &str,
) -> Result<Vec<NamedDocument>, ServiceError> {
    Ok(db::of_case(conn, application_id)?
        .into_iter()
        .map(|(link, e)| NamedDocument {
            document_id: e.id,
            document_number: e.document_number,
            title: e.title,
            status: e.status,
            outcome: link.outcome,
        })
        .collect())
}

/// Sets the documents a case concerns (replacing those named before), with the answer's
/// outcome for each where it differs from the case's: an internal event of the case's chain
/// (`name_documents`; domain::visibility keeps it from the applicant).
pub fn name_documents(
    services: &Services,
    token: Option<&str>,
    id: &str,
    items: Vec<Naming>,
) -> Result<Vec<NamedDocument>, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    // A division's staff (and anybody outside the office) are refused before the case is read.
    let me = require_staff(&principal, NAMERS)?.clone();
    let case = super::cases::visible(conn, &principal, id)?;
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut named = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let entry =
            db::by_id(conn, item.document_id.trim())?.filter(|e| e.agency_id == case.agency_id);
        match entry {
            None => errors.push(FieldError::new(
                format!("[{i}].document_id"),
                "unknown_document",
                msg!(
                    "本机关的台账中没有该公文",
                    "the office's register has no such document"
                ),
            )),
            Some(e) if !seen.insert(e.id.clone()) => errors.push(FieldError::new(
                format!("[{i}].document_id"),
                "duplicate",
                msg!("同一公文列了两次", "the same document is named twice"),
            )),
            Some(e) => named.push((e, item.outcome)),
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let now = services.now().naive_utc();
    let application_id = case.id.clone();
    write_tx(conn, |conn| {
        let links: Vec<LinkRow> = named
            .iter()
            .map(|(e, outcome)| LinkRow {
                application_id: application_id.to_string(),
                entry_id: e.id.clone(),
                outcome: outcome.map(|o| o.as_str().to_owned()),
            })
            .collect();
        // The event's number first: it locks the case's row, so two namings take turns.
        let (seq, status) = cases::next_event_seq(conn, &application_id)?;
        db::replace_case_links(conn, application_id.as_str(), &links)?;
        let documents: Vec<_> = named
            .iter()
            .map(|(e, outcome)| {
                json!({
                    "document_id": e.id, "document_number": e.document_number,
                    "title": e.title, "outcome": outcome,
                })
            })
            .collect();
        events::insert(
            conn,
            &EventRow {
                id: uuid::Uuid::now_v7().to_string(),
                application_id: application_id.clone(),
                seq,
                occurred_at: now,
                actor_role: me.role,
                actor_id: Some(me.id.clone()),
                actor_name: Some(me.name.clone()),
                action: NAME_DOCUMENTS.into(),
                status_before: Some(status),
                status_after: status,
                payload: json!({ "documents": documents }).to_string(),
                prev_hash: None,
                hash: None,
            },
        )?;
        Ok::<_, ServiceError>(())
    })?;
    named_of_case(conn, application_id.as_str())
}

/// The case event that names its documents.
pub const NAME_DOCUMENTS: &str = "name_documents";

// ---- The annual review (art. 44) -----------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub document: EntryView,
    pub applications: u32,
    pub applicants: u32,
    pub answers: BTreeMap<String, u32>,
    pub proposed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub agency_code: String,
    pub as_of: NaiveDate,
    /// The first day counted: the same day a year before `as_of`.
    pub from: NaiveDate,
    pub threshold: i32,
    pub items: Vec<ReviewItem>,
}

/// The review as of a day: every document held on request or withheld, with the cases that
/// named it in the 12 months before, their distinct applicants and answers, and whether it is
/// proposed for proactive disclosure.
pub fn review(
    conn: &mut DbConnection,
    agency: &Agency,
    as_of: NaiveDate,
) -> Result<Review, ServiceError> {
    let held: Vec<EntryRow> = db::of_agency(conn, &agency.id, None)?
        .into_iter()
        .filter(|e| DisclosureStatus::parse(&e.status).is_some_and(DisclosureStatus::under_review))
        .collect();
    let from = rules::window_start(as_of);
    let namings: Vec<rules::Naming> = db::namings(conn, &agency.id, from)?
        .into_iter()
        .map(|n| {
            let answered = Status::parse(&n.status)
                .is_some_and(crate::domain::visibility::applicant_sees_outcome);
            rules::Naming {
                document_id: n.entry_id,
                application_id: n.application_id,
                received_on: n.received_on.unwrap_or(n.registered_on),
                applicant: n.id_number_hash,
                answer: answered.then(|| n.link_outcome.or(n.outcome)).flatten(),
            }
        })
        .collect();
    let ids: Vec<String> = held.iter().map(|e| e.id.clone()).collect();
    let threshold = u32::try_from(agency.register_review_threshold).unwrap_or(0);
    let counts = rules::review(&ids, &namings, as_of, threshold);
    let mut items = Vec::with_capacity(held.len());
    for (e, c) in held.into_iter().zip(counts) {
        items.push(ReviewItem {
            document: view(conn, agency, e)?,
            applications: c.applications,
            applicants: c.applicants,
            answers: c.answers,
            proposed: c.proposed,
        });
    }
    Ok(Review {
        agency_code: agency.code.to_string(),
        as_of,
        from,
        threshold: agency.register_review_threshold,
        items,
    })
}

/// One decision of the review, as asked.
#[derive(Debug, Clone, Serialize, serde::Deserialize, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[validate(length(min = 1, max = 64))]
    pub document_id: String,
    pub decision: ReviewDecision,
    #[validate(custom(function = "crate::domain::text::reason_text"))]
    pub reason: String,
}

/// Records the review's decisions, all or none: moving a document to proactive disclosure
/// changes its status (a history row); only a document held on request or withheld is decided.
pub fn decide(
    conn: &mut DbConnection,
    agency: &Agency,
    list: &[DecisionInput],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Vec<DecisionView>, ServiceError> {
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    for (i, d) in list.iter().enumerate() {
        match db::by_id(conn, d.document_id.trim())?.filter(|e| e.agency_id == agency.id) {
            None => errors.push(FieldError::new(
                format!("decisions[{i}].document_id"),
                "unknown_document",
                msg!(
                    "本机关的台账中没有该公文",
                    "the office's register has no such document"
                ),
            )),
            Some(e) if !seen.insert(e.id.clone()) => errors.push(FieldError::new(
                format!("decisions[{i}].document_id"),
                "duplicate",
                msg!("同一公文决定了两次", "the same document is decided twice"),
            )),
            Some(e) => entries.push(e),
        }
    }
    if list.is_empty() {
        errors.push(FieldError::new(
            "decisions",
            "empty",
            msg!("至少一项决定", "at least one decision"),
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if let Some(e) = entries
        .iter()
        .find(|e| !DisclosureStatus::parse(&e.status).is_some_and(DisclosureStatus::under_review))
    {
        let number = e.document_number.clone();
        return Err(ServiceError::Conflict(
            ProblemCode::NotUnderReview,
            msg!(
                "{number} 已是主动公开：年度审查只决定依申请公开和不予公开的公文",
                "{number} is already proactive: the review decides documents held on request \
                 or withheld only"
            ),
        ));
    }
    let now = now.naive_utc();
    write_tx(conn, |conn| {
        let mut out = Vec::new();
        for (d, e) in list.iter().zip(&entries) {
            // Read again inside the transaction: another decision may have moved it meanwhile.
            let current = db::by_id(conn, &e.id)?.ok_or(ServiceError::NoSuchDocument)?;
            if current.status == DisclosureStatus::Proactive.as_str() {
                let number = current.document_number.clone();
                return Err(ServiceError::Conflict(
                    ProblemCode::NotUnderReview,
                    msg!("{number} 已是主动公开", "{number} is already proactive"),
                ));
            }
            let row = DecisionRow {
                id: uuid::Uuid::now_v7().to_string(),
                agency_id: agency.id.clone(),
                entry_id: e.id.clone(),
                decision: d.decision.as_str().to_owned(),
                reason: d.reason.trim().to_owned(),
                decided_by: who.id.clone(),
                decided_by_name: who.name.clone(),
                decided_at: now,
            };
            db::insert_decision(conn, &row)?;
            if d.decision == ReviewDecision::MoveToProactive {
                let seq = db::next_seq(conn, &e.id)?;
                let change = change_row(
                    &e.id,
                    seq,
                    StatusInput {
                        status: DisclosureStatus::Proactive,
                        grounds: None,
                        reasons: Some(row.reason.clone()),
                    },
                    ChangeSource::Review,
                    who,
                    now,
                );
                db::set_status(conn, &change)?;
            }
            out.push(decision_view(row));
        }
        Ok::<_, ServiceError>(out)
    })
}

/// Sets the distinct applicants from which the review proposes a document (1 to 1,000).
pub fn set_review_threshold(
    conn: &mut DbConnection,
    code: &str,
    applicants: i32,
) -> Result<Agency, ServiceError> {
    if !(1..=1000).contains(&applicants) {
        return Err(ServiceError::invalid(
            "applicants",
            "range",
            msg!(
                "审查门槛须为 1 至 1000 个申请人",
                "the review threshold is 1 to 1,000 applicants"
            ),
        ));
    }
    let agency = super::admin::agency_by_code(conn, code)?;
    write_tx(conn, |conn| {
        db::set_review_threshold(conn, &agency.id, applicants)
    })?;
    Ok(Agency {
        register_review_threshold: applicants,
        ..agency
    })
}

/// The office by its code, for the command line.
pub fn office(conn: &mut DbConnection, code: &str) -> Result<Agency, ServiceError> {
    super::admin::agency_by_code(conn, code)
}

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
