//! What clerks should know of an applicant (RULES §4, §5): how many applications they made to
//! the office this month against the art. 35 threshold, and their earlier answered
//! applications, to spot a repeat application (art. 36(6)).

use serde::Serialize;

use super::auth::authenticate;
use super::{ServiceError, Services};
use crate::db::{cases, staff};
use crate::domain::workflow::Role;

#[derive(Debug, Serialize)]
pub struct EarlierAnswer {
    pub id: String,
    pub tracking_number: String,
    pub description: String,
    pub outcome: Option<crate::domain::case::Outcome>,
    pub closed_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Serialize)]
pub struct ApplicantHistory {
    /// The calendar month counted: that of this application's receipt (or registration).
    pub month: String,
    pub applications_this_month: i64,
    pub art35_monthly_threshold: i32,
    /// Above the threshold: the office may ask for reasons, close as not processed
    /// (not_processed_excessive) or set a longer period (art. 35).
    pub above_threshold: bool,
    /// The same applicant's earlier answered applications to this office, newest first.
    pub earlier_answers: Vec<EarlierAnswer>,
}

pub fn applicant_history(
    services: &Services,
    token: Option<&str>,
    id: &str,
) -> Result<ApplicantHistory, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    // A division's staff get 404 below, as for a case not theirs.
    super::auth::require_staff_or_division(
        &principal,
        &[Role::Clerk, Role::Approver, Role::Auditor, Role::Admin],
    )?;
    let found = match crate::domain::case::ApplicationId::parse(id) {
        Some(id) => cases::application(conn, &id)?,
        None => None,
    };
    let case = match found {
        // Division staff read none of the applicant's other applications.
        Some(c) if principal.can_see(&c) && principal.division().is_none() => c,
        _ => return Err(ServiceError::NotFound),
    };
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let on = case.clock.received_on.unwrap_or(case.registered_on);
    let count = cases::month_count(conn, &case, on)?;
    let earlier = cases::earlier_answered(conn, &case, 10)?
        .into_iter()
        .map(|c| EarlierAnswer {
            id: c.id.to_string(),
            tracking_number: c.tracking_number,
            description: c.handling.description.chars().take(200).collect(),
            outcome: c.handling.outcome,
            closed_on: c.clock.closed_on,
        })
        .collect();
    Ok(ApplicantHistory {
        month: on.format("%Y-%m").to_string(),
        applications_this_month: count,
        art35_monthly_threshold: agency.art35_monthly_threshold,
        above_threshold: count > i64::from(agency.art35_monthly_threshold),
        earlier_answers: earlier,
    })
}
