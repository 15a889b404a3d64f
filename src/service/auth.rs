//! Who is calling: a staff member by API token, or an applicant by the access token of one
//! application. Tokens are looked up by hash; the tokens themselves are never stored.

use crate::db::models::{ApplicationRow, User};
use crate::db::{cases, staff, DbConnection};
use crate::domain::case::ApplicationId;
use crate::domain::workflow::{Actor, Role};
use crate::security::{token_hash, ACCESS_TOKEN_PREFIX, SESSION_PREFIX};

use super::ServiceError;

#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<String>,
    /// Staff of a division (处室) see only what is forwarded to it (domain::visibility).
    pub division_id: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Principal {
    Staff(Staff),
    /// The holder of an application's access token: that application only.
    Applicant {
        application_id: ApplicationId,
    },
}

impl Principal {
    pub fn actor(&self) -> Actor {
        match self {
            Self::Staff(s) => Actor {
                id: Some(s.id.clone()),
                role: s.role,
            },
            Self::Applicant { .. } => Actor {
                id: None,
                role: Role::Applicant,
            },
        }
    }

    pub fn role(&self) -> Role {
        self.actor().role
    }

    /// The division the caller works in, if they are a division's staff.
    pub fn division(&self) -> Option<&str> {
        self.staff().and_then(|s| s.division_id.as_deref())
    }

    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Self::Staff(s) => Some(s),
            Self::Applicant { .. } => None,
        }
    }

    /// Clerks and approvers see their own agency's cases; auditors and admins theirs, or all
    /// when bound to none; an applicant only the case the token was issued for.
    pub fn can_see(&self, case: &ApplicationRow) -> bool {
        match self {
            Self::Applicant { application_id } => *application_id == case.id,
            Self::Staff(s) => match (&s.agency_id, s.role) {
                (Some(a), _) => *a == case.agency_id,
                (None, Role::Auditor | Role::Admin) => true,
                (None, _) => false,
            },
        }
    }
}

pub(crate) fn staff_from(user: User) -> Result<Staff, ServiceError> {
    Ok(Staff {
        id: user.id.to_string(),
        name: user.name,
        role: user.role,
        agency_id: user.agency_id,
        division_id: user.division_id,
    })
}

pub fn authenticate(
    conn: &mut DbConnection,
    token: Option<&str>,
) -> Result<Principal, ServiceError> {
    let token = token.ok_or(ServiceError::Unauthenticated)?;
    if token.starts_with(SESSION_PREFIX) {
        // A web page's session, already checked for idleness by the page's extractor (the API
        // refuses session secrets as bearer tokens).
        return super::sign_in::principal_of_checked_session(conn, token)?
            .ok_or(ServiceError::Unauthenticated);
    }
    let hash = token_hash(token);
    if token.starts_with(ACCESS_TOKEN_PREFIX) {
        let id = cases::application_id_by_access_hash(conn, &hash)?;
        return id
            .map(|application_id| Principal::Applicant { application_id })
            .ok_or(ServiceError::Unauthenticated);
    }
    match staff::user_by_token_hash(conn, &hash)? {
        // A disabled user's token is refused like an unknown one.
        Some(user) if user.disabled_at.is_none() => {
            record_use(conn, &user);
            Ok(Principal::Staff(staff_from(user)?))
        }
        _ => Err(ServiceError::Unauthenticated),
    }
}

/// Keeps the day a token was last used (in China), writing only when the stored day is
/// another: one write per user and day, not one per request. A failure to write it (a busy
/// database, a read-only transaction) is logged and does not fail the request.
fn record_use(conn: &mut DbConnection, user: &User) {
    let today = crate::domain::time::legal_date(chrono::Utc::now());
    if user.last_used_on == Some(today) {
        return;
    }
    let written = crate::db::write_tx(conn, |conn| staff::touch_last_used(conn, &user.id, today));
    if let Err(e) = written {
        tracing::warn!(user_id = %user.id, error = %e, "could not record the token's last use");
    }
}

/// Staff of the given roles only, of the office itself: a division's staff read only the cases
/// forwarded to their division (domain::visibility), never the office's lists, notices,
/// reports or registrations.
pub fn require_staff<'a>(p: &'a Principal, roles: &[Role]) -> Result<&'a Staff, ServiceError> {
    let s = require_staff_or_division(p, roles)?;
    if s.division_id.is_some() {
        return Err(ServiceError::Forbidden(
            crate::domain::message::Message::new(
                "处室工作人员只能查看和回复转办给本处室的申请",
                "division staff only read and answer what is forwarded to their division",
            ),
        ));
    }
    Ok(s)
}

/// Staff of the given roles, a division's staff included (the queue confines them).
pub fn require_staff_or_division<'a>(
    p: &'a Principal,
    roles: &[Role],
) -> Result<&'a Staff, ServiceError> {
    match p.staff() {
        Some(s) if roles.contains(&s.role) => Ok(s),
        _ => Err(ServiceError::Forbidden(
            crate::domain::message::Message::new(
                "您的角色无权进行此操作",
                "your role may not do this",
            ),
        )),
    }
}
