//! Files attached to a case (issue 17): the applicant's (with the application, a correction, a
//! proof) and the office's (the information disclosed, the letter's annexes, working files).
//! An upload is checked before anything is stored (its kind by content, its size as it arrives,
//! who may attach what); the file, its record and an `attach_file` event carrying its SHA-256
//! are then written in one transaction, so the hash chain proves what was attached and when.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::auth::{authenticate, Principal};
use super::cases::visible_part;
use super::{ServiceError, Services};
use crate::db::attachments::{self as files, AttachmentRow};
use crate::db::models::{ApplicationRow, EventRow};
use crate::db::{cases, events, DbConnection};
use crate::domain::attachment::{self, Kind, Limits, Placement, Purpose, Source};
use crate::domain::message::Message;
use crate::domain::problem_code::ProblemCode;
use crate::domain::visibility::{self, Part};
use crate::domain::workflow::Role;
use crate::msg;

/// The deployment's limits on files (`gongkai serve --file-limit-mib` and the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSettings {
    pub limits: Limits,
    /// The answer e-mail carries the delivered files when together they are at most this many
    /// bytes (default 10 MiB); otherwise it tells the applicant where to download them.
    pub email_limit: u64,
}

impl Default for FileSettings {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            email_limit: 10 * 1024 * 1024,
        }
    }
}

/// A file as the HTTP layer received it: its kind known from its content, its size within the
/// limits, its SHA-256 computed as it arrived, held in memory once, in chunks of at most
/// `db::attachments::CHUNK` bytes.
#[derive(Debug)]
pub struct Received {
    pub name: String,
    pub kind: Kind,
    pub sha256: String,
    pub size: u64,
    pub chunks: Vec<Vec<u8>>,
}

/// What the uploader says the file is.
#[derive(Debug, Clone)]
pub struct Intent {
    pub purpose: Purpose,
    /// The file (its id) this one is the redacted version of.
    pub redacts: Option<String>,
}

/// Whether the caller may attach to the case at all, checked before the body is read, and
/// what the case holds already (the per-case limit counts it).
#[derive(Debug, Clone, Copy)]
pub struct Admission {
    pub source: Source,
    pub held: u64,
    pub limits: Limits,
}

/// Who gives files: the applicant of the case, or a clerk or approver of its office (not a
/// division's staff, who answer the office; auditors and admins read only).
fn source_of(p: &Principal) -> Result<Source, ServiceError> {
    match p {
        Principal::Applicant { .. } => Ok(Source::Applicant),
        Principal::Staff(_) => {
            super::auth::require_staff(p, &[Role::Clerk, Role::Approver])?;
            Ok(Source::Office)
        }
    }
}

fn closed() -> ServiceError {
    ServiceError::Conflict(
        ProblemCode::FilesClosed,
        Message::new(
            "案件已办结，不能再添加文件",
            "the case is closed: it takes no more files",
        ),
    )
}

/// The case the principal may attach to or read the files of (`Part::Attachments`).
fn case_of(
    conn: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<ApplicationRow, ServiceError> {
    visible_part(conn, principal, id, Part::Attachments)
}

pub fn admit(
    services: &Services,
    token: Option<&str>,
    id: &str,
) -> Result<Admission, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let case = case_of(conn, &principal, id)?;
    let source = source_of(&principal)?;
    if case.status().is_terminal() {
        return Err(closed());
    }
    Ok(Admission {
        source,
        held: files::held_bytes(conn, &case.id)?,
        limits: services.files.limits,
    })
}

fn invalid(field: &str, code: &str, message: Message) -> ServiceError {
    ServiceError::invalid(field, code, message)
}

/// Attaches a received file: checked again inside the transaction (the case may have closed
/// or filled meanwhile), then the content, the record and the event are written together.
pub fn attach(
    services: &Services,
    token: Option<&str>,
    id: &str,
    intent: Intent,
    file: Received,
    now: DateTime<Utc>,
) -> Result<(AttachmentRow, Principal), ServiceError> {
    let principal = authenticate(&mut *services.conn()?, token)?;
    let who = principal.clone();
    let (id, file) = (id.to_owned(), Arc::new(file));
    let limits = services.files.limits;
    let row = services.write(move |conn| {
        let case = case_of(conn, &principal, &id)?;
        record(conn, &case, &principal, &intent, &file, (limits, now))
    })?;
    Ok((row, who))
}

/// Writes a file onto a case in the caller's transaction, after the checks that need the case
/// as it stands: the limits with what it holds now, who may attach what, the file it redacts.
pub fn record(
    conn: &mut DbConnection,
    case: &ApplicationRow,
    principal: &Principal,
    intent: &Intent,
    file: &Received,
    (limits, now): (Limits, DateTime<Utc>),
) -> Result<AttachmentRow, ServiceError> {
    {
        let source = source_of(principal)?;
        let held = files::held_bytes(conn, &case.id)?;
        if let Err(refusal) = limits.check(file.size, held) {
            return Err(refused(refusal));
        }
        let original = match &intent.redacts {
            Some(rid) => Some(files::by_id(conn, &case.id, rid)?.ok_or_else(|| {
                invalid(
                    "redacts",
                    "unknown_attachment",
                    msg!("本案没有编号为 {rid} 的文件", "no file {rid} on this case"),
                )
            })?),
            None => None,
        };
        let placed = attachment::place(
            source,
            intent.purpose,
            case.status().is_terminal(),
            original.as_ref().map(AttachmentRow::held),
        )
        .map_err(|p| match p {
            Placement::CaseClosed => closed(),
            Placement::NotYours => invalid(
                "purpose",
                "not_yours",
                msg!(
                    "该用途的文件应由另一方提供",
                    "files for this purpose come from the other side"
                ),
            ),
            Placement::NotRedactable => invalid(
                "redacts",
                "not_redactable",
                msg!(
                    "只有本机关尚未送达的公开信息文件可以替换为删减版本，且只替换一次",
                    "only the office's undelivered information file can get a redacted version, once"
                ),
            ),
        })?;
        let size = i64::try_from(file.size).unwrap_or(i64::MAX);
        files::store_content(conn, &file.sha256, size, &file.chunks, now.naive_utc())?;
        let (seq, status) = cases::next_event_seq(conn, &case.id)?;
        let staff = principal.staff();
        let row = AttachmentRow {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: case.id.clone(),
            sha256: file.sha256.clone(),
            name: file.name.clone(),
            kind: file.kind,
            size,
            source,
            purpose: intent.purpose,
            redacts: intent.redacts.clone(),
            staff_only: placed.staff_only,
            uploaded_at: now.naive_utc(),
            uploaded_by_role: principal.role(),
            uploaded_by_id: staff.map(|s| s.id.clone()),
            uploaded_by_name: staff.map(|s| s.name.clone()),
            event_seq: seq,
            delivered_at: None,
            delivered_seq: None,
        };
        events::insert(conn, &upload_event(&row, status))?;
        files::insert(conn, &row)?;
        if let (true, Some(original)) = (placed.withholds_original, &original) {
            files::withhold(conn, &original.id)?;
        }
        Ok(row)
    }
}

/// The `attach_file` event: the hash chain covers the file's SHA-256 from here on.
fn upload_event(row: &AttachmentRow, status: crate::domain::case::Status) -> EventRow {
    EventRow {
        id: uuid::Uuid::now_v7().to_string(),
        application_id: row.application_id.clone(),
        seq: row.event_seq,
        occurred_at: row.uploaded_at,
        actor_role: row.uploaded_by_role,
        actor_id: row.uploaded_by_id.clone(),
        actor_name: row.uploaded_by_name.clone(),
        action: "attach_file".into(),
        status_before: Some(status),
        status_after: status,
        payload: json!({
            "attachment_id": row.id,
            "name": row.name,
            "kind": row.kind,
            "size": row.size,
            "sha256": row.sha256,
            "source": row.source,
            "purpose": row.purpose,
            "staff_only": row.staff_only,
            "redacts": row.redacts,
        })
        .to_string(),
        prev_hash: None,
        hash: None,
    }
}

/// The problem an upload over a limit or of a refused kind is answered with.
pub fn refused(r: attachment::Refusal) -> ServiceError {
    let mib = |b: u64| b / (1024 * 1024);
    match r {
        attachment::Refusal::FileTooLarge { limit } => {
            let m = mib(limit);
            ServiceError::Conflict(
                ProblemCode::FileTooLarge,
                msg!(
                    "文件超过单个文件 {m} MiB 的上限",
                    "the file is over the limit of {m} MiB a file"
                ),
            )
        }
        attachment::Refusal::CaseFull { limit, held } => {
            let (m, h) = (mib(limit), mib(held));
            ServiceError::Conflict(
                ProblemCode::CaseStorageFull,
                msg!(
                    "本案文件合计不能超过 {m} MiB（已有 {h} MiB）",
                    "a case's files may not pass {m} MiB together ({h} MiB held)"
                ),
            )
        }
        attachment::Refusal::KindNotAllowed => ServiceError::Conflict(
            ProblemCode::FileTypeNotAllowed,
            Message::new(
                "文件类型不被接受：只接受 PDF、图片、Office 文档、纯文本和 zip 压缩包（按内容识别，不看文件名）",
                "the file is none of the accepted kinds: PDF, images, office documents, plain text, zip (known by content, not by name)",
            ),
        ),
    }
}

/// The files of a case the principal may read: staff of the office all of them; the applicant
/// what `visibility::applicant_may_read_attachment` allows.
pub fn list(
    services: &Services,
    token: Option<&str>,
    id: &str,
) -> Result<(Principal, Vec<AttachmentRow>), ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let case = case_of(conn, &principal, id)?;
    let rows = files::of_case(conn, &case.id)?;
    Ok((principal.clone(), readable(&principal, rows)))
}

/// The one filter of files by reader, for the API and the pages alike.
pub fn readable(principal: &Principal, rows: Vec<AttachmentRow>) -> Vec<AttachmentRow> {
    if principal.staff().is_some() {
        return rows;
    }
    rows.into_iter()
        .filter(|a| {
            visibility::applicant_may_read_attachment(
                a.source,
                a.staff_only,
                a.delivered_at.is_some(),
            )
        })
        .collect()
}

/// One file the principal may read, by id: its record (the content is read chunk by chunk with
/// `content`). Anything else is "not found".
pub fn one(
    services: &Services,
    token: Option<&str>,
    id: &str,
    attachment_id: &str,
) -> Result<AttachmentRow, ServiceError> {
    let (_, rows) = list(services, token, id)?;
    rows.into_iter()
        .find(|a| a.id == attachment_id)
        .ok_or(ServiceError::NotFound)
}

/// Reads a file's content a chunk at a time, for a download streamed to the client.
pub fn content(
    services: &Services,
    sha256: &str,
    seq: i32,
) -> Result<Option<Vec<u8>>, ServiceError> {
    Ok(files::chunk(&mut *services.conn()?, sha256, seq)?)
}

/// The whole content of a file (for an e-mail, which lettre builds in memory).
pub fn whole(conn: &mut DbConnection, sha256: &str) -> Result<Vec<u8>, ServiceError> {
    let count = files::chunk_count(conn, sha256)?;
    let mut out = Vec::new();
    for seq in 0..count {
        let chunk = files::chunk(conn, sha256, seq)?.ok_or_else(|| {
            ServiceError::Internal(format!("file {sha256} lacks its chunk {seq}"))
        })?;
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The files an answer delivers (the office's information and annexes not staff-only), as the
/// delivery event lists them and the letter names them, oldest first.
pub fn to_deliver(
    conn: &mut DbConnection,
    case: &crate::domain::case::ApplicationId,
) -> Result<Vec<AttachmentRow>, ServiceError> {
    Ok(files::of_case(conn, case)?
        .into_iter()
        .filter(|a| attachment::delivered_with_answer(&a.held()))
        .collect())
}

/// What the delivery event and the answer's readers see of a delivered file.
pub fn delivered_entry(a: &AttachmentRow) -> serde_json::Value {
    json!({ "attachment_id": a.id, "name": a.name, "size": a.size, "sha256": a.sha256 })
}
