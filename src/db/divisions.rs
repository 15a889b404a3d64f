//! Divisions (处室) of an office, and the office's staffing as the workflow reads it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{divisions, users};
use super::DbConnection;
use crate::domain::handling::{Division, Member, Staffing};
use crate::domain::workflow::Role;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = divisions)]
pub struct DivisionRow {
    pub id: String,
    pub agency_id: String,
    pub code: String,
    pub name: String,
    pub created_at: NaiveDateTime,
}

impl DivisionRow {
    pub fn division(&self) -> Division {
        Division {
            id: self.id.clone(),
            code: self.code.clone(),
            name: self.name.clone(),
        }
    }
}

pub fn insert(conn: &mut DbConnection, row: &DivisionRow) -> QueryResult<()> {
    diesel::insert_into(divisions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// An office's divisions, by code.
pub fn of_agency(conn: &mut DbConnection, agency_id: &str) -> QueryResult<Vec<DivisionRow>> {
    divisions::table
        .filter(divisions::agency_id.eq(agency_id))
        .order(divisions::code.asc())
        .select(DivisionRow::as_select())
        .load(conn)
}

pub fn by_code(
    conn: &mut DbConnection,
    agency_id: &str,
    code: &str,
) -> QueryResult<Option<DivisionRow>> {
    divisions::table
        .filter(divisions::agency_id.eq(agency_id))
        .filter(divisions::code.eq(code.trim().to_uppercase()))
        .select(DivisionRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<DivisionRow>> {
    divisions::table
        .find(id)
        .select(DivisionRow::as_select())
        .first(conn)
        .optional()
}

/// The office's active staff and its divisions: what the workflow needs to know of who may
/// handle, reply and approve.
pub fn staffing(conn: &mut DbConnection, agency_id: &str) -> QueryResult<Staffing> {
    let rows: Vec<(String, String, Role, Option<String>, i32)> = users::table
        .filter(users::agency_id.eq(agency_id))
        .filter(users::disabled_at.is_null())
        .order(users::id.asc())
        .select((
            users::id,
            users::name,
            users::role,
            users::division_id,
            users::approval_level,
        ))
        .load(conn)?;
    let members = rows
        .into_iter()
        .map(|(id, name, role, division_id, level)| Member {
            id,
            name,
            role,
            division_id,
            approval_level: u8::try_from(level).unwrap_or(1),
        })
        .collect();
    let divisions = of_agency(conn, agency_id)?
        .iter()
        .map(DivisionRow::division)
        .collect();
    Ok(Staffing { members, divisions })
}
