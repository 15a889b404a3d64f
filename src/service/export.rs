//! Exports for auditors: the event log (JSON Lines or CSV) and the case list (CSV, JSON or JSON
//! Lines),
//! written page by page to a sink, so memory stays flat however large the export. CSV starts
//! with a UTF-8 byte-order mark so spreadsheet software reads the Chinese correctly.
//!
//! Each event row carries its chain hashes and exactly the fields they cover (domain::audit),
//! so an export can be verified offline. Identity numbers never appear: events carry them
//! masked, and the case list does not carry them at all.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::ServiceError;
use crate::db::models::{ApplicationRow, EventRow};
use crate::db::schema::{agencies, applications as a, events as e};
use crate::db::DbConnection;
use crate::domain::audit::timestamp;
use crate::domain::case::{
    ApplicantKind, ApplicationId, Channel, OrganisationType, Outcome, Status,
};
use crate::domain::clock::{self, DeadlineKind, DeadlineState};
use crate::domain::time::legal_date;

const PAGE: i64 = 1000;
const BOM: &[u8] = "\u{feff}".as_bytes();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jsonl => "application/jsonl; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }

    /// The name a download of `stem` in this format is saved under.
    pub fn file_name(self, stem: &str) -> String {
        let ext = match self {
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Json => "json",
        };
        format!("{stem}.{ext}")
    }
}

/// Which events: every filter is optional; `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub agency_id: Option<String>,
    /// An application's id or tracking number.
    pub application: Option<String>,
    /// A staff member's id, or a role (`applicant`, `system`).
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One exported event.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct EventLine {
    pub event_id: String,
    pub application_id: String,
    pub tracking_number: String,
    pub agency_code: String,
    pub seq: i32,
    pub occurred_at: String,
    pub actor_role: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub status_before: Option<String>,
    pub status_after: String,
    /// The payload as stored (JSON text): the exact bytes the hash covers.
    pub payload: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// A sink takes each chunk of output; returning false stops the export (the reader left).
pub type Sink<'a> = dyn FnMut(Vec<u8>) -> bool + 'a;

fn encode<T: Serialize>(rows: &[T], format: Format, first: bool) -> Result<Vec<u8>, ServiceError> {
    encode_headed(rows, format, first, Heading::Columns)
}

/// `encode`, with the CSV's first line as `heading` asks.
fn encode_headed<T: Serialize>(
    rows: &[T],
    format: Format,
    first: bool,
    heading: Heading,
) -> Result<Vec<u8>, ServiceError> {
    let mut out = Vec::with_capacity(rows.len() * 400);
    let fail = |e: &dyn std::fmt::Display| ServiceError::Internal(format!("export: {e}"));
    match format {
        Format::Csv => {
            if first {
                out.extend_from_slice(BOM);
            }
            let mut raw = Vec::with_capacity(rows.len() * 400);
            let named = first && heading == Heading::Columns;
            let mut w = csv::WriterBuilder::new()
                .has_headers(named)
                .from_writer(&mut raw);
            if let (true, Heading::Chinese(names)) = (first, heading) {
                w.write_record(names).map_err(|e| fail(&e))?;
            }
            for r in rows {
                w.serialize(r).map_err(|e| fail(&e))?;
            }
            w.flush().map_err(|e| fail(&e))?;
            drop(w);
            out.extend(neutralise_csv(&raw).map_err(|e| fail(&e))?);
        }
        Format::Jsonl => {
            for r in rows {
                serde_json::to_writer(&mut out, r).map_err(|e| fail(&e))?;
                out.push(b'\n');
            }
        }
        Format::Json => {
            for (i, r) in rows.iter().enumerate() {
                out.extend_from_slice(if first && i == 0 { b"[\n" } else { b",\n" });
                serde_json::to_writer(&mut out, r).map_err(|e| fail(&e))?;
            }
        }
    }
    Ok(out)
}

/// Whether a spreadsheet would take a cell beginning so as a formula (OWASP, CSV injection).
fn formula_like(cell: &[u8]) -> bool {
    matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// A cell as it is written in a CSV: one that a spreadsheet would take as a formula gets a
/// leading apostrophe, so that it is shown as the text it is.
pub fn neutralise_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(cell.as_bytes()) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// CSV with every formula-like cell neutralised (`neutralise_cell`); the rest is unchanged.
pub fn neutralise_csv(csv: &[u8]) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::with_capacity(csv.len() + 64);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv);
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(&mut out);
    let mut record = csv::ByteRecord::new();
    let mut safe = csv::ByteRecord::new();
    while r.read_byte_record(&mut record)? {
        if record.iter().any(formula_like) {
            safe.clear();
            for cell in &record {
                if formula_like(cell) {
                    safe.push_field(&[b"'", cell].concat());
                } else {
                    safe.push_field(cell);
                }
            }
            w.write_byte_record(&safe)?;
        } else {
            w.write_byte_record(&record)?;
        }
    }
    w.flush()?;
    drop(w);
    Ok(out)
}

/// Ends an export: closes a JSON array (opening it if no row came).
fn finish(format: Format, rows: usize, sink: &mut Sink<'_>) {
    match (format, rows) {
        (Format::Json, 0) => sink(b"[]\n".to_vec()),
        (Format::Json, _) => sink(b"\n]\n".to_vec()),
        (Format::Csv, 0) => sink(BOM.to_vec()),
        _ => true,
    };
}

type Joined = (EventRow, String, String);

/// Streams the events that match, in the order they were written (ids are time-ordered).
/// `progress`, if given, hears the number of events written after each page.
pub fn events(
    conn: &mut DbConnection,
    f: &EventFilter,
    format: Format,
    sink: &mut Sink<'_>,
    mut progress: Option<&mut dyn FnMut(usize)>,
) -> Result<usize, ServiceError> {
    let mut after = String::new();
    let mut n = 0;
    loop {
        let mut q = e::table
            .inner_join(a::table)
            .inner_join(agencies::table.on(agencies::id.eq(a::agency_id)))
            .filter(e::id.gt(after.clone()))
            .order(e::id.asc())
            .limit(PAGE)
            .select((EventRow::as_select(), a::tracking_number, agencies::code))
            .into_boxed();
        if let Some(agency) = &f.agency_id {
            q = q.filter(a::agency_id.eq(agency.clone()));
        }
        if let Some(app) = &f.application {
            q = q.filter(a::id.eq(app.clone()).or(a::tracking_number.eq(app.clone())));
        }
        if let Some(actor) = &f.actor {
            q = q.filter(
                e::actor_id
                    .eq(actor.clone())
                    .or(e::actor_role.eq(actor.clone())),
            );
        }
        if let Some(action) = &f.action {
            q = q.filter(e::action.eq(action.clone()));
        }
        if let Some(from) = f.from {
            q = q.filter(e::occurred_at.ge(from.naive_utc()));
        }
        if let Some(to) = f.to {
            q = q.filter(e::occurred_at.lt(to.naive_utc()));
        }
        let page: Vec<Joined> = q.load(conn)?;
        let Some(last) = page.last() else { break };
        after = last.0.id.clone();
        let lines: Vec<EventLine> = page.into_iter().map(line).collect();
        let chunk = encode(&lines, format, n == 0)?;
        n += lines.len();
        if !sink(chunk) {
            return Ok(n);
        }
        if let Some(report) = progress.as_mut() {
            report(n);
        }
    }
    finish(format, n, sink);
    Ok(n)
}

fn line((ev, tracking_number, agency_code): Joined) -> EventLine {
    EventLine {
        occurred_at: timestamp(ev.occurred_at),
        event_id: ev.id,
        application_id: ev.application_id.to_string(),
        tracking_number,
        agency_code,
        seq: ev.seq,
        actor_role: ev.actor_role.as_str().to_owned(),
        actor_id: ev.actor_id,
        actor_name: ev.actor_name,
        action: ev.action,
        status_before: ev.status_before.map(|s| s.as_str().to_owned()),
        status_after: ev.status_after.as_str().to_owned(),
        payload: ev.payload,
        prev_hash: ev.prev_hash,
        hash: ev.hash,
    }
}

/// One row per case.
#[derive(Debug, Serialize)]
pub struct CaseLine {
    pub tracking_number: String,
    pub agency_code: String,
    pub applicant_kind: ApplicantKind,
    pub organisation_type: Option<OrganisationType>,
    pub channel: Channel,
    pub registered_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub answer_due_on: Option<NaiveDate>,
    pub extension_days: Option<i32>,
    pub answered_on: Option<NaiveDate>,
    /// Which date made the answer timely: posted_on (by post), signed_for, sent_on.
    pub answered_on_basis: Option<&'static str>,
    /// Whether the answer came by its deadline; empty while the case is open or closed
    /// without an answer being due.
    pub answered_on_time: Option<bool>,
    pub next_deadline_kind: Option<DeadlineKind>,
    pub next_deadline_on: Option<NaiveDate>,
    pub fee_amount_fen: Option<i64>,
    pub fee_paid_on: Option<NaiveDate>,
    /// Inside the office (issue 16; new columns go at the end): the assignee's name, and the
    /// divisions consulted with their reply dates, `FGC:2026-03-05;CWC:` (empty: no reply yet).
    pub assignee: Option<String>,
    pub divisions_consulted: String,
    /// The files on the case (issue 17), `sha256:name` separated by `;`, oldest first; and
    /// those delivered with the answer, the same way.
    pub attachments: String,
    pub attachments_delivered: String,
}

/// The files of a page of cases, as the export's two columns.
fn files_of(
    conn: &mut DbConnection,
    ids: &[ApplicationId],
) -> QueryResult<HashMap<ApplicationId, (String, String)>> {
    use crate::db::schema::attachments as f;
    let rows: Vec<(ApplicationId, String, String, Option<chrono::NaiveDateTime>)> = f::table
        .filter(f::application_id.eq_any(ids))
        .order(f::id.asc())
        .select((f::application_id, f::sha256, f::name, f::delivered_at))
        .load(conn)?;
    let mut out: HashMap<ApplicationId, (String, String)> = HashMap::new();
    for (id, sha, name, delivered) in rows {
        let (all, sent) = out.entry(id).or_default();
        let entry = format!("{sha}:{name}");
        for list in std::iter::once(&mut *all).chain(delivered.map(|_| &mut *sent)) {
            if !list.is_empty() {
                list.push(';');
            }
            list.push_str(&entry);
        }
    }
    Ok(out)
}

/// Which cases: one office (or all), received in one year (or any); and how a CSV of them is
/// headed.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub agency_id: Option<String>,
    pub year: Option<i32>,
    pub heading: Heading,
}

/// The first line of a CSV: the column names programs read (the API, the command line), or
/// their Chinese names for people opening the file in a spreadsheet (the console).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Heading {
    #[default]
    Columns,
    Chinese(&'static [&'static str]),
}

/// The case list's columns in Chinese, in the order of `CaseLine`'s fields.
pub const CASE_HEADINGS: &[&str] = &[
    "申请编号",
    "机关代码",
    "申请人类型",
    "法人或其他组织类型",
    "申请渠道",
    "登记日期",
    "收到申请日期",
    "办理状态",
    "答复结果",
    "答复期限",
    "延长答复期限（工作日）",
    "答复日期",
    "答复日期依据",
    "是否按期答复",
    "下一期限类型",
    "下一期限",
    "信息处理费（分）",
    "缴费日期",
    "承办人",
    "征求意见的处室及答复日期",
    "附件",
    "随答复送达的附件",
];

/// Streams one row per case, in filing order. `progress`, if given, hears the number of cases
/// written after each page.
pub fn cases(
    conn: &mut DbConnection,
    calendars: &super::calendar::CalendarCache,
    f: &CaseFilter,
    format: Format,
    now: DateTime<Utc>,
    sink: &mut Sink<'_>,
    mut progress: Option<&mut dyn FnMut(usize)>,
) -> Result<usize, ServiceError> {
    let today = legal_date(now);
    let mut cals = calendars.batch();
    let mut after = String::new();
    let mut n = 0;
    loop {
        let mut q = a::table
            .inner_join(agencies::table.on(agencies::id.eq(a::agency_id)))
            .filter(a::id.gt(after.clone()))
            .order(a::id.asc())
            .limit(PAGE)
            .select((ApplicationRow::as_select(), agencies::code))
            .into_boxed();
        if let Some(agency) = &f.agency_id {
            q = q.filter(a::agency_id.eq(agency.clone()));
        }
        if let Some(year) = f.year {
            let (first, last) = year_bounds(year)?;
            q = q.filter(a::received_on.between(first, last));
        }
        let page: Vec<(ApplicationRow, String)> = q.load(conn)?;
        let Some(last) = page.last() else { break };
        after = last.0.id.to_string();
        let ids: Vec<ApplicationId> = page.iter().map(|(r, _)| r.id.clone()).collect();
        let mut inside = Inside::of(conn, &ids)?;
        let mut files = files_of(conn, &ids)?;
        let mut lines = Vec::with_capacity(page.len());
        for (row, code) in page {
            let (assignee, divisions_consulted) = inside.take(&row);
            let (attachments, attachments_delivered) = files.remove(&row.id).unwrap_or_default();
            let cal = cals.get(conn, &row.agency_id)?;
            let case = row.case()?;
            // A closed case's deadlines are those it closed with (RULES §8), never recomputed.
            let (answer_due_on, state) = match &row.handling.final_clock {
                Some(json) => {
                    let frozen: Vec<serde_json::Value> =
                        serde_json::from_str(json).unwrap_or_default();
                    let answer = frozen
                        .iter()
                        .rfind(|d| d["kind"] == DeadlineKind::Answer.as_str());
                    (
                        row.handling.final_answer_due_on,
                        answer.and_then(|d| d["state"].as_str().and_then(DeadlineState::parse)),
                    )
                }
                None => {
                    let list = clock::deadlines(&cal, &case.clock_facts(), today).ok();
                    let answer = list
                        .iter()
                        .flatten()
                        .rfind(|d| d.kind == DeadlineKind::Answer);
                    (answer.and_then(|d| d.due_on), answer.map(|d| d.state))
                }
            };
            let answered = case.answered();
            lines.push(CaseLine {
                answer_due_on,
                answered_on_time: state.and_then(|s| match s {
                    DeadlineState::Met => Some(true),
                    DeadlineState::Missed => Some(false),
                    _ => None,
                }),
                answered_on_basis: answered.map(|(_, b)| b.as_str()),
                tracking_number: row.tracking_number,
                agency_code: code,
                applicant_kind: row.applicant.kind,
                organisation_type: row.applicant.organisation_type,
                channel: row.channel,
                registered_on: row.registered_on,
                received_on: row.clock.received_on,
                status: row.clock.status,
                outcome: row.handling.outcome,
                extension_days: row.clock.extension.days,
                answered_on: answered.map(|(d, _)| d).or(row.clock.closed_on),
                next_deadline_kind: row.clock.next.kind,
                next_deadline_on: row.clock.next.on,
                fee_amount_fen: row.clock.fee.amount_fen,
                fee_paid_on: row.clock.fee.paid_on,
                assignee,
                divisions_consulted,
                attachments,
                attachments_delivered,
            });
        }
        let chunk = encode_headed(&lines, format, n == 0, f.heading)?;
        n += lines.len();
        if !sink(chunk) {
            return Ok(n);
        }
        if let Some(report) = progress.as_mut() {
            report(n);
        }
    }
    match (format, n, f.heading) {
        // A list headed for people keeps its heading when no case matches.
        (Format::Csv, 0, Heading::Chinese(_)) => {
            sink(encode_headed::<CaseLine>(&[], format, true, f.heading)?);
        }
        _ => finish(format, n, sink),
    }
    Ok(n)
}

/// Who handles each case of a page and which divisions were consulted, read once a page.
pub(super) struct Inside {
    names: HashMap<String, String>,
    consulted: HashMap<ApplicationId, String>,
    assignees: HashMap<ApplicationId, Option<String>>,
}

impl Inside {
    /// For the cases `ids` (a page of an export, a cell's list).
    pub(super) fn of(conn: &mut DbConnection, ids: &[ApplicationId]) -> QueryResult<Self> {
        use crate::db::schema::{divisions as d, users as u};
        let mut assignees: HashMap<ApplicationId, Option<String>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<(ApplicationId, Option<String>)> = a::table
                .filter(a::id.eq_any(chunk))
                .select((a::id, a::assignee_id))
                .load(conn)?;
            assignees.extend(rows);
        }
        let mut people: Vec<&String> = assignees.values().flatten().collect();
        people.sort_unstable();
        people.dedup();
        let mut names = HashMap::new();
        for chunk in people.chunks(500) {
            let rows: Vec<(String, String)> = u::table
                .filter(u::id.eq_any(chunk))
                .select((u::id, u::name))
                .load(conn)?;
            names.extend(rows);
        }
        let forwardings = crate::db::forwardings::of_cases(conn, ids)?;
        let mut division_ids: Vec<&String> = forwardings.iter().map(|f| &f.division_id).collect();
        division_ids.sort_unstable();
        division_ids.dedup();
        let codes: HashMap<String, String> = d::table
            .filter(d::id.eq_any(division_ids))
            .select((d::id, d::code))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let mut consulted: HashMap<ApplicationId, String> = HashMap::new();
        for fw in &forwardings {
            let code = codes.get(&fw.division_id).map_or("?", String::as_str);
            let replied = fw.replied_on.map(|d| d.to_string()).unwrap_or_default();
            let cell = consulted.entry(fw.application_id.clone()).or_default();
            if !cell.is_empty() {
                cell.push(';');
            }
            cell.push_str(&format!("{code}:{replied}"));
        }
        Ok(Self {
            names,
            consulted,
            assignees,
        })
    }

    /// The assignee's name and the divisions consulted (`FGC:2026-03-05;CWC:`) of one case.
    pub(super) fn take(&mut self, row: &ApplicationRow) -> (Option<String>, String) {
        self.take_id(&row.id)
    }

    pub(super) fn take_id(&mut self, id: &ApplicationId) -> (Option<String>, String) {
        let assignee = self
            .assignees
            .get(id)
            .cloned()
            .flatten()
            .map(|a| self.names.get(&a).cloned().unwrap_or(a));
        (assignee, self.consulted.remove(id).unwrap_or_default())
    }
}

/// The first and last day of a year the calendar covers.
pub fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), ServiceError> {
    let day = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    match (day(1, 1), day(12, 31)) {
        (Some(a), Some(b)) if (2008..=2099).contains(&year) => Ok((a, b)),
        _ => Err(ServiceError::Invalid(vec![super::FieldError::new(
            "year",
            "out_of_range",
            crate::msg!("年份须为 2008 至 2099", "the year must be 2008 to 2099"),
        )])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_the_case_list_has_its_chinese_name() {
        let line = CaseLine {
            tracking_number: "BJHD-2026-000001".into(),
            agency_code: "BJHD".into(),
            applicant_kind: ApplicantKind::NaturalPerson,
            organisation_type: None,
            channel: Channel::Online,
            registered_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            received_on: None,
            status: Status::Registered,
            outcome: None,
            answer_due_on: None,
            extension_days: None,
            answered_on: None,
            answered_on_basis: None,
            answered_on_time: None,
            next_deadline_kind: None,
            next_deadline_on: None,
            fee_amount_fen: None,
            fee_paid_on: None,
            assignee: None,
            divisions_consulted: String::new(),
            attachments: String::new(),
            attachments_delivered: String::new(),
        };
        let by_name = encode(std::slice::from_ref(&line), Format::Csv, true).unwrap();
        let named = String::from_utf8(by_name).unwrap();
        let columns = named.trim_start_matches('\u{feff}').lines().next().unwrap();
        assert_eq!(columns.split(',').count(), CASE_HEADINGS.len(), "{columns}");
        let chinese = encode_headed(
            std::slice::from_ref(&line),
            Format::Csv,
            true,
            Heading::Chinese(CASE_HEADINGS),
        )
        .unwrap();
        let chinese = String::from_utf8(chinese).unwrap();
        let mut lines = chinese.trim_start_matches('\u{feff}').lines();
        assert_eq!(lines.next().unwrap(), CASE_HEADINGS.join(","));
        assert!(lines.next().unwrap().starts_with("BJHD-2026-000001,BJHD,"));
        assert!(chinese.starts_with('\u{feff}'), "a BOM for spreadsheets");
    }
}
