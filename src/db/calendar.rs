//! The official calendar as loaded, offices' local days off, and the calendar revision that
//! tells every instance when its cached calendar is stale.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::models::{CalendarLoad, CalendarYear};
use super::schema::{calendar_loads, calendar_years, local_days_off, settings};
use super::DbConnection;
use crate::domain::calendar::LocalDayOff;

const REVISION: &str = "calendar_revision";

pub fn years(conn: &mut DbConnection) -> QueryResult<Vec<CalendarYear>> {
    calendar_years::table
        .order(calendar_years::year.asc())
        .select(CalendarYear::as_select())
        .load(conn)
}

pub fn year(conn: &mut DbConnection, year: i32) -> QueryResult<Option<CalendarYear>> {
    calendar_years::table
        .find(year)
        .select(CalendarYear::as_select())
        .first(conn)
        .optional()
}

/// Audits a calendar load (national or an office's days off), in the load's transaction.
pub fn insert_load(conn: &mut DbConnection, load: &CalendarLoad) -> QueryResult<()> {
    diesel::insert_into(calendar_loads::table)
        .values(load)
        .execute(conn)
        .map(drop)
}

/// Calendar loads, newest first: all, or the national calendar's and one office's.
pub fn loads(conn: &mut DbConnection, agency_id: Option<&str>) -> QueryResult<Vec<CalendarLoad>> {
    let mut q = calendar_loads::table
        .select(CalendarLoad::as_select())
        .into_boxed();
    if let Some(a) = agency_id {
        q = q.filter(
            calendar_loads::agency_id
                .is_null()
                .or(calendar_loads::agency_id.eq(a)),
        );
    }
    // Ids are time-ordered (UUIDv7): the order the loads were made in.
    q.order(calendar_loads::id.desc()).load(conn)
}

pub fn loaded_year_numbers(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    calendar_years::table
        .select(calendar_years::year)
        .load(conn)
}

/// Replaces a year's notice whole.
pub fn put_year(conn: &mut DbConnection, row: &CalendarYear) -> QueryResult<()> {
    diesel::delete(calendar_years::table.find(row.year)).execute(conn)?;
    diesel::insert_into(calendar_years::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The days off of several offices at once, by office id, each in date order.
pub fn local_days_of(
    conn: &mut DbConnection,
    agency_ids: &[&str],
) -> QueryResult<Vec<(String, LocalDayOff)>> {
    local_days_off::table
        .filter(local_days_off::agency_id.eq_any(agency_ids))
        .order((local_days_off::agency_id.asc(), local_days_off::date.asc()))
        .select((
            local_days_off::agency_id,
            local_days_off::date,
            local_days_off::name,
        ))
        .load::<(String, NaiveDate, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(agency, date, name)| (agency, LocalDayOff { date, name }))
                .collect()
        })
}

pub fn local_days(conn: &mut DbConnection, agency_id: &str) -> QueryResult<Vec<LocalDayOff>> {
    local_days_off::table
        .filter(local_days_off::agency_id.eq(agency_id))
        .order(local_days_off::date.asc())
        .select((local_days_off::date, local_days_off::name))
        .load::<(NaiveDate, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(date, name)| LocalDayOff { date, name })
                .collect()
        })
}

/// Replaces an office's local days off in one year.
pub fn put_local_days(
    conn: &mut DbConnection,
    agency_id: &str,
    year: i32,
    days: &[LocalDayOff],
) -> QueryResult<()> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
    diesel::delete(
        local_days_off::table
            .filter(local_days_off::agency_id.eq(agency_id))
            .filter(local_days_off::date.between(first, last)),
    )
    .execute(conn)?;
    for d in days.iter().filter(|d| d.date.year() == year) {
        diesel::insert_into(local_days_off::table)
            .values((
                local_days_off::agency_id.eq(agency_id),
                local_days_off::date.eq(d.date),
                local_days_off::name.eq(&d.name),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn revision(conn: &mut DbConnection) -> QueryResult<i64> {
    let value: Option<String> = settings::table
        .find(REVISION)
        .select(settings::value)
        .first(conn)
        .optional()?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Marks the calendar changed; called in the transaction that changes it.
pub fn bump_revision(conn: &mut DbConnection) -> QueryResult<i64> {
    let next = revision(conn)? + 1;
    let updated = diesel::update(settings::table.find(REVISION))
        .set(settings::value.eq(next.to_string()))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table)
            .values((
                settings::name.eq(REVISION),
                settings::value.eq(next.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(next)
}
