//! Setting up offices and staff (from the command line).

use super::ServiceError;
use crate::db::models::{Agency, User};
use crate::db::staff::{self, now};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::workflow::Role;
use crate::security::{new_token, token_hash, STAFF_TOKEN_PREFIX};

/// Agency codes start tracking numbers (`CODE-2026-000001`): 2 to 16 capitals, digits or dashes.
pub fn normalise_agency_code(code: &str) -> Result<String, ServiceError> {
    let code = code.trim().to_uppercase();
    let ok = (2..=16).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-');
    if ok {
        Ok(code)
    } else {
        Err(ServiceError::Conflict(format!(
            "agency code {code:?} must be 2 to 16 letters, digits or inner dashes"
        )))
    }
}

pub fn add_agency(conn: &mut DbConnection, code: &str, name: &str) -> Result<Agency, ServiceError> {
    let code = normalise_agency_code(code)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::Conflict(
            "the agency name must be 1 to 200 characters".into(),
        ));
    }
    let agency = Agency {
        id: uuid::Uuid::now_v7().to_string(),
        code: code.clone(),
        name: name.to_owned(),
        created_at: now(),
        art35_monthly_threshold: 10,
        sender_email: None,
        sender_name: None,
        signature: None,
    };
    write_tx(conn, |conn| match staff::insert_agency(conn, &agency) {
        Err(e) if is_unique_violation(&e) => Err(ServiceError::Conflict(format!(
            "an agency with code {code} exists already"
        ))),
        other => Ok(other?),
    })?;
    Ok(agency)
}

/// Sets an office's art. 35 threshold (applications by one applicant in a calendar month).
pub fn set_art35_threshold(
    conn: &mut DbConnection,
    code: &str,
    threshold: i32,
) -> Result<Agency, ServiceError> {
    if !(1..=10_000).contains(&threshold) {
        return Err(ServiceError::Conflict(
            "the threshold must be 1 to 10000".into(),
        ));
    }
    let code = normalise_agency_code(code)?;
    let agency = staff::agency_by_code(conn, &code)?
        .ok_or_else(|| ServiceError::Conflict(format!("no agency has the code {code}")))?;
    write_tx(conn, |conn| {
        staff::set_art35_threshold(conn, &agency.id, threshold)
    })?;
    Ok(Agency {
        art35_monthly_threshold: threshold,
        ..agency
    })
}

/// Sets the sender and signature of an office's notices (issue 5: each office its own).
pub fn set_sender(
    conn: &mut DbConnection,
    code: &str,
    email: &str,
    name: Option<&str>,
    signature: Option<&str>,
) -> Result<Agency, ServiceError> {
    if email.parse::<lettre::Address>().is_err() {
        return Err(ServiceError::Conflict(format!(
            "{email:?} is not an e-mail address"
        )));
    }
    let code = normalise_agency_code(code)?;
    let agency = staff::agency_by_code(conn, &code)?
        .ok_or_else(|| ServiceError::Conflict(format!("no agency has the code {code}")))?;
    write_tx(conn, |conn| {
        staff::set_sender(conn, &agency.id, email, name, signature)
    })?;
    Ok(Agency {
        sender_email: Some(email.to_owned()),
        sender_name: name.map(str::to_owned),
        signature: signature.map(str::to_owned),
        ..agency
    })
}

/// Creates a staff user and returns it with its API token, which is not stored and cannot be
/// shown again.
pub fn add_user(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    agency_code: Option<&str>,
    email: Option<&str>,
) -> Result<(User, String), ServiceError> {
    let email = email.map(staff_email).transpose()?;
    if !matches!(
        role,
        Role::Clerk | Role::Approver | Role::Auditor | Role::Admin
    ) {
        return Err(ServiceError::Conflict(
            "staff roles are clerk, approver, auditor and admin".into(),
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::Conflict(
            "the user name must be 1 to 200 characters".into(),
        ));
    }
    let agency = match agency_code {
        Some(code) => Some(
            staff::agency_by_code(conn, &normalise_agency_code(code)?)?
                .ok_or_else(|| ServiceError::Conflict(format!("no agency has the code {code}")))?,
        ),
        None if matches!(role, Role::Clerk | Role::Approver) => {
            return Err(ServiceError::Conflict(format!(
                "a {role} must belong to an agency (--agency CODE)"
            )))
        }
        None => None,
    };
    let token = new_token(STAFF_TOKEN_PREFIX);
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.to_owned(),
        role: role.as_str().to_owned(),
        agency_id: agency.map(|a| a.id),
        token_hash: token_hash(&token),
        created_at: now(),
        email,
    };
    write_tx(conn, |conn| staff::insert_user(conn, &user))?;
    Ok((user, token))
}

/// A staff address for reminders, checked the way applicants' addresses are.
fn staff_email(email: &str) -> Result<String, ServiceError> {
    use validator::ValidateEmail;
    let email = email.trim();
    if email.len() <= 254 && email.validate_email() {
        Ok(email.to_owned())
    } else {
        Err(ServiceError::Conflict(format!(
            "{email:?} is not an e-mail address"
        )))
    }
}

/// Sets or clears the address a staff user's digest and alerts go to.
pub fn set_user_email(
    conn: &mut DbConnection,
    user_id: &str,
    email: Option<&str>,
) -> Result<(), ServiceError> {
    let email = email.map(staff_email).transpose()?;
    let n = write_tx(conn, |conn| {
        staff::set_user_email(conn, user_id, email.as_deref())
    })?;
    if n == 0 {
        return Err(ServiceError::Conflict(format!(
            "no user has the id {user_id}"
        )));
    }
    Ok(())
}

/// The office's settings the workflow reads (RULES §8: a fee notice says how to pay; a closure
/// for no correction may be reopened within the office's reasonable time).
pub fn office_settings(
    conn: &mut DbConnection,
    agency_id: &str,
) -> Result<crate::domain::workflow::Office, ServiceError> {
    let _agency = staff::agency_by_id(conn, agency_id)?;
    // PENDING(letters branch): payment details and the reopening period come from the
    // office's settings once those columns land.
    Ok(crate::domain::workflow::Office {
        has_payment_details: true,
        ..Default::default()
    })
}
