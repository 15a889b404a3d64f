//! The answer letter: written once, in the delivery transaction, and read back as stored.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::auth::authenticate;
use super::{ServiceError, Services};
use crate::db::models::{ApplicationRow, Document};
use crate::db::{documents, staff, DbConnection};
use crate::domain::letter::{self, LetterFile, LetterInput};
use crate::security::sha256_hex;

pub const ANSWER_LETTER: &str = "answer_letter";

/// Renders the approved answer into the letter and stores it, immutable, with its hash. An office
/// with a document-number prefix gives the letter the next number of its series for the year of
/// delivery (the 成文日期), in this, the delivery's transaction.
pub fn write_answer_letter(
    conn: &mut DbConnection,
    case: &ApplicationRow,
    delivered_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let decision = case.case()?.decision.ok_or_else(|| {
        ServiceError::Internal(format!("case {} is approved but has no decision", case.id))
    })?;
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let document_number = match agency.letter_prefix.as_deref() {
        Some(prefix) => {
            let year = delivered_on.year();
            let n = documents::next_letter_number(conn, &agency.id, year)?;
            Some(letter::document_number(prefix, year, n))
        }
        None => None,
    };
    // The files this delivery marked delivered (the event before the letter listed them).
    let files = letter_files(conn, case, true)?;
    let input = input(
        (&agency, &files),
        case,
        &decision,
        document_number.as_deref(),
        delivered_on,
    );
    let (html, text) = (letter::html(&input), letter::text(&input));
    let sha256 = sha256_hex(format!("{text}\n{html}").as_bytes());
    documents::insert(
        conn,
        &Document {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: case.id.clone(),
            kind: ANSWER_LETTER.into(),
            html,
            text,
            sha256,
            created_at: now.naive_utc(),
            document_number,
        },
    )?;
    Ok(())
}

/// The files the letter names: those delivered (`delivered`), or those an answer delivered
/// now would carry (the preview).
fn letter_files(
    conn: &mut DbConnection,
    case: &ApplicationRow,
    delivered: bool,
) -> Result<Vec<LetterFile>, ServiceError> {
    let rows = match delivered {
        true => crate::db::attachments::of_case(conn, &case.id)?
            .into_iter()
            .filter(|a| a.delivered_at.is_some())
            .collect(),
        false => super::attachments::to_deliver(conn, &case.id)?,
    };
    Ok(rows
        .into_iter()
        .map(|a| LetterFile {
            name: a.name,
            sha256: a.sha256,
        })
        .collect())
}

fn input<'a>(
    (agency, files): (&'a crate::db::models::Agency, &'a [LetterFile]),
    case: &'a ApplicationRow,
    decision: &'a crate::domain::decision::ProposeDecision,
    document_number: Option<&'a str>,
    delivered_on: NaiveDate,
) -> LetterInput<'a> {
    LetterInput {
        agency_name: &agency.name,
        tracking_number: &case.tracking_number,
        document_number,
        reconsideration_body: agency.reconsideration_body.as_deref(),
        court: agency.court.as_deref(),
        applicant_name: &case.applicant.name,
        received_on: case.clock.corrected_received_on.or(case.clock.received_on),
        description: &case.handling.description,
        decision,
        delivered_on,
        files,
    }
}

/// The letter the drafted answer would make if delivered on `on` (its text), for staff to read
/// before approving and delivering; none without a draft. Nothing is stored or numbered: the
/// number comes with delivery.
pub fn preview(
    conn: &mut DbConnection,
    case: &ApplicationRow,
    on: NaiveDate,
) -> Result<Option<String>, ServiceError> {
    let Some(decision) = case.case()?.decision else {
        return Ok(None);
    };
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let files = letter_files(conn, case, false)?;
    Ok(Some(letter::text(&input(
        (&agency, &files),
        case,
        &decision,
        None,
        on,
    ))))
}

/// The delivered answer letter of a case the caller may see.
pub fn answer_letter(
    services: &Services,
    token: Option<&str>,
    id: &str,
) -> Result<Document, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let case = super::cases::visible_part(
        conn,
        &principal,
        id,
        crate::domain::visibility::Part::Letter,
    )?;
    documents::of_kind(conn, &case.id, ANSWER_LETTER)?.ok_or(ServiceError::NoLetter)
}
