//! Web sessions and sign-in attempts (issue 15): rows keyed by the hash of the cookie's secret.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::User;
use super::schema::{sessions, sign_in_attempts, users};
use super::DbConnection;
use crate::domain::case::UserId;

/// The key prefix of the tracking page's attempts (`track:` and the tracking number).
pub const TRACK_PREFIX: &str = "track:";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: Option<String>,
    pub application_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sign_in_attempts)]
pub struct Attempt<'a> {
    pub id: String,
    pub login: &'a str,
    pub address: &'a str,
    pub attempted_at: NaiveDateTime,
    pub succeeded: bool,
}

pub fn insert(conn: &mut DbConnection, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn by_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<SessionRow>> {
    sessions::table.find(hash).first(conn).optional()
}

/// Moves the idle clock on; written at most once a minute per session, not per request.
pub fn touch(conn: &mut DbConnection, hash: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.find(hash))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(hash)).execute(conn)
}

/// Ends every session of a user (password changed, account disabled).
pub fn delete_of_user(conn: &mut DbConnection, user_id: &UserId) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id.as_str()))).execute(conn)
}

/// Ends every tracking session of an application (its access token was replaced).
pub fn delete_of_application(conn: &mut DbConnection, application_id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::application_id.eq(application_id)))
        .execute(conn)
}

/// Forgets sessions idle since before `before`.
pub fn delete_idle(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::last_seen_at.lt(before))).execute(conn)
}

pub fn user_by_login(conn: &mut DbConnection, login: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::login.eq(login))
        .first(conn)
        .optional()
}

pub fn set_login(conn: &mut DbConnection, id: &UserId, login: Option<&str>) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::login.eq(login))
        .execute(conn)
}

pub fn set_password_hash(conn: &mut DbConnection, id: &UserId, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
}

pub fn record_attempt(conn: &mut DbConnection, a: &Attempt<'_>) -> QueryResult<()> {
    diesel::insert_into(sign_in_attempts::table)
        .values(a)
        .execute(conn)
        .map(drop)
}

/// Failures since `since` for this login, and from this address among the attempts of the same
/// kind (the tracking page's, keyed `track:…`, or the console's): one address is limited per
/// page, so the console's typos never shut applicants out of the tracking page, or back.
pub fn failures_since(
    conn: &mut DbConnection,
    login: &str,
    address: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    let tracking = login.starts_with(TRACK_PREFIX);
    let failed = sign_in_attempts::succeeded
        .eq(false)
        .and(sign_in_attempts::attempted_at.ge(since));
    let by_login = sign_in_attempts::table
        .filter(sign_in_attempts::login.eq(login))
        .filter(failed)
        .count()
        .get_result(conn)?;
    let same_kind = format!("{TRACK_PREFIX}%");
    let by_address = sign_in_attempts::table
        .filter(sign_in_attempts::address.eq(address))
        .filter(failed)
        .into_boxed();
    let by_address = if tracking {
        by_address.filter(sign_in_attempts::login.like(same_kind))
    } else {
        by_address.filter(sign_in_attempts::login.not_like(same_kind))
    }
    .count()
    .get_result(conn)?;
    Ok((by_login, by_address))
}
