//! Inside the office: who handles a case (the assignee), the divisions (处室) it is forwarded to
//! for their proposed answer, with internal due dates, and the approval chain of one or two
//! levels. None of this is statutory: the internal deadlines are never mixed with the legal
//! ones, and the applicant sees none of it (domain::visibility).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::case::Outcome;
use super::decision::WithheldPart;
use super::workflow::{Actor, Role};

/// Default working days a division has to reply to a forwarding (an office may set its own).
pub const DEFAULT_FORWARDING_WORKING_DAYS: i32 = 5;

/// A division of the office (处室).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub id: String,
    pub code: String,
    pub name: String,
}

/// An active member of the office's staff, as the workflow needs to know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The division they work in; staff of a division see and do only what is forwarded to it.
    pub division_id: Option<String>,
    /// For approvers: the level they approve at (1: head of the disclosure unit, 2: the leader
    /// in charge, 分管领导).
    pub approval_level: u8,
}

/// The office's people and divisions, read with the case. `None` in `Office` when the caller
/// did not read them (pure tests of other rules); the service always does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Staffing {
    pub members: Vec<Member>,
    pub divisions: Vec<Division>,
}

impl Staffing {
    pub fn member(&self, id: Option<&str>) -> Option<&Member> {
        let id = id?;
        self.members.iter().find(|m| m.id == id)
    }

    pub fn division_by_code(&self, code: &str) -> Option<&Division> {
        self.divisions
            .iter()
            .find(|d| d.code.eq_ignore_ascii_case(code.trim()))
    }

    pub fn division(&self, id: &str) -> Option<&Division> {
        self.divisions.iter().find(|d| d.id == id)
    }

    /// The division an actor works in, if any.
    pub fn division_of(&self, actor: &Actor) -> Option<&str> {
        self.member(actor.id.as_deref())?.division_id.as_deref()
    }

    /// Who may approve at `level` in an office of `levels` levels, leaving out `excluded` (the
    /// drafter, and the earlier level's approver): four eyes at every level.
    pub fn approvers_at<'a>(
        &'a self,
        levels: u8,
        level: u8,
        excluded: &'a [Option<&'a str>],
    ) -> impl Iterator<Item = &'a Member> + 'a {
        self.members.iter().filter(move |m| {
            m.role == Role::Approver
                && m.division_id.is_none()
                && level_of(levels, m.approval_level) == level
                && !excluded.contains(&Some(m.id.as_str()))
        })
    }

    /// Who a case may be assigned to: the office's own clerks and approvers (not divisions').
    pub fn can_handle(&self, id: &str) -> bool {
        self.members.iter().any(|m| {
            m.id == id && m.division_id.is_none() && matches!(m.role, Role::Clerk | Role::Approver)
        })
    }
}

/// The level an approver acts at: in a one-level office every approver is level 1.
pub fn level_of(levels: u8, approval_level: u8) -> u8 {
    if levels <= 1 {
        1
    } else {
        approval_level.clamp(1, 2)
    }
}

/// A request to a division for its proposed answer (相关处室提出办理意见), with its internal
/// due date, and the reply once it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forwarding {
    /// `f1`, `f2`, … in the order forwarded.
    pub id: String,
    pub division_id: String,
    pub asked: String,
    pub forwarded_on: NaiveDate,
    pub forwarded_by: Option<String>,
    pub due_on: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub replied_by: Option<String>,
    pub reply: Option<DivisionReply>,
}

impl Forwarding {
    pub fn is_open(&self) -> bool {
        self.replied_on.is_none()
    }

    /// Late: still open after its due day, or replied after it.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        self.replied_on.unwrap_or(today) > self.due_on
    }
}

/// The division's proposed answer: not an answer to the applicant, but what the office drafts
/// from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct DivisionReply {
    pub outcome: Outcome,
    #[validate(custom(function = "super::text::written_text"))]
    pub reasoning: String,
    #[validate(custom(function = "super::text::reason_text"))]
    pub legal_basis: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    pub withheld: Vec<WithheldPart>,
    /// The documents concerned (title or 文号), as the division names them.
    #[serde(default)]
    #[validate(length(max = 50), custom(function = "document_names"))]
    pub documents: Vec<String>,
}

fn document_names(items: &[String]) -> Result<(), validator::ValidationError> {
    if items
        .iter()
        .any(|i| i.trim().is_empty() || i.chars().count() > 500)
    {
        return Err(validator::ValidationError::new("blank_or_long_document")
            .with_message("every document must be named in 1 to 500 characters".into()));
    }
    Ok(())
}

/// `assign`: the case gets the person handling it (专人负责).
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    #[validate(length(min = 1, max = 100))]
    pub assignee_id: String,
    #[validate(length(max = 1000))]
    pub reason: Option<String>,
}

/// `reassign`: another person takes the case over, with the reason.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Reassign {
    #[validate(length(min = 1, max = 100))]
    pub assignee_id: String,
    #[validate(custom(function = "super::text::reason_text"))]
    pub reason: String,
}

/// `forward`: the office asks one or more divisions for their proposed answer.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Forward {
    /// The divisions' codes (e.g. `FGC`).
    #[validate(length(min = 1, max = 20))]
    pub divisions: Vec<String>,
    /// What the divisions are asked.
    #[validate(custom(function = "super::text::written_text"))]
    pub asked: String,
    /// The internal due date; by default the office's working days from today.
    #[serde(default, with = "super::date::strict_option")]
    pub due_on: Option<NaiveDate>,
}

/// `reply_to_forwarding`: the division's proposed answer (the fields of `DivisionReply`, and
/// which forwarding it answers).
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplyToForwarding {
    /// Which forwarding (`f1`, …); optional when one waits for the division.
    #[validate(custom(function = "super::text::label_text"))]
    pub forwarding_id: Option<String>,
    pub outcome: Outcome,
    #[validate(custom(function = "super::text::written_text"))]
    pub reasoning: String,
    #[validate(custom(function = "super::text::reason_text"))]
    pub legal_basis: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    pub withheld: Vec<WithheldPart>,
    #[serde(default)]
    #[validate(length(max = 50), custom(function = "document_names"))]
    pub documents: Vec<String>,
}

impl ReplyToForwarding {
    pub fn reply(&self) -> DivisionReply {
        DivisionReply {
            outcome: self.outcome,
            reasoning: self.reasoning.clone(),
            legal_basis: self.legal_basis.clone(),
            withheld: self.withheld.clone(),
            documents: self.documents.clone(),
        }
    }
}

/// An internal deadline: a division's reply due (never a statutory deadline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InternalDeadline {
    pub forwarding_id: String,
    pub division_id: String,
    pub due_on: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub late: bool,
}

/// The internal deadlines of a case on `today`, in the order forwarded.
pub fn internal_deadlines(forwardings: &[Forwarding], today: NaiveDate) -> Vec<InternalDeadline> {
    forwardings
        .iter()
        .map(|f| InternalDeadline {
            forwarding_id: f.id.clone(),
            division_id: f.division_id.clone(),
            due_on: f.due_on,
            replied_on: f.replied_on,
            late: f.is_late(today),
        })
        .collect()
}

/// The earliest due day among the forwardings still waiting for a reply (the queue's internal
/// deadline).
pub fn next_internal_due(forwardings: &[Forwarding]) -> Option<NaiveDate> {
    forwardings
        .iter()
        .filter(|f| f.is_open())
        .map(|f| f.due_on)
        .min()
}

/// One forwarding as the office's statistics count it.
#[derive(Debug, Clone)]
pub struct Forwarded {
    pub division_id: String,
    pub forwarded_on: NaiveDate,
    pub due_on: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    /// The day the case closed, if it did: an open forwarding of a closed case waits no more.
    pub case_closed_on: Option<NaiveDate>,
}

/// Per-division turnaround: forwarded → replied, in working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turnaround {
    pub division: String,
    pub name: String,
    pub forwarded: u32,
    pub replied: u32,
    pub replied_late: u32,
    pub open: u32,
    pub open_overdue: u32,
    /// The median (the lower middle one of an even count) and the longest, in working days.
    pub median_working_days: Option<u32>,
    pub max_working_days: Option<u32>,
}

/// Counts each division's forwardings: every division of the office has a row, in code order.
pub fn turnaround(
    cal: &super::calendar::Calendar,
    divisions: &[Division],
    rows: &[Forwarded],
    today: NaiveDate,
) -> Vec<Turnaround> {
    divisions
        .iter()
        .map(|d| {
            let mine: Vec<&Forwarded> = rows.iter().filter(|r| r.division_id == d.id).collect();
            let mut days: Vec<u32> = mine
                .iter()
                .filter_map(|r| {
                    let replied = r.replied_on?;
                    let n = cal.between(r.forwarded_on, replied).ok()?;
                    u32::try_from(n.max(0)).ok()
                })
                .collect();
            days.sort_unstable();
            let count = |f: &dyn Fn(&Forwarded) -> bool| {
                u32::try_from(mine.iter().filter(|r| f(r)).count()).unwrap_or(u32::MAX)
            };
            Turnaround {
                division: d.code.clone(),
                name: d.name.clone(),
                forwarded: count(&|_| true),
                replied: count(&|r| r.replied_on.is_some()),
                replied_late: count(&|r| r.replied_on.is_some_and(|on| on > r.due_on)),
                open: count(&|r| r.replied_on.is_none() && r.case_closed_on.is_none()),
                open_overdue: count(&|r| {
                    r.replied_on.is_none() && r.case_closed_on.is_none() && today > r.due_on
                }),
                median_working_days: days.get(days.len().saturating_sub(1) / 2).copied(),
                max_working_days: days.last().copied(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, role: Role, level: u8, division: Option<&str>) -> Member {
        Member {
            id: id.into(),
            name: id.into(),
            role,
            division_id: division.map(str::to_owned),
            approval_level: level,
        }
    }

    #[test]
    fn approvers_at_a_level_leave_out_the_drafter_and_divisions() {
        let s = Staffing {
            members: vec![
                member("h", Role::Approver, 1, None),
                member("l", Role::Approver, 2, None),
                member("d", Role::Approver, 1, Some("div")),
                member("c", Role::Clerk, 1, None),
            ],
            divisions: vec![],
        };
        let ids = |levels, level, ex: &[Option<&str>]| -> Vec<String> {
            s.approvers_at(levels, level, ex)
                .map(|m| m.id.clone())
                .collect()
        };
        assert_eq!(ids(2, 1, &[]), vec!["h"]);
        assert_eq!(ids(2, 2, &[]), vec!["l"]);
        assert_eq!(ids(2, 1, &[Some("h")]), Vec::<String>::new());
        // One level: the leader approves at level 1 too.
        assert_eq!(ids(1, 1, &[]), vec!["h", "l"]);
        assert_eq!(ids(1, 2, &[]), Vec::<String>::new());
        assert!(s.can_handle("c") && s.can_handle("h") && !s.can_handle("d"));
    }

    #[test]
    fn a_forwarding_is_late_after_its_due_day_not_on_it() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let mut f = Forwarding {
            id: "f1".into(),
            division_id: "x".into(),
            asked: "意见".into(),
            forwarded_on: d("2026-03-02"),
            forwarded_by: None,
            due_on: d("2026-03-09"),
            replied_on: None,
            replied_by: None,
            reply: None,
        };
        assert!(!f.is_late(d("2026-03-09")));
        assert!(f.is_late(d("2026-03-10")));
        assert_eq!(
            next_internal_due(std::slice::from_ref(&f)),
            Some(d("2026-03-09"))
        );
        f.replied_on = Some(d("2026-03-09"));
        assert!(!f.is_late(d("2026-04-01")));
        assert_eq!(next_internal_due(&[f]), None);
    }
}
