//! Divisions (处室) and the office's internal set-up: approval levels, the divisions' default
//! reply period, and which division or approval level a user has (domain::handling).

use chrono::NaiveDate;
use serde::Serialize;

use super::auth::{authenticate, require_staff, Principal};
use super::{FieldError, ServiceError, Services};
use crate::db::divisions::{self, DivisionRow};
use crate::db::models::{Agency, User};
use crate::db::{is_unique_violation, staff, write_tx, DbConnection};
use crate::domain::case::UserId;
use crate::domain::handling::Turnaround;
use crate::domain::problem_code::ProblemCode;
use crate::domain::workflow::Role;
use crate::msg;

/// A division as listed: its code, name, and its people.
#[derive(Debug, Clone, Serialize)]
pub struct DivisionView {
    pub code: String,
    pub name: String,
    pub members: Vec<DivisionMember>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DivisionMember {
    pub id: String,
    pub name: String,
    pub head: bool,
}

/// Division codes: 1 to 16 capitals, digits or dashes (e.g. `FGC` for 法规处).
fn division_code(code: &str) -> Result<String, FieldError> {
    let code = code.trim().to_uppercase();
    let ok = (1..=16).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(code)
    } else {
        Err(FieldError::new(
            "code",
            "invalid_division_code",
            msg!(
                "处室代码 {code:?} 须为 1 至 16 个大写字母、数字或短横线",
                "the division code {code:?} must be 1 to 16 letters, digits or dashes"
            ),
        ))
    }
}

/// Adds a division to an office; its code is unique within the office.
pub fn add_division(
    conn: &mut DbConnection,
    agency: &Agency,
    code: &str,
    name: &str,
) -> Result<DivisionRow, ServiceError> {
    let mut errors = Vec::new();
    let code = division_code(code).map_err(|e| errors.push(e)).ok();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "length",
            msg!(
                "处室名称须为一行 1 至 100 个字符",
                "the division name must be 1 to 100 characters on one line"
            ),
        ));
    }
    let Some(code) = code.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let row = DivisionRow {
        id: uuid::Uuid::now_v7().to_string(),
        agency_id: agency.id.clone(),
        code: code.clone(),
        name: name.to_owned(),
        created_at: staff::now(),
    };
    write_tx(conn, |conn| match divisions::insert(conn, &row) {
        Err(e) if is_unique_violation(&e) => Err(ServiceError::Conflict(
            ProblemCode::DivisionExists,
            msg!(
                "本机关已有代码为 {code} 的处室",
                "the office already has a division with the code {code}"
            ),
        )),
        other => Ok(other?),
    })?;
    Ok(row)
}

/// The office's divisions with their people (active users).
pub fn list(conn: &mut DbConnection, agency_id: &str) -> Result<Vec<DivisionView>, ServiceError> {
    let people = staff::users(conn, Some(agency_id))?;
    Ok(divisions::of_agency(conn, agency_id)?
        .into_iter()
        .map(|d| DivisionView {
            members: people
                .iter()
                .filter(|u| u.disabled_at.is_none() && u.division_id.as_deref() == Some(&d.id))
                .map(|u| DivisionMember {
                    id: u.id.to_string(),
                    name: u.name.clone(),
                    head: u.division_head,
                })
                .collect(),
            code: d.code,
            name: d.name,
        })
        .collect())
}

/// What the office sets for its internal handling; `None` keeps a value.
#[derive(Debug, Clone, Default)]
pub struct HandlingSettings {
    pub approval_levels: Option<i32>,
    pub forwarding_working_days: Option<i32>,
    pub divisions_see_applicant: Option<bool>,
}

/// Sets an office's approval levels, the divisions' default reply period and whether divisions
/// see the applicant. Two levels need an active level-2 approver: otherwise every draft would
/// be refused, so the change is refused instead.
pub fn set_handling(
    conn: &mut DbConnection,
    agency: &Agency,
    s: &HandlingSettings,
) -> Result<Agency, ServiceError> {
    let mut errors = Vec::new();
    if s.approval_levels.is_some_and(|n| !(1..=2).contains(&n)) {
        errors.push(FieldError::new(
            "approval_levels",
            "range",
            msg!("审批级数须为 1 或 2", "approval levels are 1 or 2"),
        ));
    }
    if s.forwarding_working_days
        .is_some_and(|n| !(1..=20).contains(&n))
    {
        errors.push(FieldError::new(
            "forwarding_working_days",
            "range",
            msg!(
                "处室回复期限须为 1 至 20 个工作日",
                "the divisions' reply period is 1 to 20 working days"
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let levels = s.approval_levels.unwrap_or(agency.approval_levels);
    let days = s
        .forwarding_working_days
        .unwrap_or(agency.forwarding_working_days);
    let see = s
        .divisions_see_applicant
        .unwrap_or(agency.divisions_see_applicant);
    write_tx(conn, |conn| {
        if levels == 2 {
            let staffing = divisions::staffing(conn, &agency.id)?;
            if staffing.approvers_at(2, 2, &[]).next().is_none() {
                return Err(ServiceError::Conflict(
                    ProblemCode::NoEligibleApprover,
                    msg!(
                        "本机关还没有第二级审批人（分管领导）：请先添加 approval_level 为 2 的审批人，再设为两级审批",
                        "the office has no level-2 approver yet: add an approver with approval level 2 \
                         before setting two levels"
                    ),
                ));
            }
        }
        // A draft waiting now must still find its approvers under the new levels.
        refuse_stranding_with(conn, &agency.id, Some(levels), |_| {})?;
        staff::set_handling(conn, &agency.id, levels, days, see)?;
        Ok(())
    })?;
    Ok(Agency {
        approval_levels: levels,
        forwarding_working_days: days,
        divisions_see_applicant: see,
        ..agency.clone()
    })
}

/// Refuses a change of the office's people that would leave a draft waiting at a level, or an
/// extension request, with nobody left who may decide it (issue 16: a draft never gets stuck).
/// `change` is the staffing as it would be after the change.
pub fn refuse_stranding(
    conn: &mut DbConnection,
    agency_id: &str,
    change: impl FnOnce(&mut crate::domain::handling::Staffing),
) -> Result<(), ServiceError> {
    refuse_stranding_with(conn, agency_id, None, change)
}

/// `refuse_stranding`, with the office's approval levels as they would be (`None`: as now).
fn refuse_stranding_with(
    conn: &mut DbConnection,
    agency_id: &str,
    new_levels: Option<i32>,
    change: impl FnOnce(&mut crate::domain::handling::Staffing),
) -> Result<(), ServiceError> {
    use crate::db::schema::applications as a;
    use crate::domain::case::Status;
    use crate::domain::workflow::ExtensionState;
    use diesel::prelude::*;
    let agency = staff::agency_by_id(conn, agency_id)?;
    let levels = u8::try_from(new_levels.unwrap_or(agency.approval_levels)).unwrap_or(1);
    let mut staffing = divisions::staffing(conn, agency_id)?;
    change(&mut staffing);
    type Waiting = (
        String,
        String,
        Option<i32>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let waiting: Vec<Waiting> = a::table
        .filter(a::agency_id.eq(agency_id))
        .filter(
            a::status
                .eq(Status::Decision)
                .or(a::extension_state.eq(ExtensionState::Requested)),
        )
        .filter(a::status.ne_all(Status::TERMINAL))
        .select((
            a::tracking_number,
            a::status,
            a::approval_stage,
            a::decision_drafted_by,
            a::first_approved_by,
            a::extension_requested_by,
        ))
        .load(conn)?;
    for (tracking, status, stage, drafter, first, requester) in waiting {
        let at = u8::try_from(stage.unwrap_or(1))
            .unwrap_or(1)
            .min(levels.max(1));
        let excluded = [drafter.as_deref(), first.as_deref()];
        // Every level still ahead of the draft needs someone (the drafter and level 1's
        // approver left out).
        let draft_stuck = status == Status::Decision.as_str()
            && (at..=levels.max(1)).any(|level| {
                staffing
                    .approvers_at(levels, level, &excluded)
                    .next()
                    .is_none()
            });
        let extension_stuck = requester.is_some()
            && !staffing.members.iter().any(|m| {
                m.role == Role::Approver
                    && m.division_id.is_none()
                    && Some(&m.id) != requester.as_ref()
            });
        if draft_stuck || extension_stuck {
            return Err(ServiceError::Conflict(
                ProblemCode::NoEligibleApprover,
                msg!(
                    "{tracking} 正等待审批，这样改动后没有人可以审批它：请先安排其他审批人",
                    "{tracking} waits for an approval that nobody could give after this change: \
                     arrange another approver first"
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses to take away from the office's own people someone who still handles open cases
/// (disabled, or moved into a division): they are handed over first (`reassign`), so that no
/// case is left with an assignee who cannot open it.
pub fn refuse_if_handling(conn: &mut DbConnection, user_id: &str) -> Result<(), ServiceError> {
    use crate::db::schema::applications as a;
    use crate::domain::case::Status;
    use diesel::prelude::*;
    let open: i64 = a::table
        .filter(a::assignee_id.eq(user_id))
        .filter(a::status.ne_all(Status::TERMINAL))
        .count()
        .get_result(conn)?;
    if open == 0 {
        return Ok(());
    }
    Err(ServiceError::Conflict(
        ProblemCode::StillAssigned,
        msg!(
            "此人仍承办 {open} 件在办申请：请先改派（reassign）给他人",
            "this person still handles {open} open applications: reassign them first"
        ),
    ))
}

/// A user's place inside the office as asked for: a division (by code) and whether they head
/// it, and for approvers the level they approve at.
#[derive(Debug, Clone, Default)]
pub struct Placement<'a> {
    pub division: Option<&'a str>,
    pub head: bool,
    pub approval_level: Option<i32>,
}

/// Checks a placement for a user of `role` in `agency`: divisions hold clerks; levels are for
/// approvers. Gives the division's id and the level to store.
pub fn placement(
    conn: &mut DbConnection,
    agency_id: Option<&str>,
    role: Role,
    p: &Placement<'_>,
) -> Result<(Option<String>, bool, i32), Vec<FieldError>> {
    let mut errors = Vec::new();
    let division = match (
        p.division.map(str::trim).filter(|c| !c.is_empty()),
        agency_id,
    ) {
        (None, _) => None,
        (Some(_), _) if role != Role::Clerk => {
            errors.push(FieldError::new(
                "division",
                "clerks_only",
                msg!(
                    "只有经办人（clerk）可以属于处室",
                    "only clerks belong to a division"
                ),
            ));
            None
        }
        (Some(code), Some(agency)) => match divisions::by_code(conn, agency, code) {
            Ok(Some(d)) => Some(d.id),
            Ok(None) => {
                errors.push(FieldError::new(
                    "division",
                    "unknown_division",
                    msg!(
                        "本机关没有代码为 {code} 的处室",
                        "the office has no division with the code {code}"
                    ),
                ));
                None
            }
            Err(e) => {
                errors.push(FieldError::new(
                    "division",
                    "unreadable",
                    msg!("{e}", "{e}"),
                ));
                None
            }
        },
        (Some(_), None) => {
            errors.push(FieldError::new(
                "division",
                "no_office",
                msg!(
                    "处室属于机关：请同时指定机关",
                    "a division belongs to an office: give the office too"
                ),
            ));
            None
        }
    };
    if p.head && division.is_none() && errors.is_empty() {
        errors.push(FieldError::new(
            "division_head",
            "no_division",
            msg!(
                "处室负责人须属于某个处室",
                "a division head belongs to a division"
            ),
        ));
    }
    let level = match (p.approval_level, role) {
        (None, _) => 1,
        (Some(n @ 1..=2), Role::Approver) => n,
        (Some(_), Role::Approver) => {
            errors.push(FieldError::new(
                "approval_level",
                "range",
                msg!("审批级别须为 1 或 2", "the approval level is 1 or 2"),
            ));
            1
        }
        (Some(_), _) => {
            errors.push(FieldError::new(
                "approval_level",
                "approvers_only",
                msg!(
                    "只有审批人（approver）有审批级别",
                    "only approvers have an approval level"
                ),
            ));
            1
        }
    };
    if errors.is_empty() {
        Ok((division, p.head, level))
    } else {
        Err(errors)
    }
}

/// Moves a user into a division (or out of it with `None`), or to another approval level.
pub fn place_user(
    conn: &mut DbConnection,
    user_id: &str,
    p: &Placement<'_>,
) -> Result<User, ServiceError> {
    let user = UserId::parse(user_id)
        .map(|id| staff::user_by_id(conn, &id))
        .transpose()?
        .flatten()
        .ok_or_else(|| ServiceError::UnknownUser(user_id.to_owned()))?;
    let (division_id, head, level) =
        placement(conn, user.agency_id.as_deref(), user.role, p).map_err(ServiceError::Invalid)?;
    write_tx(conn, |conn| {
        // Nobody's move strands a waiting draft or extension request.
        if division_id.is_some() && user.division_id.is_none() {
            refuse_if_handling(conn, user.id.as_str())?;
        }
        if let Some(agency) = &user.agency_id {
            let id = user.id.to_string();
            let (division, new_level) = (division_id.clone(), level);
            refuse_stranding(conn, agency, |s| {
                for m in s.members.iter_mut().filter(|m| m.id == id) {
                    m.division_id = division.clone();
                    m.approval_level = u8::try_from(new_level).unwrap_or(1);
                }
            })?;
        }
        staff::set_placement(conn, &user.id, division_id.as_deref(), head, level)?;
        Ok::<_, ServiceError>(())
    })?;
    Ok(User {
        division_id,
        division_head: head,
        approval_level: level,
        ..user
    })
}

/// Per-division turnaround over the forwardings made from `from` to `to` (inclusive).
pub fn turnaround(
    conn: &mut DbConnection,
    cal: &crate::domain::calendar::Calendar,
    agency_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<Turnaround>, ServiceError> {
    let divisions: Vec<_> = divisions::of_agency(conn, agency_id)?
        .iter()
        .map(DivisionRow::division)
        .collect();
    let rows = crate::db::forwardings::forwarded_between(conn, agency_id, from, to)?;
    Ok(crate::domain::handling::turnaround(
        cal, &divisions, &rows, today,
    ))
}

/// The API's division operations.
pub mod api {
    use super::*;

    /// The office the caller may read: its own staff, or an admin or auditor bound to none.
    fn readable_office(
        conn: &mut DbConnection,
        principal: &Principal,
        code: &str,
    ) -> Result<Agency, ServiceError> {
        let s = super::super::auth::require_staff_or_division(
            principal,
            &[Role::Clerk, Role::Approver, Role::Auditor, Role::Admin],
        )?;
        staff::agency_by_code(conn, code)?
            .filter(|a| s.agency_id.as_ref().is_none_or(|own| *own == a.id))
            .ok_or(ServiceError::NoSuchAgency)
    }

    pub fn list(
        services: &Services,
        token: Option<&str>,
        code: &str,
    ) -> Result<Vec<DivisionView>, ServiceError> {
        let conn = &mut *services.conn()?;
        let principal = authenticate(conn, token)?;
        let agency = readable_office(conn, &principal, code)?;
        super::list(conn, &agency.id)
    }

    pub fn add(
        services: &Services,
        token: Option<&str>,
        code: &str,
        division: &str,
        name: &str,
    ) -> Result<DivisionView, ServiceError> {
        let conn = &mut *services.conn()?;
        let principal = authenticate(conn, token)?;
        require_staff(&principal, &[Role::Admin])?;
        let agency = readable_office(conn, &principal, code)?;
        let row = add_division(conn, &agency, division, name)?;
        Ok(DivisionView {
            code: row.code,
            name: row.name,
            members: Vec::new(),
        })
    }

    pub fn turnaround(
        services: &Services,
        token: Option<&str>,
        code: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Turnaround>, ServiceError> {
        let conn = &mut *services.conn()?;
        let principal = authenticate(conn, token)?;
        // The office's statistics: not for a division's staff.
        require_staff(
            &principal,
            &[Role::Clerk, Role::Approver, Role::Auditor, Role::Admin],
        )?;
        let agency = readable_office(conn, &principal, code)?;
        let cal = services.calendars.get(conn, Some(&agency.id))?;
        let today = crate::domain::time::legal_date(services.now());
        super::turnaround(conn, &cal, &agency.id, from, to, today)
    }
}
