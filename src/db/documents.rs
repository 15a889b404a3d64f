//! Documents produced for a case (the answer letter): written once, never changed (the
//! database refuses UPDATE and DELETE on them).

use diesel::prelude::*;

use super::models::Document;
use super::schema::{documents, letter_counters};
use super::DbConnection;
use crate::domain::case::ApplicationId;

pub fn insert(conn: &mut DbConnection, doc: &Document) -> QueryResult<()> {
    diesel::insert_into(documents::table)
        .values(doc)
        .execute(conn)
        .map(drop)
}

pub fn of_kind(
    conn: &mut DbConnection,
    application_id: &ApplicationId,
    kind: &str,
) -> QueryResult<Option<Document>> {
    documents::table
        .filter(documents::application_id.eq(application_id))
        .filter(documents::kind.eq(kind))
        .select(Document::as_select())
        .first(conn)
        .optional()
}

/// The next number in an office's yearly series of answer letters (发文字号), taken inside the
/// delivery transaction so the series has no gaps: a delivery that rolls back gives its number
/// back. The increment is one conditional update of the office's row for the year, which on
/// PostgreSQL locks the row until the delivery commits, so concurrent deliveries on several
/// instances queue on it and each reads the value the one before it committed (on SQLite the
/// write transaction already serialises them). The first letter of a year inserts the row; two
/// first letters racing there lose on the primary key and `write_tx` starts the loser again.
pub fn next_letter_number(conn: &mut DbConnection, agency_id: &str, year: i32) -> QueryResult<i32> {
    let key = letter_counters::table
        .filter(letter_counters::agency_id.eq(agency_id))
        .filter(letter_counters::year.eq(year));
    let next: Option<i32> = diesel::update(key)
        .set(letter_counters::last_number.eq(letter_counters::last_number + 1))
        .returning(letter_counters::last_number)
        .get_result(conn)
        .optional()?;
    if let Some(n) = next {
        return Ok(n);
    }
    diesel::insert_into(letter_counters::table)
        .values((
            letter_counters::agency_id.eq(agency_id),
            letter_counters::year.eq(year),
            letter_counters::last_number.eq(1),
        ))
        .execute(conn)?;
    Ok(1)
}
