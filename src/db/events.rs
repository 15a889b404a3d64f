//! The append-only event log of each case.

use diesel::prelude::*;

use super::models::EventRow;
use super::schema::events;
use super::DbConnection;

pub fn insert(conn: &mut DbConnection, event: &EventRow) -> QueryResult<()> {
    diesel::insert_into(events::table)
        .values(event)
        .execute(conn)
        .map(drop)
}

pub fn for_application(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::application_id.eq(application_id))
        .order(events::seq.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// Appends many events in multi-row statements.
pub fn insert_many(conn: &mut DbConnection, list: &[EventRow]) -> QueryResult<()> {
    for chunk in list.chunks(500) {
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(events::table)
                .values(chunk)
                .execute(c)?,
            DbConnection::Postgres(c) => diesel::insert_into(events::table)
                .values(chunk)
                .execute(c)?,
        };
    }
    Ok(())
}
