//! Documents produced for a case (the answer letter): written once, never changed (the
//! database refuses UPDATE and DELETE on them).

use diesel::prelude::*;

use super::models::Document;
use super::schema::documents;
use super::DbConnection;

pub fn insert(conn: &mut DbConnection, doc: &Document) -> QueryResult<()> {
    diesel::insert_into(documents::table)
        .values(doc)
        .execute(conn)
        .map(drop)
}

pub fn of_kind(
    conn: &mut DbConnection,
    application_id: &str,
    kind: &str,
) -> QueryResult<Option<Document>> {
    documents::table
        .filter(documents::application_id.eq(application_id))
        .filter(documents::kind.eq(kind))
        .select(Document::as_select())
        .first(conn)
        .optional()
}
