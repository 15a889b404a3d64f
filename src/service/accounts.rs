//! Staff accounts: listing, adding, disabling and re-enabling users and rotating their tokens,
//! from the command line or over the API by an admin (issue 13). A child of `admin`, whose
//! office and e-mail helpers it shares.

use super::*;

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::RetryHint;
use crate::domain::case::UserId;
use crate::service::auth::{authenticate, require_staff, Staff};
use crate::service::FieldError;

/// Why an account operation was refused; the HTTP layer gives each its own stable code.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Unknown, or of an office the admin is not bound to: the two are not told apart.
    #[error("no such user")]
    NoSuchUser,
    #[error("an administrator cannot disable their own account")]
    OwnAccount,
    #[error(
        "this is the last enabled admin bound to no office: add or re-enable another one first \
         (or rotate this one's token)"
    )]
    LastUnboundAdmin,
}

impl From<diesel::result::Error> for AccountError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Service(e.into())
    }
}

impl RetryHint for AccountError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Service(e) if e.is_retryable())
    }
}

/// Who manages accounts: the command line (the operator of the server), or an admin over the
/// API, who manages their own office's users only when bound to one.
#[derive(Debug, Clone, Copy)]
pub enum Manager<'a> {
    CommandLine,
    Admin(&'a Staff),
}

impl Manager<'_> {
    /// The office this manager is confined to, if any.
    fn office(&self) -> Option<&str> {
        match self {
            Self::CommandLine => None,
            Self::Admin(s) => s.agency_id.as_deref(),
        }
    }

    fn may_manage(&self, user: &User) -> bool {
        match self.office() {
            None => true,
            Some(own) => user.agency_id.as_deref() == Some(own),
        }
    }
}

/// A staff user as administrators see it: never its token nor the token's hash.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserView {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    /// The office's code; none for auditors and admins bound to no office.
    pub agency: Option<String>,
    pub email: Option<String>,
    pub created_at: String,
    pub disabled: bool,
    pub disabled_at: Option<String>,
    /// The last day (in China) the user's token was used; none if never.
    pub last_used_on: Option<NaiveDate>,
    /// The division (处室) the user works in, by code; none for the office's own staff.
    pub division: Option<String>,
    pub division_head: bool,
    /// Approvers: the level they approve at (1: head of the disclosure unit, 2: the leader in
    /// charge); none for other roles.
    pub approval_level: Option<i32>,
}

fn instant(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The codes of offices and divisions by id, to show users by them.
struct Codes {
    agencies: std::collections::HashMap<String, String>,
    divisions: std::collections::HashMap<String, String>,
}

fn codes(conn: &mut DbConnection) -> Result<Codes, ServiceError> {
    let agencies = staff::agencies(conn)?;
    let mut divisions = std::collections::HashMap::new();
    for a in &agencies {
        for d in crate::db::divisions::of_agency(conn, &a.id)? {
            divisions.insert(d.id, d.code);
        }
    }
    Ok(Codes {
        agencies: agencies
            .into_iter()
            .map(|a| (a.id, a.code.to_string()))
            .collect(),
        divisions,
    })
}

fn view(user: User, codes: &Codes) -> UserView {
    UserView {
        agency: user
            .agency_id
            .as_ref()
            .and_then(|a| codes.agencies.get(a).cloned()),
        division: user
            .division_id
            .as_ref()
            .and_then(|d| codes.divisions.get(d).cloned()),
        division_head: user.division_head,
        approval_level: (user.role == Role::Approver).then_some(user.approval_level),
        id: user.id,
        name: user.name,
        role: user.role,
        email: user.email,
        created_at: instant(user.created_at),
        disabled: user.disabled_at.is_some(),
        disabled_at: user.disabled_at.map(instant),
        last_used_on: user.last_used_on,
    }
}

fn view_one(conn: &mut DbConnection, user: User) -> Result<UserView, ServiceError> {
    let codes = codes(conn)?;
    Ok(view(user, &codes))
}

/// The users a manager may see: all, or one office's (an office-bound admin asking for another
/// office, or any manager for an unknown one, gets 404 `no such agency`).
pub fn list_users(
    conn: &mut DbConnection,
    by: Manager<'_>,
    agency_code: Option<&str>,
) -> Result<Vec<UserView>, ServiceError> {
    let agency_id = match agency_code {
        None => by.office().map(str::to_owned),
        Some(code) => {
            let a = staff::agency_by_code(conn, code)?
                .filter(|a| by.office().is_none_or(|own| own == a.id))
                .ok_or(ServiceError::NoSuchAgency)?;
            Some(a.id)
        }
    };
    let codes = codes(conn)?;
    Ok(staff::users(conn, agency_id.as_deref())?
        .into_iter()
        .map(|u| view(u, &codes))
        .collect())
}

fn managed_user(conn: &mut DbConnection, by: Manager<'_>, id: &str) -> Result<User, AccountError> {
    // Text that is no user id names no user.
    let Some(id) = UserId::parse(id) else {
        return Err(AccountError::NoSuchUser);
    };
    staff::user_by_id(conn, &id)?
        .filter(|u| by.may_manage(u))
        .ok_or(AccountError::NoSuchUser)
}

pub fn get_user(
    conn: &mut DbConnection,
    by: Manager<'_>,
    id: &str,
) -> Result<UserView, AccountError> {
    let user = managed_user(conn, by, id)?;
    Ok(view_one(conn, user)?)
}

/// A new user, as an admin asks for it over the API.
#[derive(Debug, Clone, serde::Deserialize, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub role: String,
    /// The office's code; an office-bound admin's own office when left out.
    pub agency: Option<String>,
    pub email: Option<String>,
    /// Clerks of a division (处室): its code; they see only what is forwarded to it.
    pub division: Option<String>,
    #[serde(default)]
    pub division_head: bool,
    /// Approvers: 1 (default) or 2.
    pub approval_level: Option<i32>,
}

/// Adds a user for an admin over the API: each problem with the form a field error (422).
/// An office-bound admin adds users to their own office only.
pub fn create_user(
    conn: &mut DbConnection,
    by: Manager<'_>,
    form: &NewUser,
) -> Result<(UserView, String), ServiceError> {
    let mut errors = Vec::new();
    let role = Role::parse(&form.role).filter(|r| {
        matches!(
            r,
            Role::Clerk | Role::Approver | Role::Auditor | Role::Admin
        )
    });
    if role.is_none() {
        errors.push(FieldError::new(
            "role",
            "unknown_role",
            crate::msg!(
                "工作人员的角色只能是经办人（clerk）、审批人（approver）、审计人员（auditor）或管理员（admin）",
                "staff roles are clerk, approver, auditor and admin"
            ),
        ));
    }
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "length",
            crate::msg!(
                "须为一行 1 至 200 个字符",
                "1 to 200 characters on one line"
            ),
        ));
    }
    let email = match form.email.as_deref().map(staff_email).transpose() {
        Ok(e) => e,
        Err(_) => {
            errors.push(FieldError::new(
                "email",
                "invalid_email",
                crate::msg!("不是有效的电子邮箱地址", "not an e-mail address"),
            ));
            None
        }
    };
    let agency = match (form.agency.as_deref(), by.office()) {
        (None, None) => None,
        (None, Some(own)) => Some(staff::agency_by_id(conn, own)?),
        (Some(code), own) => {
            let found =
                staff::agency_by_code(conn, code)?.filter(|a| own.is_none_or(|own| own == a.id));
            if found.is_none() {
                errors.push(FieldError::new(
                    "agency",
                    crate::domain::problem_code::ProblemCode::UnknownAgency.as_str(),
                    crate::msg!(
                        "您管理的机关中没有代码为 {code:?} 的机关",
                        "no office you administer has the code {code:?}"
                    ),
                ));
            }
            found
        }
    };
    if agency.is_none()
        && matches!(role, Some(Role::Clerk | Role::Approver))
        && form.agency.is_none()
    {
        errors.push(FieldError::new(
            "agency",
            "required",
            crate::msg!(
                "经办人和审批人须属于某个机关",
                "clerks and approvers belong to an office"
            ),
        ));
    }
    let placed = match role {
        Some(role) => {
            let p = crate::service::divisions::Placement {
                division: form.division.as_deref(),
                head: form.division_head,
                approval_level: form.approval_level,
            };
            let agency_id = agency.as_ref().map(|a| a.id.as_str());
            match crate::service::divisions::placement(conn, agency_id, role, &p) {
                Ok(placed) => Some(placed),
                Err(more) => {
                    errors.extend(more);
                    None
                }
            }
        }
        None => None,
    };
    let (Some(role), Some((division_id, head, level))) =
        (role.filter(|_| errors.is_empty()), placed)
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let (mut user, token) = new_user(name, role, agency.map(|a| a.id), email);
    user.division_id = division_id;
    user.division_head = head;
    user.approval_level = level;
    write_tx(conn, |conn| staff::insert_user(conn, &user))?;
    Ok((view_one(conn, user)?, token))
}

/// Disables a user: their token is refused (401) from this commit on. Disabling a disabled
/// user changes nothing. Nobody disables their own account, nor the last enabled admin bound
/// to no office (who alone may load the national calendar and manage every office's staff).
pub fn disable_user(
    conn: &mut DbConnection,
    by: Manager<'_>,
    id: &str,
    at: DateTime<Utc>,
) -> Result<UserView, AccountError> {
    let user = write_tx(conn, |conn| {
        if let DbConnection::Postgres(pg) = conn {
            // Two admins disabling the last two unbound admins at once: one waits for the other.
            use crate::db::schema::users as u;
            use diesel::prelude::*;
            u::table
                .filter(u::role.eq(Role::Admin))
                .filter(u::agency_id.is_null())
                .select(u::id)
                .for_update()
                .load::<String>(pg)?;
        }
        let user = managed_user(conn, by, id)?;
        if let Manager::Admin(me) = by {
            if me.id == user.id.as_str() {
                return Err(AccountError::OwnAccount);
            }
        }
        if user.disabled_at.is_some() {
            return Ok(user);
        }
        if user.role == Role::Admin
            && user.agency_id.is_none()
            && staff::active_unbound_admins(conn)? == [user.id.clone()]
        {
            return Err(AccountError::LastUnboundAdmin);
        }
        // Issue 16: nobody's leaving strands a draft or an extension request.
        crate::service::divisions::refuse_if_handling(conn, user.id.as_str())?;
        if let Some(agency) = &user.agency_id {
            let id = user.id.to_string();
            crate::service::divisions::refuse_stranding(conn, agency, |s| {
                s.members.retain(|m| m.id != id)
            })?;
        }
        let at = at.naive_utc();
        staff::set_disabled(conn, &user.id, Some(at))?;
        Ok(User {
            disabled_at: Some(at),
            ..user
        })
    })?;
    Ok(view_one(conn, user)?)
}

/// Re-enables a disabled user; their token (as it stood, or as rotated since) works again.
pub fn enable_user(
    conn: &mut DbConnection,
    by: Manager<'_>,
    id: &str,
) -> Result<UserView, AccountError> {
    let user = write_tx(conn, |conn| {
        let user = managed_user(conn, by, id)?;
        staff::set_disabled(conn, &user.id, None)?;
        Ok::<_, AccountError>(User {
            disabled_at: None,
            ..user
        })
    })?;
    Ok(view_one(conn, user)?)
}

/// Gives a user a new token and returns it (shown once); the old one is refused from this
/// commit on. A disabled user stays disabled.
pub fn rotate_token(
    conn: &mut DbConnection,
    by: Manager<'_>,
    id: &str,
) -> Result<(UserView, String), AccountError> {
    let token = new_token(STAFF_TOKEN_PREFIX);
    let hash = token_hash(&token);
    let user = write_tx(conn, |conn| {
        let user = managed_user(conn, by, id)?;
        staff::set_token_hash(conn, &user.id, &hash)?;
        Ok::<_, AccountError>(user)
    })?;
    Ok((view_one(conn, user)?, token))
}

/// The admin calling the API (401 without a valid token, 403 for any other role).
fn api_admin(conn: &mut DbConnection, token: Option<&str>) -> Result<Staff, ServiceError> {
    let principal = authenticate(conn, token)?;
    Ok(require_staff(&principal, &[Role::Admin])?.clone())
}

/// The API's account operations: each authenticates the caller as an admin first.
pub mod api {
    use super::*;
    use crate::service::Services;

    pub fn list(
        services: &Services,
        token: Option<&str>,
        agency: Option<&str>,
    ) -> Result<Vec<UserView>, ServiceError> {
        let conn = &mut *services.conn()?;
        let me = api_admin(conn, token)?;
        list_users(conn, Manager::Admin(&me), agency)
    }

    pub fn get(
        services: &Services,
        token: Option<&str>,
        id: &str,
    ) -> Result<UserView, AccountError> {
        let conn = &mut *services.conn()?;
        let me = api_admin(conn, token)?;
        get_user(conn, Manager::Admin(&me), id)
    }

    pub fn create(
        services: &Services,
        token: Option<&str>,
        form: &NewUser,
    ) -> Result<(UserView, String), ServiceError> {
        let conn = &mut *services.conn()?;
        let me = api_admin(conn, token)?;
        create_user(conn, Manager::Admin(&me), form)
    }

    pub fn disable(
        services: &Services,
        token: Option<&str>,
        id: &str,
    ) -> Result<UserView, AccountError> {
        let conn = &mut *services.conn()?;
        let me = api_admin(conn, token)?;
        disable_user(conn, Manager::Admin(&me), id, services.now())
    }

    pub fn enable(
        services: &Services,
        token: Option<&str>,
        id: &str,
    ) -> Result<UserView, AccountError> {
        let conn = &mut *services.conn()?;
        let me = api_admin(conn, token)?;
        enable_user(conn, Manager::Admin(&me), id)
    }

    pub fn rotate(
        services: &Services,
        token: Option<&str>,
        id: &str,
    ) -> Result<(UserView, String), AccountError> {
        let conn = &mut *services.conn()?;
        let me = api_admin(conn, token)?;
        rotate_token(conn, Manager::Admin(&me), id)
    }
}
