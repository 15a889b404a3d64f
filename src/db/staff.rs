//! Offices, their staff, and service settings.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::models::{Agency, User};
use super::schema::{agencies, settings, users};
use super::DbConnection;
use crate::domain::case::{AgencyCode, UserId};
use crate::domain::workflow::Role;

pub fn insert_agency(conn: &mut DbConnection, agency: &Agency) -> QueryResult<()> {
    diesel::insert_into(agencies::table)
        .values(agency)
        .execute(conn)
        .map(drop)
}

/// The office with the code someone typed, normalised by `AgencyCode::parse`; text that is no
/// code finds none.
pub fn agency_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Agency>> {
    let Some(code) = AgencyCode::parse(code) else {
        return Ok(None);
    };
    agencies::table
        .filter(agencies::code.eq(code))
        .first(conn)
        .optional()
}

pub fn agency_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Agency> {
    agencies::table.find(id).first(conn)
}

pub fn set_art35_threshold(
    conn: &mut DbConnection,
    agency_id: &str,
    threshold: i32,
) -> QueryResult<()> {
    diesel::update(agencies::table.find(agency_id))
        .set(agencies::art35_monthly_threshold.eq(threshold))
        .execute(conn)
        .map(drop)
}

pub fn set_sender(
    conn: &mut DbConnection,
    agency_id: &str,
    email: &str,
    name: Option<&str>,
    signature: Option<&str>,
) -> QueryResult<()> {
    diesel::update(agencies::table.find(agency_id))
        .set((
            agencies::sender_email.eq(email),
            agencies::sender_name.eq(name),
            agencies::signature.eq(signature),
        ))
        .execute(conn)
        .map(drop)
}

/// The answer letter's settings: document-number prefix and the bodies named in the remedies.
pub fn set_letter(
    conn: &mut DbConnection,
    agency_id: &str,
    prefix: Option<&str>,
    reconsideration_body: Option<&str>,
    court: Option<&str>,
) -> QueryResult<()> {
    diesel::update(agencies::table.find(agency_id))
        .set((
            agencies::letter_prefix.eq(prefix),
            agencies::reconsideration_body.eq(reconsideration_body),
            agencies::court.eq(court),
        ))
        .execute(conn)
        .map(drop)
}

/// How applicants pay the office's processing fees.
pub fn set_payment(
    conn: &mut DbConnection,
    agency_id: &str,
    payee: &str,
    account: Option<&str>,
    channel: Option<&str>,
) -> QueryResult<()> {
    diesel::update(agencies::table.find(agency_id))
        .set((
            agencies::payee.eq(payee),
            agencies::payment_account.eq(account),
            agencies::payment_channel.eq(channel),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_reopen_working_days(
    conn: &mut DbConnection,
    agency_id: &str,
    days: i32,
) -> QueryResult<()> {
    diesel::update(agencies::table.find(agency_id))
        .set(agencies::reopen_working_days.eq(days))
        .execute(conn)
        .map(drop)
}

/// An office's internal handling: approval levels, the divisions' reply period, whether
/// divisions see the applicant.
pub fn set_handling(
    conn: &mut DbConnection,
    agency_id: &str,
    levels: i32,
    forwarding_days: i32,
    divisions_see_applicant: bool,
) -> QueryResult<()> {
    diesel::update(agencies::table.find(agency_id))
        .set((
            agencies::approval_levels.eq(levels),
            agencies::forwarding_working_days.eq(forwarding_days),
            agencies::divisions_see_applicant.eq(divisions_see_applicant),
        ))
        .execute(conn)
        .map(drop)
}

/// A user's division (and whether they head it) and approval level.
pub fn set_placement(
    conn: &mut DbConnection,
    id: &UserId,
    division_id: Option<&str>,
    head: bool,
    level: i32,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::division_id.eq(division_id),
            users::division_head.eq(head),
            users::approval_level.eq(level),
        ))
        .execute(conn)
        .map(drop)
}

/// Every office, by code.
pub fn agencies(conn: &mut DbConnection) -> QueryResult<Vec<Agency>> {
    agencies::table.order(agencies::code.asc()).load(conn)
}

/// How an applicant pays an office's processing fees, as the fee notice states it (Fee
/// Measures; RULES §8: payee, account or channel).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PaymentDetails {
    pub payee: String,
    pub account: Option<String>,
    pub channel: Option<String>,
}

/// The office's payment details; `None` while it has no payee, or neither an account nor a
/// channel: a fee notice cannot then say how to pay, and must not be sent.
pub fn payment_details(agency: &Agency) -> Option<PaymentDetails> {
    fn set(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    let payee = set(&agency.payee)?;
    let (account, channel) = (set(&agency.payment_account), set(&agency.payment_channel));
    if account.is_none() && channel.is_none() {
        return None;
    }
    Some(PaymentDetails {
        payee: payee.to_owned(),
        account: account.map(str::to_owned),
        channel: channel.map(str::to_owned),
    })
}

pub fn insert_user(conn: &mut DbConnection, user: &User) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(drop)
}

pub fn set_user_email(
    conn: &mut DbConnection,
    user_id: &UserId,
    email: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::email.eq(email))
        .execute(conn)
}

/// The clerks and approvers with an address, who get reminders (disabled users get none).
pub fn reminded_staff(conn: &mut DbConnection) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::email.is_not_null())
        .filter(users::disabled_at.is_null())
        .filter(users::agency_id.is_not_null())
        .filter(users::role.eq_any([Role::Clerk, Role::Approver]))
        .order(users::id.asc())
        .load(conn)
}

pub fn user_by_token_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::token_hash.eq(hash))
        .first(conn)
        .optional()
}

/// Staff users, by office code then name: of one office, or all.
pub fn users(conn: &mut DbConnection, agency_id: Option<&str>) -> QueryResult<Vec<User>> {
    let mut q = users::table.into_boxed();
    if let Some(a) = agency_id {
        q = q.filter(users::agency_id.eq(a));
    }
    q.order((users::agency_id.asc(), users::name.asc(), users::id.asc()))
        .load(conn)
}

pub fn user_by_id(conn: &mut DbConnection, id: &UserId) -> QueryResult<Option<User>> {
    users::table.find(id).first(conn).optional()
}

/// Disables (`Some(when)`) or re-enables (`None`) a user.
pub fn set_disabled(
    conn: &mut DbConnection,
    user_id: &UserId,
    at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::disabled_at.eq(at))
        .execute(conn)
}

/// Replaces a user's token hash: the old token stops working with this statement's commit.
pub fn set_token_hash(conn: &mut DbConnection, user_id: &UserId, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::token_hash.eq(hash))
        .execute(conn)
}

/// Records the day a token was used, unless that day is recorded already.
pub fn touch_last_used(
    conn: &mut DbConnection,
    user_id: &UserId,
    day: NaiveDate,
) -> QueryResult<usize> {
    diesel::update(
        users::table.find(user_id).filter(
            users::last_used_on
                .is_null()
                .or(users::last_used_on.ne(day)),
        ),
    )
    .set(users::last_used_on.eq(day))
    .execute(conn)
}

/// Admins bound to no office and not disabled: the service keeps at least one.
pub fn active_unbound_admins(conn: &mut DbConnection) -> QueryResult<Vec<UserId>> {
    users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::agency_id.is_null())
        .filter(users::disabled_at.is_null())
        .select(users::id)
        .load(conn)
}

pub fn setting(conn: &mut DbConnection, name: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(name)
        .select(settings::value)
        .first(conn)
        .optional()
}

pub fn insert_setting(conn: &mut DbConnection, name: &str, value: &str) -> QueryResult<()> {
    diesel::insert_into(settings::table)
        .values((settings::name.eq(name), settings::value.eq(value)))
        .execute(conn)
        .map(drop)
}

/// The key fingerprint is written on first start and must match on every later one, so that an
/// instance started with another key cannot quietly stop recognising applicants.
pub fn check_key_fingerprint(conn: &mut DbConnection, fingerprint: &str) -> anyhow::Result<()> {
    const NAME: &str = "secret_key_fingerprint";
    match setting(conn, NAME)? {
        Some(stored) if stored == fingerprint => Ok(()),
        Some(stored) => anyhow::bail!(
            "this database was set up with another secret key (fingerprint {stored}, this key \
             {fingerprint}); start the service with the key the database was created with"
        ),
        None => match insert_setting(conn, NAME, fingerprint) {
            Ok(()) => Ok(()),
            // Another instance wrote it first: check again against what it wrote.
            Err(DieselError::DatabaseError(..)) => match setting(conn, NAME)? {
                Some(stored) if stored == fingerprint => Ok(()),
                _ => anyhow::bail!("another instance set up this database with another secret key"),
            },
            Err(e) => Err(e.into()),
        },
    }
}

pub fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
