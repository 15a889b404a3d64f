//! Printable documents for applicants without e-mail (issue 15): the receipt (回执), the
//! correction notice and the fee notice, with the same contents as the e-mailed notices
//! (the same templates and values), for a clerk to print and post or hand over.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::auth::authenticate;
use super::{ServiceError, Services};
use crate::db::{events, staff};
use crate::domain::workflow::{ActionKind, Role};

/// Which document to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printable {
    Receipt,
    Correction,
    Fee,
}

impl Printable {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "receipt" => Some(Self::Receipt),
            "correction" => Some(Self::Correction),
            "fee" => Some(Self::Fee),
            _ => None,
        }
    }

    /// The notice template it shares with the e-mail.
    fn template(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::Correction => "correction_notice",
            Self::Fee => "fee_notice",
        }
    }

    /// The step that issues it (none for the receipt: every case has one).
    fn step(self) -> Option<ActionKind> {
        match self {
            Self::Receipt => None,
            Self::Correction => Some(ActionKind::RequestCorrection),
            Self::Fee => Some(ActionKind::IssueFeeNotice),
        }
    }

    /// The document's title, as printed.
    pub fn title(self) -> &'static str {
        match self {
            Self::Receipt => "政府信息公开申请回执",
            Self::Correction => "政府信息公开申请补正告知书",
            Self::Fee => "政府信息公开信息处理费缴费通知书",
        }
    }
}

/// A document ready to print: its title, the office, and its body (escaped HTML).
#[derive(Debug, Clone)]
pub struct Printed {
    pub title: &'static str,
    pub agency_name: String,
    pub tracking_number: String,
    pub application_id: String,
    pub html: String,
    /// The document's date (成文日期), printed under the office's name.
    pub issued_on: chrono::NaiveDate,
}

/// The document `which` of a case the staff member may see; `None` when the case has no such
/// notice (no correction asked, no fee notice issued). `access_token` goes on a receipt printed
/// as the case is registered (it is shown only then).
pub fn document(
    services: &Services,
    token: Option<&str>,
    id: &str,
    which: Printable,
    access_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Printed>, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    // A division's staff get 404 from the case's visibility, as for a case not theirs.
    super::auth::require_staff_or_division(
        &principal,
        &[Role::Clerk, Role::Approver, Role::Auditor, Role::Admin],
    )?;
    let case = super::cases::visible_part(
        conn,
        &principal,
        id,
        crate::domain::visibility::Part::Printable,
    )?;
    let history = events::for_application(conn, &case.id)?;
    let day = |at: chrono::NaiveDateTime| crate::domain::time::legal_date(at.and_utc());
    // The document's date (成文日期): the day its step was taken; the receipt's, the day the
    // case was opened.
    let (payload, issued_on) = match which.step() {
        None => (
            Value::Null,
            history.first().map_or_else(
                || crate::domain::time::legal_date(now),
                |e| day(e.occurred_at),
            ),
        ),
        Some(step) => {
            let last = history.iter().rev().find(|e| e.action == step.as_str());
            match last.and_then(|e| {
                serde_json::from_str::<Value>(&e.payload)
                    .ok()
                    .map(|p| (p, day(e.occurred_at)))
            }) {
                Some(found) => found,
                None => return Ok(None),
            }
        }
    };
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    let mut ctx = super::notices::context_of(&agency, &cal, &case, now);
    if which == Printable::Fee {
        let per_page = payload["scale"] == "per_page";
        ctx["fee_scale_label"] = json!(if per_page {
            "按量计收"
        } else {
            "按件计收"
        });
        ctx["fee_unit"] = json!(if per_page { "页" } else { "件" });
    }
    ctx["payload"] = payload;
    ctx["access_token"] = json!(access_token);
    let rendered = services
        .templates
        .render(which.template(), &ctx)
        .map_err(ServiceError::Internal)?;
    Ok(Some(Printed {
        title: which.title(),
        agency_name: agency.name.clone(),
        tracking_number: case.tracking_number.clone(),
        application_id: case.id.to_string(),
        html: rendered.html,
        issued_on,
    }))
}
