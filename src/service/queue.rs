//! The clerk queue: the cases a member of staff may list, filtered and paged, each with its next
//! deadline, the actions allowed now and the handling inside the office (a division's staff see
//! their division's cases only).

use chrono::NaiveDate;

use super::auth::{authenticate, require_staff_or_division, Principal};
use super::cases::Extras;
use super::clock::{next_info, NextDeadlineInfo};
use super::{FieldError, ServiceError, Services};
use crate::db::cases::{CaseFilter, Cursor, Sort};
use crate::db::models::ApplicationRow;
use crate::db::{cases, staff};
use crate::domain::case::{ApplicantKind, ApplicationId, Status};
use crate::domain::time::legal_date;
use crate::domain::workflow::{self, Role};

/// The clerk queue's query, as parsed at the edge.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub statuses: Vec<Status>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub applicant_kind: Option<ApplicantKind>,
    pub text: Option<String>,
    /// For staff bound to no agency: which agency to list (all when absent).
    pub agency_code: Option<String>,
    pub cursor: Option<Cursor>,
    pub limit: i64,
    /// Cases whose next deadline falls within this many working days (overdue ones included).
    pub due_within: Option<u32>,
    /// Only overdue cases (true), or none of them (false).
    pub overdue: Option<bool>,
    /// Only cases with an extension requested and not yet decided.
    pub extension_requested: bool,
    /// Inside the office: whose cases (`me`, a user's id, or `none` for unassigned).
    pub assignee: Option<AssigneeFilter>,
    /// Cases forwarded to this division (by code).
    pub division: Option<String>,
    /// Cases with an open internal due day within this many working days (overdue included).
    pub internal_due_within: Option<u32>,
    pub internal_overdue: Option<bool>,
    /// Drafts waiting at this approval level.
    pub awaiting_level: Option<u8>,
    pub sort: Sort,
}

/// Whose cases the queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    Me,
    Nobody,
    User(String),
}

pub struct Page {
    pub principal: Principal,
    /// Each case with its office's code, next deadline and the actions allowed now.
    pub items: Vec<PageItem>,
    pub next_cursor: Option<String>,
}

pub fn list(services: &Services, token: Option<&str>, q: &Query) -> Result<Page, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    // The queue: a division's staff get their division's cases only (below).
    let s = require_staff_or_division(
        &principal,
        &[Role::Clerk, Role::Approver, Role::Auditor, Role::Admin],
    )?;
    let agency_id = match (&s.agency_id, &q.agency_code) {
        (Some(own), None) => Some(own.clone()),
        (own, Some(code)) => {
            let found = staff::agency_by_code(conn, code)?;
            match found {
                // Staff bound to an agency asking for another get an empty page, not a hint.
                Some(a) if own.as_ref().is_none_or(|o| *o == a.id) => Some(a.id),
                _ => {
                    return Ok(Page {
                        principal,
                        items: Vec::new(),
                        next_cursor: None,
                    })
                }
            }
        }
        (None, None) => None,
    };
    // Working days are counted on the office's calendar (the national one across offices).
    let cal = services.calendars.get(conn, agency_id.as_deref())?;
    let today = legal_date(services.now());
    let filter = filter_of(conn, &principal, q, agency_id, &cal, today)?;
    let mut rows = cases::list(conn, &filter)?;
    let next_cursor = if rows.len() as i64 > q.limit {
        rows.truncate(q.limit as usize);
        rows.last().map(|(c, _)| Cursor::after(q.sort, c).encode())
    } else {
        None
    };
    let items = items_of(conn, services, &principal, rows, today)?;
    Ok(Page {
        principal,
        items,
        next_cursor,
    })
}

pub struct PageItem {
    pub case: ApplicationRow,
    pub agency_code: String,
    pub next_deadline: Option<NextDeadlineInfo>,
    pub allowed: Vec<&'static str>,
    /// Staff: the handling inside the office (assignee, divisions consulted, their replies);
    /// the rest of `Extras` is for the view of one case.
    pub extras: Extras,
}

/// The query as the database filters it: working-day windows counted on the office's calendar,
/// and a division's staff confined to their division.
fn filter_of(
    conn: &mut crate::db::DbConnection,
    principal: &Principal,
    q: &Query,
    agency_id: Option<String>,
    cal: &crate::domain::calendar::Calendar,
    today: NaiveDate,
) -> Result<CaseFilter, ServiceError> {
    let me = principal.staff().map(|s| s.id.clone()).unwrap_or_default();
    let due_by = match q.due_within {
        Some(n) => Some(cal.add(today, n).map_err(|e| {
            ServiceError::Invalid(vec![FieldError::new(
                "due_within",
                "out_of_calendar",
                e.message(),
            )])
        })?),
        None => None,
    };
    let internal_due_by = match q.internal_due_within {
        Some(n) => Some(cal.add(today, n).map_err(|e| {
            ServiceError::Invalid(vec![FieldError::new(
                "internal_due_within",
                "out_of_calendar",
                e.message(),
            )])
        })?),
        None => None,
    };
    let assignee_id = match &q.assignee {
        Some(AssigneeFilter::Me) => Some(Some(me.clone())),
        Some(AssigneeFilter::User(id)) => Some(Some(id.clone())),
        Some(AssigneeFilter::Nobody) => Some(None),
        None => None,
    };
    // Division staff see what is forwarded to their division, and nothing else of the office.
    let division_id = match (principal.division(), &q.division) {
        (Some(own), _) => Some(own.to_owned()),
        (None, Some(code)) => {
            let found = match &agency_id {
                Some(a) => crate::db::divisions::by_code(conn, a, code)?,
                None => None,
            };
            match found {
                Some(d) => Some(d.id),
                None => {
                    return Err(ServiceError::invalid(
                        "division",
                        "unknown_division",
                        crate::msg!(
                            "本机关没有代码为 {code} 的处室",
                            "the office has no division with the code {code}"
                        ),
                    ))
                }
            }
        }
        (None, None) => None,
    };
    // A division's staff: no names searched (unless the office lets them see the applicant),
    // and no questions about who handles a case or where its approval stands.
    let (assignee_id, awaiting_level, hide_names) = match principal.division() {
        Some(_) => {
            let sees = match &agency_id {
                Some(a) => staff::agency_by_id(conn, a)?.divisions_see_applicant,
                None => false,
            };
            (None, None, !sees)
        }
        None => (assignee_id, q.awaiting_level.map(i32::from), false),
    };
    Ok(CaseFilter {
        hide_names,
        assignee_id,
        division_id,
        internal_due_by,
        internal_overdue: q.internal_overdue.map(|o| (o, today)),
        awaiting_level,
        agency_id,
        statuses: q.statuses.clone(),
        received_from: q.received_from,
        received_to: q.received_to,
        applicant_kind: q.applicant_kind,
        text: q.text.clone(),
        due_by,
        overdue: q.overdue.map(|o| (o, today)),
        extension_requested: q.extension_requested,
        sort: q.sort,
        cursor: q.cursor.clone(),
        // One more than asked tells whether there is a next page.
        limit: q.limit + 1,
    })
}

/// Each listed case with its office's code, next deadline, the actions allowed now and the
/// handling inside the office; the page's forwardings read at once.
fn items_of(
    conn: &mut crate::db::DbConnection,
    services: &Services,
    principal: &Principal,
    rows: Vec<(ApplicationRow, String)>,
    today: NaiveDate,
) -> Result<Vec<PageItem>, ServiceError> {
    let mut items = Vec::with_capacity(rows.len());
    let mut calendars = services.calendars.batch();
    let mut offices = std::collections::HashMap::new();
    // The page's forwardings in one read (the handling shown and the actions allowed need them).
    let ids: Vec<ApplicationId> = rows.iter().map(|(c, _)| c.id.clone()).collect();
    let mut forwarded: std::collections::HashMap<ApplicationId, Vec<workflow::Forwarding>> =
        std::collections::HashMap::new();
    for r in crate::db::forwardings::of_cases(conn, &ids)? {
        forwarded
            .entry(r.application_id.clone())
            .or_default()
            .push(r.forwarding()?);
    }
    for (case, code) in rows {
        let cal = calendars.get(conn, &case.agency_id)?;
        let next = next_info(&cal, &case, today);
        let mut c = case.case()?;
        c.office = match offices.get(&case.agency_id) {
            Some(o) => Clone::clone(o),
            None => {
                let o = super::admin::office_settings(conn, &case.agency_id)?;
                offices.insert(case.agency_id.clone(), o.clone());
                o
            }
        };
        c.forwardings = forwarded.remove(&case.id).unwrap_or_default();
        let allowed = workflow::allowed_actions(&c, &principal.actor(), &cal, today)
            .iter()
            .map(|k| k.as_str())
            .collect();
        let extras = Extras {
            inside: super::inside::of_case(&case, &c.forwardings, &c.office, principal, today),
            ..Extras::default()
        };
        items.push(PageItem {
            case,
            agency_code: code,
            next_deadline: next,
            allowed,
            extras,
        });
    }
    Ok(items)
}
