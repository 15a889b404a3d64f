//! The register of documents: entries, their status history (append-only), the documents each
//! case names, and the annual review's decisions.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    applications, case_register_entries as links, register_entries as entries,
    register_review_decisions as decisions, register_status_changes as changes,
};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = entries)]
pub struct EntryRow {
    pub id: String,
    pub agency_id: String,
    pub document_number: String,
    pub title: String,
    pub issued_by: String,
    pub division_id: Option<String>,
    pub issued_on: NaiveDate,
    pub status: String,
    pub grounds: Option<String>,
    pub reasons: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub entry_id: String,
    pub seq: i32,
    pub status: String,
    pub grounds: Option<String>,
    pub reasons: Option<String>,
    pub source: String,
    pub changed_by: Option<String>,
    pub changed_by_name: Option<String>,
    pub changed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = links)]
pub struct LinkRow {
    pub application_id: String,
    pub entry_id: String,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = decisions)]
pub struct DecisionRow {
    pub id: String,
    pub agency_id: String,
    pub entry_id: String,
    pub decision: String,
    pub reason: String,
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &EntryRow) -> QueryResult<()> {
    diesel::insert_into(entries::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// An entry's descriptive fields (title, issuer, date): not its status, which changes only
/// with a history row (`set_status`).
pub fn update_details(conn: &mut DbConnection, row: &EntryRow) -> QueryResult<()> {
    diesel::update(entries::table.find(&row.id))
        .set((
            entries::title.eq(&row.title),
            entries::issued_by.eq(&row.issued_by),
            entries::division_id.eq(&row.division_id),
            entries::issued_on.eq(row.issued_on),
            entries::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Appends a status change to the entry's history and makes it the entry's status now.
pub fn set_status(conn: &mut DbConnection, change: &ChangeRow) -> QueryResult<()> {
    diesel::insert_into(changes::table)
        .values(change)
        .execute(conn)?;
    diesel::update(entries::table.find(&change.entry_id))
        .set((
            entries::status.eq(&change.status),
            entries::grounds.eq(&change.grounds),
            entries::reasons.eq(&change.reasons),
            entries::updated_at.eq(change.changed_at),
        ))
        .execute(conn)
        .map(drop)
}

/// The next number in an entry's history (1 for the first).
pub fn next_seq(conn: &mut DbConnection, entry_id: &str) -> QueryResult<i32> {
    let last: Option<i32> = changes::table
        .filter(changes::entry_id.eq(entry_id))
        .select(diesel::dsl::max(changes::seq))
        .first(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

/// An office's entries, by date issued (newest first) and number; of one status if given.
pub fn of_agency(
    conn: &mut DbConnection,
    agency_id: &str,
    status: Option<&str>,
) -> QueryResult<Vec<EntryRow>> {
    let mut q = entries::table
        .filter(entries::agency_id.eq(agency_id))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(entries::status.eq(s.to_owned()));
    }
    q.order((entries::issued_on.desc(), entries::document_number.asc()))
        .select(EntryRow::as_select())
        .load(conn)
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<EntryRow>> {
    entries::table
        .find(id)
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_number(
    conn: &mut DbConnection,
    agency_id: &str,
    number: &str,
) -> QueryResult<Option<EntryRow>> {
    entries::table
        .filter(entries::agency_id.eq(agency_id))
        .filter(entries::document_number.eq(number))
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

pub fn history(conn: &mut DbConnection, entry_id: &str) -> QueryResult<Vec<ChangeRow>> {
    changes::table
        .filter(changes::entry_id.eq(entry_id))
        .order(changes::seq.asc())
        .select(ChangeRow::as_select())
        .load(conn)
}

/// The documents a case names, with their entries.
pub fn of_case(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Vec<(LinkRow, EntryRow)>> {
    links::table
        .inner_join(entries::table)
        .filter(links::application_id.eq(application_id))
        .order(entries::document_number.asc())
        .select((LinkRow::as_select(), EntryRow::as_select()))
        .load(conn)
}

/// Replaces the documents a case names.
pub fn replace_case_links(
    conn: &mut DbConnection,
    application_id: &str,
    rows: &[LinkRow],
) -> QueryResult<()> {
    diesel::delete(links::table.filter(links::application_id.eq(application_id))).execute(conn)?;
    for row in rows {
        diesel::insert_into(links::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// One case naming one document of an office, as the review reads it.
pub struct NamingRow {
    pub entry_id: String,
    pub link_outcome: Option<String>,
    pub application_id: String,
    pub received_on: Option<NaiveDate>,
    pub registered_on: NaiveDate,
    pub id_number_hash: String,
    pub status: String,
    pub outcome: Option<String>,
}

/// Every case naming a document of the office, received (or registered) from `from` on.
pub fn namings(
    conn: &mut DbConnection,
    agency_id: &str,
    from: NaiveDate,
) -> QueryResult<Vec<NamingRow>> {
    type Row = (
        String,
        Option<String>,
        String,
        Option<NaiveDate>,
        NaiveDate,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = links::table
        .inner_join(entries::table)
        .inner_join(applications::table)
        .filter(entries::agency_id.eq(agency_id))
        .filter(
            applications::received_on
                .ge(from)
                .or(applications::received_on
                    .is_null()
                    .and(applications::registered_on.ge(from))),
        )
        .select((
            links::entry_id,
            links::outcome,
            applications::id,
            applications::received_on,
            applications::registered_on,
            applications::id_number_hash,
            applications::status,
            applications::outcome,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| NamingRow {
            entry_id: r.0,
            link_outcome: r.1,
            application_id: r.2,
            received_on: r.3,
            registered_on: r.4,
            id_number_hash: r.5,
            status: r.6,
            outcome: r.7,
        })
        .collect())
}

pub fn insert_decision(conn: &mut DbConnection, row: &DecisionRow) -> QueryResult<()> {
    diesel::insert_into(decisions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn decisions_of(conn: &mut DbConnection, entry_id: &str) -> QueryResult<Vec<DecisionRow>> {
    decisions::table
        .filter(decisions::entry_id.eq(entry_id))
        .order(decisions::id.asc())
        .select(DecisionRow::as_select())
        .load(conn)
}

pub fn set_review_threshold(
    conn: &mut DbConnection,
    agency_id: &str,
    threshold: i32,
) -> QueryResult<()> {
    use super::schema::agencies;
    diesel::update(agencies::table.find(agency_id))
        .set(agencies::register_review_threshold.eq(threshold))
        .execute(conn)
        .map(drop)
}
