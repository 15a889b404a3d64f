//! Signing in to the web pages (issue 15): staff by login and password (Argon2id), applicants
//! by tracking number and access token. Either opens a session kept in the database, so that
//! several instances share it; the cookie carries only its secret, the table only its hash.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};

use super::auth::{authenticate, Principal};
use super::{ServiceError, Services};
use crate::db::sessions::{self, Attempt, SessionRow};
use crate::db::{cases, staff, write_tx, DbConnection};
use crate::domain::case::{ApplicationId, UserId};
use crate::msg;
use crate::security::{new_token, token_hash, SESSION_PREFIX};

/// Failed attempts over this window count towards the limits below.
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Failures for one login within the window before it is refused until the window passes.
pub const FAILURES_PER_LOGIN: i64 = 5;
/// Failures from one address within the window (many logins tried from one place), counted
/// apart for the console and for the tracking page; high enough for an office whose staff all
/// reach the service through one address.
pub const FAILURES_PER_ADDRESS: i64 = 50;
/// A staff password: long enough to resist guessing, short enough to type.
const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 10..=200;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Wrong login, wrong password, no password set or a disabled account: not told apart.
    #[error("the login or the password is wrong")]
    Wrong,
    /// Too many failures lately for this login or from this address.
    #[error("too many failed sign-ins; try again in {retry_after_minutes} minutes")]
    Limited { retry_after_minutes: i64 },
}

impl From<diesel::result::Error> for SignInError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Service(e.into())
    }
}

impl crate::db::RetryHint for SignInError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Service(e) if crate::db::RetryHint::is_retryable(e))
    }
}

/// A session just opened: the secret goes into the cookie and nowhere else.
#[derive(Debug)]
pub struct Opened {
    pub secret: String,
    pub principal: Principal,
}

/// Argon2id with the crate's defaults (OWASP's minimum: 19 MiB, 2 passes), salted per hash.
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing a password: {e}")))
}

fn password_matches(stored: Option<&str>, password: &str) -> bool {
    // With no stored hash, verify against a fixed one anyway: the time taken does not tell
    // whether the login exists.
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$\
                         8Dm2kWBzOhVL2/0eAPsf9mOqAIbZ5xaeMHpWXXE8sKc";
    let Ok(parsed) = PasswordHash::new(stored.unwrap_or(DUMMY)) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && stored.is_some()
}

/// Checks a new password against the rule; the message names what is wrong.
pub fn check_password(password: &str) -> Result<(), ServiceError> {
    let n = password.chars().count();
    if !PASSWORD_CHARS.contains(&n) || password.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "password",
            "length",
            msg!(
                "密码须为 10 至 200 个字符，不含控制字符",
                "a password is 10 to 200 characters, with no control characters"
            ),
        ));
    }
    Ok(())
}

/// Checks a login name: 2 to 64 letters, digits, `.`, `_` or `-`, kept in lower case.
pub fn normalise_login(login: &str) -> Result<String, ServiceError> {
    let login = login.trim().to_lowercase();
    let ok = (2..=64).contains(&login.chars().count())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if !ok {
        return Err(ServiceError::invalid(
            "login",
            "invalid",
            msg!(
                "登录名须为 2 至 64 个字母、数字或 . _ -",
                "a login is 2 to 64 letters, digits, '.', '_' or '-'"
            ),
        ));
    }
    Ok(login)
}

/// Gives a user a login name (unique) for the web console.
pub fn set_login(conn: &mut DbConnection, id: &UserId, login: &str) -> Result<(), ServiceError> {
    let login = normalise_login(login)?;
    write_tx(conn, |conn| {
        if let Some(other) = sessions::user_by_login(conn, &login)? {
            if other.id != *id {
                return Err(ServiceError::invalid(
                    "login",
                    "taken",
                    msg!("登录名 {login} 已被他人使用", "the login {login} is taken"),
                ));
            }
        }
        match sessions::set_login(conn, id, Some(&login))? {
            0 => Err(ServiceError::UnknownUser(id.to_string())),
            _ => Ok(()),
        }
    })
}

/// Sets a user's password and ends their open sessions (a changed password signs out
/// everywhere). The hash is computed before the transaction: it takes tens of milliseconds.
pub fn set_password(
    conn: &mut DbConnection,
    id: &UserId,
    password: &str,
) -> Result<(), ServiceError> {
    check_password(password)?;
    let hash = hash_password(password)?;
    write_tx(conn, |conn| {
        if sessions::set_password_hash(conn, id, &hash)? == 0 {
            return Err(ServiceError::UnknownUser(id.to_string()));
        }
        sessions::delete_of_user(conn, id)?;
        Ok(())
    })
}

fn record(
    conn: &mut DbConnection,
    login: &str,
    address: &str,
    now: DateTime<Utc>,
    succeeded: bool,
) -> Result<(), ServiceError> {
    let attempt = Attempt {
        id: uuid::Uuid::now_v7().to_string(),
        login,
        address,
        attempted_at: now.naive_utc(),
        succeeded,
    };
    write_tx(conn, |conn| sessions::record_attempt(conn, &attempt))?;
    Ok(())
}

/// Refuses when this login or this address failed too often within the window.
fn check_limits(
    conn: &mut DbConnection,
    login: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), SignInError> {
    let since = (now - Duration::minutes(FAILURE_WINDOW_MINUTES)).naive_utc();
    let (by_login, by_address) = sessions::failures_since(conn, login, address, since)?;
    if by_login >= FAILURES_PER_LOGIN || by_address >= FAILURES_PER_ADDRESS {
        // A refused attempt is not recorded as a failure: the window ends fifteen minutes after
        // the last real failure, however often the page is reloaded meanwhile.
        return Err(SignInError::Limited {
            retry_after_minutes: FAILURE_WINDOW_MINUTES,
        });
    }
    Ok(())
}

fn open(
    conn: &mut DbConnection,
    principal: Principal,
    now: DateTime<Utc>,
) -> Result<Opened, ServiceError> {
    let secret = new_token(SESSION_PREFIX);
    let (user_id, application_id) = match &principal {
        Principal::Staff(s) => (Some(s.id.clone()), None),
        Principal::Applicant { application_id } => (None, Some(application_id.to_string())),
    };
    let row = SessionRow {
        id_hash: token_hash(&secret),
        user_id,
        application_id,
        created_at: now.naive_utc(),
        last_seen_at: now.naive_utc(),
    };
    write_tx(conn, |conn| sessions::insert(conn, &row))?;
    Ok(Opened { secret, principal })
}

/// A staff member signs in. Every attempt is recorded (login as typed, address, outcome).
pub fn staff(
    services: &Services,
    login: &str,
    password: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Opened, SignInError> {
    let conn = &mut *services.conn()?;
    let login = login.trim().to_lowercase();
    check_limits(conn, &login, address, now)?;
    let user = sessions::user_by_login(conn, &login)?;
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let matches = password_matches(stored, password);
    let user = user.filter(|u| matches && u.disabled_at.is_none());
    record(conn, &login, address, now, user.is_some())?;
    let user = user.ok_or(SignInError::Wrong)?;
    let principal = Principal::Staff(super::auth::staff_from(user)?);
    Ok(open(conn, principal, now)?)
}

/// An applicant opens their case's page with its tracking number and access token; failures
/// count against the tracking number and the address like a staff login's.
pub fn applicant(
    services: &Services,
    tracking_number: &str,
    access_token: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Opened, SignInError> {
    let conn = &mut *services.conn()?;
    let tracking = tracking_number.trim().to_uppercase();
    let key = format!("{}{tracking}", sessions::TRACK_PREFIX);
    check_limits(conn, &key, address, now)?;
    let token = access_token.trim();
    let found = match authenticate(conn, Some(token)) {
        Ok(Principal::Applicant { application_id }) => {
            cases::by_id_or_tracking_number(conn, &tracking)?
                .filter(|case| case.id == application_id)
                .map(|_| Principal::Applicant { application_id })
        }
        _ => None,
    };
    record(conn, &key, address, now, found.is_some())?;
    Ok(open(conn, found.ok_or(SignInError::Wrong)?, now)?)
}

/// Whom a session cookie's secret stands for, if the session is open and not idle too long.
/// The idle clock is moved on at most once a minute.
pub fn principal_of_session(
    conn: &mut DbConnection,
    secret: &str,
    idle: Duration,
    now: DateTime<Utc>,
) -> Result<Option<Principal>, ServiceError> {
    let hash = token_hash(secret);
    let Some(row) = sessions::by_hash(conn, &hash)? else {
        return Ok(None);
    };
    let now_naive = now.naive_utc();
    if now_naive - row.last_seen_at > idle {
        write_tx(conn, |conn| sessions::delete(conn, &hash))?;
        return Ok(None);
    }
    let Some(principal) = whose(conn, &row)? else {
        return Ok(None);
    };
    if now_naive - row.last_seen_at > Duration::minutes(1) {
        let touched = write_tx(conn, |conn| sessions::touch(conn, &hash, now_naive));
        if let Err(e) = touched {
            tracing::warn!(error = %e, "could not move a session's idle clock on");
        }
    }
    Ok(Some(principal))
}

/// Whom an open session stands for: its staff member (unless disabled since) or its applicant.
fn whose(conn: &mut DbConnection, row: &SessionRow) -> Result<Option<Principal>, ServiceError> {
    let corrupt =
        |what: &str| ServiceError::Internal(format!("a session names a malformed {what}"));
    match (&row.user_id, &row.application_id) {
        (Some(user_id), _) => {
            let id = UserId::parse(user_id).ok_or_else(|| corrupt("user id"))?;
            let user = staff::user_by_id(conn, &id)?.filter(|u| u.disabled_at.is_none());
            Ok(user
                .map(super::auth::staff_from)
                .transpose()?
                .map(Principal::Staff))
        }
        (None, Some(app)) => {
            let application_id =
                ApplicationId::parse(app).ok_or_else(|| corrupt("application id"))?;
            Ok(Some(Principal::Applicant { application_id }))
        }
        (None, None) => Ok(None),
    }
}

/// The principal of a session secret the web layer has just checked (`principal_of_session`):
/// how the use cases, which take a credential, accept a page's session.
pub fn principal_of_checked_session(
    conn: &mut DbConnection,
    secret: &str,
) -> Result<Option<Principal>, ServiceError> {
    match sessions::by_hash(conn, &token_hash(secret))? {
        Some(row) => whose(conn, &row),
        None => Ok(None),
    }
}

/// Signs out: the session is gone for every instance at once.
pub fn sign_out(conn: &mut DbConnection, secret: &str) -> Result<(), ServiceError> {
    let hash = token_hash(secret);
    write_tx(conn, |conn| sessions::delete(conn, &hash))?;
    Ok(())
}

/// Deletes the sessions idle longer than `idle` (the scheduled job; a late one is refused on
/// use anyway, this keeps the table small). Returns how many went.
pub fn forget_idle(
    services: &Services,
    idle: Duration,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let before = (now - idle).naive_utc();
    let conn = &mut *services.conn()?;
    Ok(write_tx(conn, |conn| sessions::delete_idle(conn, before))?)
}
