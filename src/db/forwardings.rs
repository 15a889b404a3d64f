//! Forwardings of a case to divisions (domain::handling), stored one row each and written back
//! with the case's change in the same transaction.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::CorruptValue;
use super::schema::forwardings as f;
use super::DbConnection;
use crate::domain::case::ApplicationId;
use crate::domain::handling::Forwarding;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = f, treat_none_as_null = true)]
pub struct ForwardingRow {
    pub application_id: ApplicationId,
    pub label: String,
    pub division_id: String,
    pub asked: String,
    pub forwarded_on: NaiveDate,
    pub forwarded_by: Option<String>,
    pub due_on: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub replied_by: Option<String>,
    /// The division's reply (JSON).
    pub reply: Option<String>,
}

impl ForwardingRow {
    fn of(application_id: &ApplicationId, fw: &Forwarding) -> Self {
        Self {
            application_id: application_id.clone(),
            label: fw.id.clone(),
            division_id: fw.division_id.clone(),
            asked: fw.asked.clone(),
            forwarded_on: fw.forwarded_on,
            forwarded_by: fw.forwarded_by.clone(),
            due_on: fw.due_on,
            replied_on: fw.replied_on,
            replied_by: fw.replied_by.clone(),
            reply: fw
                .reply
                .as_ref()
                .map(|r| serde_json::to_string(r).expect("replies serialise")),
        }
    }

    pub fn forwarding(&self) -> Result<Forwarding, CorruptValue> {
        let reply = match &self.reply {
            Some(text) => Some(serde_json::from_str(text).map_err(|_| CorruptValue {
                column: "forwardings.reply",
                value: text.clone(),
            })?),
            None => None,
        };
        Ok(Forwarding {
            id: self.label.clone(),
            division_id: self.division_id.clone(),
            asked: self.asked.clone(),
            forwarded_on: self.forwarded_on,
            forwarded_by: self.forwarded_by.clone(),
            due_on: self.due_on,
            replied_on: self.replied_on,
            replied_by: self.replied_by.clone(),
            reply,
        })
    }
}

/// A case's forwardings, in the order forwarded (labels f1, f2, … sort by their number).
pub fn of_case(conn: &mut DbConnection, id: &ApplicationId) -> QueryResult<Vec<ForwardingRow>> {
    let mut rows: Vec<ForwardingRow> = f::table
        .filter(f::application_id.eq(id))
        .select(ForwardingRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| label_number(&r.label));
    Ok(rows)
}

/// The forwardings of several cases at once (a page of the queue, an export chunk).
pub fn of_cases(conn: &mut DbConnection, ids: &[ApplicationId]) -> QueryResult<Vec<ForwardingRow>> {
    let mut rows: Vec<ForwardingRow> = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            f::table
                .filter(f::application_id.eq_any(chunk))
                .select(ForwardingRow::as_select())
                .load::<ForwardingRow>(conn)?,
        );
    }
    rows.sort_by(|a, b| {
        (&a.application_id, label_number(&a.label))
            .cmp(&(&b.application_id, label_number(&b.label)))
    });
    Ok(rows)
}

fn label_number(label: &str) -> u32 {
    label.trim_start_matches('f').parse().unwrap_or(u32::MAX)
}

/// Writes what a step changed: new forwardings inserted, replied ones updated.
pub fn write_changes(
    conn: &mut DbConnection,
    id: &ApplicationId,
    before: &[Forwarding],
    after: &[Forwarding],
) -> QueryResult<()> {
    for fw in after {
        let row = ForwardingRow::of(id, fw);
        match before.iter().find(|b| b.id == fw.id) {
            None => {
                diesel::insert_into(f::table).values(&row).execute(conn)?;
            }
            Some(old) if old != fw => {
                diesel::update(f::table.find((id, &fw.id)))
                    .set(&row)
                    .execute(conn)?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The forwardings an office made between two days (inclusive), for its statistics.
pub fn forwarded_between(
    conn: &mut DbConnection,
    agency_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<crate::domain::handling::Forwarded>> {
    use super::schema::{applications as a, divisions as d};
    type Row = (
        String,
        NaiveDate,
        NaiveDate,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = f::table
        .inner_join(d::table)
        .inner_join(a::table)
        .filter(d::agency_id.eq(agency_id))
        .filter(f::forwarded_on.between(from, to))
        .select((
            f::division_id,
            f::forwarded_on,
            f::due_on,
            f::replied_on,
            a::closed_on,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(division_id, forwarded_on, due_on, replied_on, case_closed_on)| {
                crate::domain::handling::Forwarded {
                    division_id,
                    forwarded_on,
                    due_on,
                    replied_on,
                    case_closed_on,
                }
            },
        )
        .collect())
}

/// Whether a case was forwarded to a division (so its staff may read it).
pub fn forwarded_to(
    conn: &mut DbConnection,
    id: &ApplicationId,
    division_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        f::table
            .filter(f::application_id.eq(id))
            .filter(f::division_id.eq(division_id)),
    ))
    .get_result(conn)
}
