//! Files attached to cases, held in the database: each content once, by its SHA-256, in chunks
//! of at most `CHUNK` bytes, so that a file is written and read a chunk at a time and one
//! transaction (and one backup) covers a case and its files.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{attachments, file_chunks, files, notice_attachments};
use super::DbConnection;
use crate::domain::attachment::{Held, Kind, Purpose, Source};
use crate::domain::case::ApplicationId;
use crate::domain::workflow::Role;

/// The largest piece of a file kept in one row (1 MiB).
pub const CHUNK: usize = 1024 * 1024;

/// A file attached to a case, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: String,
    pub application_id: ApplicationId,
    pub sha256: String,
    /// The name it was given (made safe: `attachment::file_name`).
    pub name: String,
    /// What its content is (never what its name says).
    pub kind: Kind,
    pub size: i64,
    pub source: Source,
    pub purpose: Purpose,
    /// The file this one is the redacted version of (art. 37).
    pub redacts: Option<String>,
    pub staff_only: bool,
    pub uploaded_at: NaiveDateTime,
    pub uploaded_by_role: Role,
    pub uploaded_by_id: Option<String>,
    pub uploaded_by_name: Option<String>,
    /// The event that recorded the upload.
    pub event_seq: i32,
    pub delivered_at: Option<NaiveDateTime>,
    /// The delivery's event.
    pub delivered_seq: Option<i32>,
}

impl AttachmentRow {
    pub fn held(&self) -> Held {
        Held {
            purpose: self.purpose,
            staff_only: self.staff_only,
            delivered: self.delivered_at.is_some(),
            is_redaction: self.redacts.is_some(),
        }
    }
}

/// Stores a file's content under its SHA-256 unless it is there already (the same scan
/// attached twice is kept once). `chunks` are the file in order, each at most `CHUNK` bytes.
pub fn store_content(
    conn: &mut DbConnection,
    sha256: &str,
    size: i64,
    chunks: &[Vec<u8>],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let held: Option<String> = files::table
        .find(sha256)
        .select(files::sha256)
        .first(conn)
        .optional()?;
    if held.is_some() {
        return Ok(());
    }
    let count = i32::try_from(chunks.len()).unwrap_or(i32::MAX);
    diesel::insert_into(files::table)
        .values((
            files::sha256.eq(sha256),
            files::size.eq(size),
            files::chunks.eq(count),
            files::created_at.eq(now),
        ))
        .execute(conn)?;
    for (seq, data) in (0..).zip(chunks) {
        diesel::insert_into(file_chunks::table)
            .values((
                file_chunks::sha256.eq(sha256),
                file_chunks::seq.eq(seq),
                file_chunks::data.eq(data.as_slice()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert(conn: &mut DbConnection, row: &AttachmentRow) -> QueryResult<()> {
    diesel::insert_into(attachments::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A case's files, oldest first.
pub fn of_case(
    conn: &mut DbConnection,
    application_id: &ApplicationId,
) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::application_id.eq(application_id))
        .order(attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)
}

pub fn by_id(
    conn: &mut DbConnection,
    application_id: &ApplicationId,
    id: &str,
) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .find(id)
        .filter(attachments::application_id.eq(application_id))
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()
}

/// What a case's files weigh together, in bytes (the per-case limit counts every upload).
pub fn held_bytes(conn: &mut DbConnection, application_id: &ApplicationId) -> QueryResult<u64> {
    let sizes: Vec<i64> = attachments::table
        .filter(attachments::application_id.eq(application_id))
        .select(attachments::size)
        .load(conn)?;
    Ok(sizes.iter().map(|s| u64::try_from(*s).unwrap_or(0)).sum())
}

/// An original whose redacted version is attached stays with the office (art. 37).
pub fn withhold(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::update(attachments::table.find(id))
        .set(attachments::staff_only.eq(true))
        .execute(conn)
        .map(drop)
}

/// Marks files delivered by the delivery event `seq`.
pub fn mark_delivered(
    conn: &mut DbConnection,
    ids: &[String],
    at: NaiveDateTime,
    seq: i32,
) -> QueryResult<()> {
    diesel::update(attachments::table.filter(attachments::id.eq_any(ids)))
        .filter(attachments::delivered_at.is_null())
        .set((
            attachments::delivered_at.eq(at),
            attachments::delivered_seq.eq(seq),
        ))
        .execute(conn)
        .map(drop)
}

/// One chunk of a file's content (`None` past its end).
pub fn chunk(conn: &mut DbConnection, sha256: &str, seq: i32) -> QueryResult<Option<Vec<u8>>> {
    file_chunks::table
        .find((sha256, seq))
        .select(file_chunks::data)
        .first(conn)
        .optional()
}

/// How many chunks a file has.
pub fn chunk_count(conn: &mut DbConnection, sha256: &str) -> QueryResult<i32> {
    files::table.find(sha256).select(files::chunks).first(conn)
}

/// The files an outgoing notice carries.
pub fn attach_to_notice(
    conn: &mut DbConnection,
    notice_id: &str,
    attachment_ids: &[String],
) -> QueryResult<()> {
    for id in attachment_ids {
        diesel::insert_into(notice_attachments::table)
            .values((
                notice_attachments::notice_id.eq(notice_id),
                notice_attachments::attachment_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn of_notice(conn: &mut DbConnection, notice_id: &str) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .inner_join(
            notice_attachments::table.on(notice_attachments::attachment_id.eq(attachments::id)),
        )
        .filter(notice_attachments::notice_id.eq(notice_id))
        .order(attachments::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// Every stored file's SHA-256 and its chunks' count, for the audit's check of contents.
pub fn all_contents(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64, i32)>> {
    files::table
        .order(files::sha256.asc())
        .select((files::sha256, files::size, files::chunks))
        .load(conn)
}
