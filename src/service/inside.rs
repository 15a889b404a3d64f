//! What staff read of a case's handling inside the office (domain::handling): the person
//! handling it, the forwardings to divisions with their replies, and where the draft waits in
//! the approval chain. Division staff read only their own division's forwardings; applicants
//! read none of it.

use chrono::NaiveDate;
use serde::Serialize;

use super::auth::Principal;
use crate::db::models::ApplicationRow;
use crate::domain::handling::{DivisionReply, Forwarding, Staffing};
use crate::domain::workflow::Office;

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForwardingInfo {
    pub id: String,
    /// The division's code and name.
    pub division: String,
    pub division_name: String,
    pub asked: String,
    pub forwarded_on: NaiveDate,
    /// The internal due day (never a statutory deadline).
    pub due_on: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub reply: Option<DivisionReply>,
    /// Open after its due day, or replied after it.
    pub late: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inside {
    pub assignee: Option<Person>,
    pub forwardings: Vec<ForwardingInfo>,
    pub approval_levels: u8,
    /// While a draft waits for approval: the level it waits at.
    pub awaiting_approval_level: Option<u8>,
    /// In a two-level office: who approved the draft at level 1.
    pub first_approved_by: Option<Person>,
    /// The earliest internal due day still open.
    pub internal_due_on: Option<NaiveDate>,
    /// Read by a division's staff: the applicant is shown only when the office allows it.
    #[serde(skip)]
    pub division_view: bool,
    #[serde(skip)]
    pub sees_applicant: bool,
}

fn person(staffing: Option<&Staffing>, id: Option<&str>) -> Option<Person> {
    let id = id?;
    let name = staffing
        .and_then(|s| s.member(Some(id)))
        .map_or_else(|| "（已停用）".to_owned(), |m| m.name.clone());
    Some(Person {
        id: id.to_owned(),
        name,
    })
}

/// The handling of a case as `principal` may read it; `None` for applicants.
pub fn of_case(
    row: &ApplicationRow,
    forwardings: &[Forwarding],
    office: &Office,
    principal: &Principal,
    today: NaiveDate,
) -> Option<Inside> {
    principal.staff()?;
    let staffing = office.staffing.as_ref();
    let division = principal.division();
    let theirs: Vec<&Forwarding> = forwardings
        .iter()
        .filter(|f| division.is_none_or(|d| d == f.division_id))
        .collect();
    let internal_due_on = theirs
        .iter()
        .filter(|f| f.is_open() && !row.status().is_terminal())
        .map(|f| f.due_on)
        .min();
    let forwardings = theirs
        .into_iter()
        .map(|f| {
            let d = staffing.and_then(|s| s.division(&f.division_id));
            ForwardingInfo {
                id: f.id.clone(),
                division: d.map_or_else(String::new, |d| d.code.clone()),
                division_name: d.map_or_else(String::new, |d| d.name.clone()),
                asked: f.asked.clone(),
                forwarded_on: f.forwarded_on,
                due_on: f.due_on,
                replied_on: f.replied_on,
                reply: f.reply.clone(),
                // A closed case's forwardings are judged on the day it closed.
                late: f.is_late(row.clock.closed_on.unwrap_or(today)),
            }
        })
        .collect();
    let h = &row.handling;
    let inside_only = division.is_none();
    Some(Inside {
        assignee: person(staffing, h.assignee_id.as_deref()).filter(|_| inside_only),
        forwardings,
        approval_levels: office.approval_levels,
        awaiting_approval_level: h
            .approval_stage
            .and_then(|n| u8::try_from(n).ok())
            .filter(|_| inside_only),
        first_approved_by: person(staffing, h.first_approved_by.as_deref()).filter(|_| inside_only),
        internal_due_on,
        division_view: !inside_only,
        sees_applicant: inside_only || office.divisions_see_applicant,
    })
}
