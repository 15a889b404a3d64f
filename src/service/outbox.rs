//! What clerks see of notices: a case's notices, the office's failed ones, and retrying them.

use chrono::{DateTime, Utc};

use super::auth::{authenticate, require_staff};
use super::{ServiceError, Services};
use crate::db::models::NoticeRow;
use crate::db::{notices, write_tx};
use crate::domain::outbox::{NoticeId, NoticeStatus};
use crate::domain::workflow::Role;

const STAFF: &[Role] = &[Role::Clerk, Role::Approver, Role::Auditor, Role::Admin];

/// The notices of a case the caller (staff) may see.
pub fn of_case(
    services: &Services,
    token: Option<&str>,
    id: &str,
) -> Result<Vec<NoticeRow>, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    // A division's staff get 404 from the case's visibility, as for a case not theirs.
    super::auth::require_staff_or_division(&principal, STAFF)?;
    let case = super::cases::visible_part(
        conn,
        &principal,
        id,
        crate::domain::visibility::Part::Notices,
    )?;
    Ok(notices::for_application(conn, &case.id)?)
}

/// The office's notices in a status (`failed` for the clerks' attention), newest first.
pub fn list(
    services: &Services,
    token: Option<&str>,
    status: NoticeStatus,
) -> Result<Vec<NoticeRow>, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let staff = require_staff(&principal, STAFF)?;
    Ok(notices::by_status(
        conn,
        staff.agency_id.as_deref(),
        status,
        200,
    )?)
}

/// Puts a failed notice of the clerk's office back in the queue.
pub fn retry(
    services: &Services,
    token: Option<&str>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<NoticeRow, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let staff = require_staff(&principal, &[Role::Clerk, Role::Admin])?;
    // Text that is no notice id names no notice.
    let id = NoticeId::parse(id).ok_or(ServiceError::NotFound)?;
    let notice = notices::get(conn, &id)?
        .filter(|n| staff.agency_id.as_ref().is_none_or(|a| *a == n.agency_id))
        .ok_or(ServiceError::NotFound)?;
    if !write_tx(conn, |conn| {
        notices::retry(conn, &notice.id, now.naive_utc())
    })? {
        return Err(ServiceError::NoticeNotFailed(notice.status));
    }
    Ok(notices::get(conn, &id)?.unwrap_or(notice))
}
