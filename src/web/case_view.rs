//! What the console shows of a case in Chinese words: its badges (overdue, due soon, paused,
//! provisional), its facts, the clock's spans, the history's steps and its notices.

use serde_json::{json, Value};

use crate::db::models::{ApplicationRow, NoticeRow};
use crate::domain::actions::ConsultationReply;
use crate::domain::case::{Outcome, Status};
use crate::domain::clock::{DeadlineKind, DeadlineState};
use crate::domain::labels;
use crate::domain::workflow::ActionKind;
use crate::http::views::EventView;
use crate::service::clock::{CaseClock, NextDeadlineInfo};

/// "Due soon": the next deadline within this many working days (office calendar).
pub const DUE_SOON_WORKING_DAYS: i64 = 3;

/// The badges of a case, each with its text (colour is never the only sign).
pub fn badges(case: &ApplicationRow, next: Option<&NextDeadlineInfo>) -> Value {
    let mut out = Vec::new();
    if let Some(n) = next {
        if n.overdue {
            out.push(json!({ "class": "overdue", "text": "已逾期" }));
        } else if n.working_days_left <= DUE_SOON_WORKING_DAYS {
            out.push(json!({ "class": "due-soon", "text": "3个工作日内到期" }));
        }
    }
    if paused(case) {
        out.push(json!({ "class": "paused", "text": "已暂停" }));
    }
    if next.is_some_and(|n| n.provisional) {
        out.push(json!({ "class": "provisional", "text": "期限待定" }));
    }
    Value::Array(out)
}

/// The answer clock stands still: a correction, a consultation or an unpaid fee notice.
pub fn paused(case: &ApplicationRow) -> bool {
    let fee = &case.clock.fee;
    let fee_open = fee.notice_on.is_some()
        && fee.paid_on.is_none()
        && case.handling.fee_waived_on.is_none()
        && !case.status().is_terminal();
    matches!(case.status(), Status::Correction | Status::Consultation) || fee_open
}

/// The next deadline in words, for the queue and the case page.
pub fn next_deadline(next: Option<&NextDeadlineInfo>) -> Value {
    next.map_or(Value::Null, |n| {
        json!({
            "label": n.kind.label(),
            "due_on": n.due_on,
            "working_days_left": n.working_days_left,
            "overdue": n.overdue,
        })
    })
}

/// The applicant's and the request's coded facts, named.
pub fn facts(case: &ApplicationRow) -> Value {
    let a = &case.applicant;
    json!({
        "applicant_kind": labels::applicant_kind_label(a.kind),
        "organisation_type": a.organisation_type.map(labels::organisation_type_label),
        "id_document_type": labels::id_document_label(a.id_document_type),
        "information_form": labels::information_form_label(case.information_form),
        "delivery_method": labels::delivery_method_label(case.delivery_wanted),
        "channel": labels::channel_label(case.channel),
        "status": crate::service::templates::status_label(case.status().as_str()),
    })
}

/// The clock's deadlines with their counted and uncounted spans, named.
pub fn timeline(c: &CaseClock) -> Value {
    let list = match &c.at_closure {
        Some(frozen) => frozen.clone(),
        None => serde_json::to_value(&c.deadlines).unwrap_or(Value::Null),
    };
    let Value::Array(items) = list else {
        return Value::Array(Vec::new());
    };
    let items: Vec<Value> = items
        .into_iter()
        .map(|mut d| {
            let kind = d["kind"].as_str().and_then(DeadlineKind::parse);
            let state = d["state"].as_str().and_then(DeadlineState::parse);
            d["kind_label"] = json!(kind.map(DeadlineKind::label));
            d["state_label"] = json!(state.map(labels::deadline_state_label));
            d["state_class"] = json!(state.map(DeadlineState::as_str));
            d
        })
        .collect();
    json!({ "deadlines": items, "closed": c.at_closure.is_some(), "years": c.loaded_years })
}

/// The Chinese names of the fields a step's payload records, in the order shown.
const PAYLOAD: &[(&str, &str)] = &[
    ("received_on", "收到日期"),
    ("basis", "依据"),
    ("items", "补正事项"),
    ("period_working_days", "补正期限（工作日）"),
    ("statement", "补正说明"),
    ("description", "申请内容"),
    ("party_name", "征求对象"),
    ("letter_date", "征求意见函日期"),
    ("reply_date", "答复日期"),
    ("reply_summary", "答复要点"),
    ("reasoning", "理由"),
    ("legal_basis", "法律依据"),
    ("working_days", "工作日数"),
    ("reason", "理由"),
    ("questions", "要求说明的事项"),
    ("reply", "说明"),
    ("amount_fen", "金额"),
    ("paid_on", "缴费日期"),
    ("posted_on", "交邮日期"),
    ("delivered_on", "送达日期"),
    ("note", "备注"),
];

/// A step of the history: who, when, what, and the payload's fields in Chinese.
pub fn event(e: &EventView<'_>) -> Value {
    let lines: Vec<Value> = PAYLOAD
        .iter()
        .filter_map(|(key, label)| {
            let v = &e.payload[*key];
            // A third party's reply is one of its codes (`objection`): its Chinese name.
            if *key == "reply" {
                if let Some(r) = v.as_str().and_then(ConsultationReply::parse) {
                    let text = labels::consultation_reply_label(r);
                    return Some(json!({ "label": "征求意见结果", "text": text }));
                }
            }
            // Money is recorded in fen and read in yuan.
            if *key == "amount_fen" {
                let fen = v.as_i64()?;
                let text = format!("{} 元", crate::service::templates::yuan(fen));
                return Some(json!({ "label": "金额", "text": text }));
            }
            let text = match v {
                Value::String(s) => super::render::cn_dates_in(s),
                Value::Number(n) => n.to_string(),
                Value::Array(list) => list
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("；"),
                _ => return None,
            };
            Some(json!({ "label": label, "text": text }))
        })
        .collect();
    let outcome = e.payload["outcome"]
        .as_str()
        .and_then(Outcome::parse)
        .map(Outcome::label);
    // When it happened, on the clock of China (the legal dates are China's).
    let local = chrono::DateTime::parse_from_rfc3339(&e.occurred_at)
        .map(|t| t.with_timezone(&crate::domain::time::cst()))
        .ok();
    json!({
        "seq": e.seq,
        "occurred_on": local.map(|t| t.date_naive()),
        "time": local.map(|t| t.format("%H:%M").to_string()),
        "action": ActionKind::parse(e.action).map_or("系统记录", labels::action_label),
        "role": super::page::role_label(e.actor.role),
        "name": e.actor.name,
        "status_after": crate::service::templates::status_label(e.status_after.as_str()),
        "outcome": outcome,
        "lines": lines,
    })
}

/// A notice as the clerk sees it, with its failure.
pub fn notice(n: &NoticeRow) -> Value {
    json!({
        "id": n.id.to_string(),
        "subject": n.subject,
        "recipient": n.recipient,
        "status": n.status.label(),
        "failed": n.status == crate::domain::outbox::NoticeStatus::Failed,
        "attempts": n.attempts,
        "last_error": n.last_error,
        "created_at": crate::http::views::instant(n.created_at),
        "sent_at": n.sent_at.map(crate::http::views::instant),
    })
}

/// The drafted answer awaiting approval, in words.
pub fn draft(d: Option<&Value>) -> Value {
    let Some(d) = d else { return Value::Null };
    let label = |v: &Value| v.as_str().and_then(Outcome::parse).map(Outcome::label);
    let withheld: Vec<Value> = d["withheld"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|w| {
                    json!({
                        "part": w["part"], "ground": label(&w["ground"]),
                        "legal_basis": w["legal_basis"], "reasoning": w["reasoning"],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "outcome": label(&d["outcome"]),
        "reasoning": d["reasoning"],
        "legal_basis": d["legal_basis"],
        "public_location": d["public_location"],
        "responsible_office": d["responsible_office"],
        "convenience_reply": d["convenience_reply"],
        "withheld": withheld,
    })
}

/// The handling inside the office in words (service::inside, not computed again): the person
/// handling the case, the approval chain, and each forwarding with its internal due day (never
/// a statutory one), its late badge and the division's reply.
pub fn inside(i: &crate::service::inside::Inside) -> Value {
    let forwardings: Vec<Value> = i
        .forwardings
        .iter()
        .map(|f| {
            let reply = f.reply.as_ref().map(|r| {
                json!({
                    "outcome": r.outcome.label(),
                    "reasoning": r.reasoning,
                    "legal_basis": r.legal_basis,
                    "documents": r.documents,
                    "withheld": r.withheld.iter().map(|w| json!({
                        "part": w.part, "ground": w.ground.label(),
                        "legal_basis": w.legal_basis, "reasoning": w.reasoning,
                    })).collect::<Vec<_>>(),
                })
            });
            json!({
                "id": f.id,
                "division": f.division,
                "division_name": f.division_name,
                "asked": f.asked,
                "forwarded_on": f.forwarded_on,
                "due_on": f.due_on,
                "replied_on": f.replied_on,
                "late": f.late,
                "late_text": match (f.late, f.replied_on) {
                    (false, _) => None,
                    (true, None) => Some("内部逾期"),
                    (true, Some(_)) => Some("逾期回复"),
                },
                "reply": reply,
            })
        })
        .collect();
    json!({
        "assignee": i.assignee.as_ref().map(|p| &p.name),
        "approval_levels": i.approval_levels,
        "awaiting_level": i.awaiting_approval_level,
        "first_approved_by": i.first_approved_by.as_ref().map(|p| &p.name),
        "internal_due_on": i.internal_due_on,
        "forwardings": forwardings,
    })
}
