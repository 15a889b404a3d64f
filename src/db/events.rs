//! The append-only event log of each case.

use diesel::prelude::*;

use super::models::EventRow;
use super::schema::events;
use super::DbConnection;
use crate::domain::case::ApplicationId;

/// Appends an event to its case's chain. The caller holds the case's row lock (it has just
/// taken the event's number), so the event before it is committed and no other can slip in.
pub fn insert(conn: &mut DbConnection, event: &EventRow) -> QueryResult<()> {
    let prev = if event.seq > 1 {
        events::table
            .filter(events::application_id.eq(&event.application_id))
            .filter(events::seq.eq(event.seq - 1))
            .select(events::hash)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten()
    } else {
        None
    };
    let mut event = event.clone();
    event.chain_to(prev.as_deref());
    diesel::insert_into(events::table)
        .values(&event)
        .execute(conn)
        .map(drop)
}

/// The hash of each case's last event, for appending to many cases at once (the recompute);
/// cases with no events are absent.
pub fn heads(
    conn: &mut DbConnection,
    application_ids: &[&ApplicationId],
) -> QueryResult<std::collections::HashMap<ApplicationId, String>> {
    use super::schema::applications as a;
    let mut out = std::collections::HashMap::with_capacity(application_ids.len());
    for chunk in application_ids.chunks(500) {
        let rows: Vec<(ApplicationId, Option<String>)> = events::table
            .inner_join(
                a::table.on(a::id
                    .eq(events::application_id)
                    .and(a::event_seq.eq(events::seq))),
            )
            .filter(a::id.eq_any(chunk))
            .select((events::application_id, events::hash))
            .load(conn)?;
        out.extend(rows.into_iter().filter_map(|(id, h)| Some((id, h?))));
    }
    Ok(out)
}

pub fn for_application(
    conn: &mut DbConnection,
    application_id: &ApplicationId,
) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::application_id.eq(application_id))
        .order(events::seq.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// Appends many events, already chained (`EventRow::chain_to`), in multi-row statements.
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
