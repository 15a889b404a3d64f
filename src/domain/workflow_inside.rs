//! Inside the office (domain::handling): assignment, forwarding to divisions, their replies,
//! and the approval chain of one or two levels, with the guards that keep a draft from getting
//! stuck. A child of `workflow`.

use super::steps::Step;
use super::*;
use crate::domain::clock::Limits;
use crate::domain::handling::level_of;
use crate::domain::problem_code::ProblemCode as C;
use crate::msg;

/// The level an actor approves at, in this case's office.
fn actor_level(case: &Case, actor: &Actor) -> u8 {
    let levels = case.office.approval_levels;
    let own = case
        .office
        .staffing
        .as_ref()
        .and_then(|s| s.member(actor.id.as_deref()))
        .map_or(1, |m| m.approval_level);
    level_of(levels, own)
}

/// The level a draft waits at (never above the office's levels, should they have been lowered).
fn stage(case: &Case) -> u8 {
    case.approval_stage
        .unwrap_or(1)
        .min(case.office.approval_levels.max(1))
}

fn level_name(level: u8) -> (&'static str, &'static str) {
    match level {
        1 => (
            "第一级审批（公开工作机构负责人）",
            "level 1 (head of the disclosure unit)",
        ),
        _ => ("第二级审批（分管领导）", "level 2 (the leader in charge)"),
    }
}

fn dead_end(level: u8) -> WorkflowError {
    let (zh, en) = level_name(level);
    refused(
        C::NoEligibleApprover,
        msg!(
            "本机关没有可以进行{zh}的其他审批人（起草人和上一级审批人不能审批），答复会无人审批：请先在本机关增加审批人",
            "nobody in this office may approve at {en} (not the drafter, not the earlier level): \
             the draft would get stuck; add an approver to the office first"
        ),
    )
}

/// Division staff take one action, `reply_to_forwarding`; anything else is refused as such.
pub(super) fn division_staff_refusal(
    case: &Case,
    actor: &Actor,
    kind: ActionKind,
) -> Option<WorkflowError> {
    let staffing = case.office.staffing.as_ref()?;
    (kind != ActionKind::ReplyToForwarding && staffing.division_of(actor).is_some()).then(|| {
        refused(
            C::DivisionStaffOnly,
            msg!(
                "处室工作人员只能回复转办给本处室的事项",
                "division staff only reply to what is forwarded to their division"
            ),
        )
    })
}

/// Guards for what happens inside the office: division staff do only their division's part;
/// approvals at one's own level; nothing that would leave a draft or an extension with nobody
/// who may decide it.
pub(super) fn blocked_inside(
    case: &Case,
    actor: &Actor,
    kind: ActionKind,
) -> Option<WorkflowError> {
    use ActionKind as K;
    let staffing = case.office.staffing.as_ref();
    let division = staffing.and_then(|s| s.division_of(actor));
    match (kind, division) {
        (K::ReplyToForwarding, Some(d)) => {
            if !case
                .forwardings
                .iter()
                .any(|f| f.is_open() && f.division_id == d)
            {
                return Some(refused(
                    C::NoForwardingOpen,
                    msg!(
                        "没有转办给本处室、等待回复的事项",
                        "nothing forwarded to your division waits for a reply"
                    ),
                ));
            }
            return None;
        }
        (K::ReplyToForwarding, None) => {
            return Some(refused(
                C::DivisionStaffOnly,
                msg!(
                    "办理意见由被转办处室的工作人员回复",
                    "a forwarding is answered by the staff of the division it was sent to"
                ),
            ))
        }
        (_, Some(_)) => return division_staff_refusal(case, actor, kind),
        _ => {}
    }
    match kind {
        K::Forward if staffing.is_some_and(|s| s.divisions.is_empty()) => Some(refused(
            C::NoDivisions,
            msg!(
                "本机关还没有设立处室，无法转办（gongkai division add）",
                "the office has no divisions to forward to (gongkai division add)"
            ),
        )),
        K::Assign if case.assignee.is_some() => Some(refused(
            C::AlreadyAssigned,
            msg!(
                "该申请已有承办人：请用“改派”（reassign）并说明理由",
                "the case already has an assignee: use reassign, with the reason"
            ),
        )),
        K::Reassign if case.assignee.is_none() => Some(refused(
            C::NotAssigned,
            msg!(
                "该申请还没有承办人：请用“分派”（assign）",
                "the case has no assignee yet: use assign"
            ),
        )),
        K::Approve | K::Return => {
            let at = stage(case);
            if actor.id.is_some() && case.first_approved_by == actor.id {
                return Some(refused(
                    C::NotYourApprovalLevel,
                    msg!(
                        "您已在第一级审批过该答复草稿：下一级须由他人审批",
                        "you approved this draft at level 1: the next level is someone else's"
                    ),
                ));
            }
            if actor_level(case, actor) != at {
                let (zh, en) = level_name(at);
                return Some(refused(
                    C::NotYourApprovalLevel,
                    msg!(
                        "该答复草稿正等待{zh}，不在您的审批级别",
                        "the draft waits for {en}, which is not your level"
                    ),
                ));
            }
            let levels = case.office.approval_levels;
            match (kind, staffing) {
                (K::Approve, Some(s)) if at < levels => {
                    let drafter = case.decision_drafted_by.as_deref();
                    let excluded = [drafter, actor.id.as_deref()];
                    let mut next = s.approvers_at(levels, at + 1, &excluded);
                    next.next().is_none().then(|| dead_end(at + 1))
                }
                _ => None,
            }
        }
        // Four eyes from the first draft: the drafter needs an approver at every level.
        K::ProposeDecision => {
            let s = staffing?;
            let levels = case.office.approval_levels.max(1);
            let excluded = [actor.id.as_deref()];
            (1..=levels).find_map(|level| {
                let mut eligible = s.approvers_at(levels, level, &excluded);
                eligible.next().is_none().then(|| dead_end(level))
            })
        }
        // Art. 33 ¶1: the head of the unit decides, never who asked.
        K::RequestExtension => {
            let s = staffing?;
            let other = s.members.iter().any(|m| {
                m.role == Role::Approver
                    && m.division_id.is_none()
                    && Some(&m.id) != actor.id.as_ref()
            });
            (!other).then(|| {
                refused(
                    C::NoEligibleApprover,
                    msg!(
                        "本机关没有可以审批延期的其他审批人：请先在本机关增加审批人",
                        "nobody else in this office may decide an extension: add an approver first"
                    ),
                )
            })
        }
        _ => None,
    }
}

/// `assign` and `reassign`: to one of the office's own clerks or approvers.
pub(super) fn assign(s: &mut Step<'_>, assignee_id: &str) -> Result<(), WorkflowError> {
    let staffing = s.before.office.staffing.as_ref();
    let Some(member) = staffing
        .filter(|st| st.can_handle(assignee_id))
        .and_then(|st| st.member(Some(assignee_id)))
    else {
        return Err(WorkflowError::InvalidInput {
            field: "assignee_id",
            message: msg!(
                "承办人须是本机关在职的经办人或审批人（不是处室工作人员）",
                "the assignee must be an active clerk or approver of the office (not division staff)"
            ),
        });
    };
    if s.before.assignee.as_deref() == Some(assignee_id) {
        return Err(WorkflowError::InvalidInput {
            field: "assignee_id",
            message: msg!("此人已是承办人", "this person already handles the case"),
        });
    }
    s.payload["assignee_name"] = member.name.clone().into();
    s.payload["previous_assignee_id"] = s.before.assignee.clone().into();
    s.next.assignee = Some(assignee_id.to_owned());
    Ok(())
}

/// `forward`: one forwarding per division, due on the given day or after the office's working
/// days, never after the statutory answer is due (internal deadlines come first).
pub(super) fn forward(s: &mut Step<'_>, i: &Forward, limits: &Limits) -> Result<(), WorkflowError> {
    let Some(staffing) = s.before.office.staffing.as_ref() else {
        return Err(unknown_division("?"));
    };
    let answer_due = limits.answer_due_on.filter(|d| *d >= s.today);
    let due_on = match i.due_on {
        Some(d) => {
            if d < s.today {
                let today = s.today;
                return Err(WorkflowError::InvalidInput {
                    field: "due_on",
                    message: msg!(
                        "内部期限 {d} 早于今天（{today}）",
                        "the internal due date {d} is before today ({today})"
                    ),
                });
            }
            if !s.cal.is_working(d).unwrap_or(true) {
                return Err(WorkflowError::InvalidInput {
                    field: "due_on",
                    message: msg!(
                        "内部期限 {d} 不是工作日：请选一个工作日",
                        "the internal due date {d} is not a working day"
                    ),
                });
            }
            if let Some(a) = answer_due.filter(|a| d > *a) {
                return Err(WorkflowError::InvalidInput {
                    field: "due_on",
                    message: msg!(
                        "内部期限 {d} 晚于法定答复期限 {a}：处室须在法定期限前回复",
                        "the internal due date {d} is after the statutory answer date {a}"
                    ),
                });
            }
            d
        }
        None => {
            let days = u32::try_from(s.before.office.forwarding_working_days).unwrap_or(5);
            let by_default = s.cal.add(s.today, days).unwrap_or(s.today);
            answer_due.map_or(by_default, |a| by_default.min(a))
        }
    };
    let mut seen: Vec<String> = Vec::new();
    for code in &i.divisions {
        let code = code.trim().to_uppercase();
        if seen.contains(&code) {
            return Err(WorkflowError::InvalidInput {
                field: "divisions",
                message: msg!("处室 {code} 写了两次", "the division {code} is named twice"),
            });
        }
        seen.push(code);
    }
    let mut added = Vec::new();
    for code in &i.divisions {
        let division = staffing
            .division_by_code(code)
            .ok_or_else(|| unknown_division(code))?;
        let waiting = s
            .next
            .forwardings
            .iter()
            .any(|f| f.is_open() && f.division_id == division.id);
        if waiting {
            let (name, code) = (&division.name, &division.code);
            return Err(refused(
                C::AlreadyForwarded,
                msg!(
                    "已转办{name}（{code}），尚待回复",
                    "already forwarded to {name} ({code}) and waiting for its reply"
                ),
            ));
        }
        let id = format!("f{}", s.next.forwardings.len() + 1);
        added.push(serde_json::json!({
            "forwarding_id": id, "division": division.code, "division_name": division.name,
            "due_on": due_on,
        }));
        s.next.forwardings.push(Forwarding {
            id,
            division_id: division.id.clone(),
            asked: i.asked.clone(),
            forwarded_on: s.today,
            forwarded_by: s.actor.id.clone(),
            due_on,
            replied_on: None,
            replied_by: None,
            reply: None,
        });
    }
    s.payload["forwardings"] = added.into();
    s.payload["due_on"] = serde_json::to_value(due_on).unwrap_or_default();
    Ok(())
}

fn unknown_division(code: &str) -> WorkflowError {
    WorkflowError::InvalidInput {
        field: "divisions",
        message: msg!(
            "本机关没有代码为 {code} 的处室",
            "the office has no division with the code {code}"
        ),
    }
}

/// `reply_to_forwarding`: the division's proposed answer, on the day it is recorded.
pub(super) fn reply_to_forwarding(
    s: &mut Step<'_>,
    i: &ReplyToForwarding,
) -> Result<(), WorkflowError> {
    let division = s
        .before
        .office
        .staffing
        .as_ref()
        .and_then(|st| st.division_of(s.actor))
        .map(str::to_owned);
    let open: Vec<usize> = (0..s.next.forwardings.len())
        .filter(|&n| {
            let f = &s.next.forwardings[n];
            f.is_open() && Some(&f.division_id) == division.as_ref()
        })
        .collect();
    let n = match (&i.forwarding_id, open.as_slice()) {
        (None, [one]) => *one,
        (None, _) => {
            return Err(WorkflowError::InvalidInput {
                field: "forwarding_id",
                message: msg!(
                    "本处室有多项转办待回复：请写明回复哪一项（f1、f2…）",
                    "several forwardings wait for your division: name the one (f1, f2, …)"
                ),
            })
        }
        (Some(id), _) => *open
            .iter()
            .find(|&&n| s.next.forwardings[n].id == *id)
            .ok_or_else(|| WorkflowError::InvalidInput {
                field: "forwarding_id",
                message: msg!(
                    "没有转办给本处室、待回复的 {id}",
                    "no forwarding {id} waits for your division"
                ),
            })?,
    };
    let f = &mut s.next.forwardings[n];
    f.replied_on = Some(s.today);
    f.replied_by = s.actor.id.clone();
    f.reply = Some(i.reply());
    s.payload["forwarding_id"] = f.id.clone().into();
    s.payload["late"] = f.is_late(s.today).into();
    Ok(())
}

/// A draft may start from a division's reply: it must name one that came.
pub(super) fn drafted_from(s: &Step<'_>, i: &ProposeDecision) -> Result<(), WorkflowError> {
    let Some(id) = &i.from_forwarding else {
        return Ok(());
    };
    let replied = s
        .before
        .forwardings
        .iter()
        .any(|f| f.id == *id && f.reply.is_some());
    if replied {
        return Ok(());
    }
    Err(WorkflowError::InvalidInput {
        field: "from_forwarding",
        message: msg!(
            "{id} 不是已回复的转办：草稿只能依据已收到的处室意见",
            "{id} is not a forwarding that was replied to"
        ),
    })
}

/// Four eyes at every level: approved at the last level the answer is final; before it, the
/// draft goes up one level.
pub(super) fn approve(s: &mut Step<'_>) -> Result<(), WorkflowError> {
    let at = stage(s.before);
    s.payload["level"] = at.into();
    if at < s.before.office.approval_levels {
        s.next.approval_stage = Some(at + 1);
        s.next.first_approved_by = s.actor.id.clone();
        return Ok(());
    }
    s.next.approved_by = s.actor.id.clone();
    s.next.approval_stage = None;
    s.next.status = Some(Status::Approved);
    Ok(())
}

/// Returned at any level, the draft goes back to the drafter with the reason, and the chain
/// starts again with the next draft.
pub(super) fn send_back(s: &mut Step<'_>) {
    s.payload["level"] = stage(s.before).into();
    s.next.approval_stage = None;
    s.next.first_approved_by = None;
    s.next.status = Some(Status::Accepted);
}
