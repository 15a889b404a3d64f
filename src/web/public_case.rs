//! The applicant's case page: what `/track/case` shows, read through the use cases with the
//! tracking session's secret, so that the applicant's view (domain::visibility, http::views)
//! decides what is on it. This module only words it in plain Chinese.

use minijinja::{context, Value};
use serde::Serialize;

use super::public::{office, Office};
use crate::db::models::{Document, EventRow};
use crate::domain::case::Status;
use crate::domain::clock::{DeadlineKind, DeadlineState};
use crate::domain::labels;
use crate::http::views;
use crate::service::auth::Principal;
use crate::service::{cases, clock, letters, ServiceError, Services};

/// Everything the page shows of one case, as its applicant may see it.
pub struct Loaded {
    pub visible: cases::Visible,
    pub principal: Principal,
    pub events: Vec<EventRow>,
    pub clock: clock::CaseClock,
    pub office: Option<Office>,
    pub letter: Option<Document>,
    /// Their own files, and those the answer delivered to them.
    pub files: Vec<crate::db::attachments::AttachmentRow>,
}

/// Reads the case of the tracking session `secret` (blocking: inside `web::block`).
pub fn load(services: &Services, secret: &str, id: &str) -> Result<Loaded, ServiceError> {
    let visible = cases::get(services, Some(secret), id)?;
    let (principal, events) = cases::history(services, Some(secret), id)?;
    let clock = clock::case_clock(services, Some(secret), id, services.now())?;
    let office = office(services, &visible.agency_code)?;
    let letter = match letters::answer_letter(services, Some(secret), id) {
        Ok(doc) => Some(doc),
        Err(ServiceError::NoLetter) => None,
        Err(e) => return Err(e),
    };
    let (_, files) = crate::service::attachments::list(services, Some(secret), id)?;
    Ok(Loaded {
        visible,
        principal,
        events,
        clock,
        office,
        letter,
        files,
    })
}

/// A step of the case as the applicant reads it: when, and what happened.
#[derive(Serialize)]
struct Step {
    on: String,
    label: &'static str,
}

/// The answer period as it stands: due day, whether it is paused or provisional, extended.
#[derive(Serialize)]
struct AnswerDue {
    due_on: Option<chrono::NaiveDate>,
    paused: bool,
    overdue: bool,
    provisional: bool,
    extension_working_days: i32,
}

/// A letter's parts, from its stored text (office, number, title, addressee, body, signature).
#[derive(Serialize)]
pub struct LetterParts {
    pub office: String,
    pub number: String,
    pub title: String,
    pub addressee: String,
    pub body: Vec<String>,
    pub date: String,
    pub document_number: Option<String>,
}

/// Splits the stored text of an answer letter (see `domain::letter::text`) into its parts.
pub fn letter_parts(doc: &Document) -> LetterParts {
    let lines: Vec<&str> = doc.text.lines().collect();
    let at = |i: usize| lines.get(i).map_or(String::new(), |l| l.trim().to_owned());
    let n = lines.len();
    let body_end = n.saturating_sub(3).max(5);
    LetterParts {
        office: at(0),
        number: at(1),
        title: at(2),
        addressee: at(4),
        body: lines
            .get(5..body_end)
            .unwrap_or_default()
            .iter()
            .map(|l| l.trim_start_matches('\u{3000}').trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
        date: at(n.saturating_sub(1)),
        document_number: doc.document_number.clone(),
    }
}

/// Why the answer period is not running, in the applicant's words (never who was consulted).
fn pause_reason(l: &Loaded) -> Option<&'static str> {
    let c = &l.visible.case;
    let fee = &c.clock.fee;
    let fee_open =
        fee.notice_on.is_some() && fee.paid_on.is_none() && c.handling.fee_waived_on.is_none();
    match c.status() {
        Status::Correction => Some(
            "机关已通知您补正申请。补正期间不计入答复期限，答复期限自机关收到补正之日起重新计算（第三十条）。",
        ),
        _ if fee_open && !c.status().is_terminal() => Some(
            "机关已通知您缴纳信息处理费。自发出收费通知至您缴费之日的期间不计入答复期限。",
        ),
        Status::Consultation => Some(
            "机关正在依法征求意见，所需时间不计入答复期限（第三十三条第二款）。",
        ),
        _ => None,
    }
}

fn answer_due(l: &Loaded) -> Option<AnswerDue> {
    let d = l
        .clock
        .deadlines
        .iter()
        .rfind(|d| d.kind == DeadlineKind::Answer)?;
    Some(AnswerDue {
        due_on: d.due_on,
        paused: d.state == DeadlineState::Paused,
        overdue: d.state == DeadlineState::Overdue,
        provisional: d.provisional,
        extension_working_days: d.extension_working_days,
    })
}

/// The last step of `action` the applicant may read, with its fields.
fn last_payload(events: &[views::EventView<'_>], action: &str) -> Option<serde_json::Value> {
    events
        .iter()
        .rev()
        .find(|e| e.action == action)
        .map(|e| e.payload.clone())
}

/// The correction period's due day, while it runs.
fn correction_due(l: &Loaded) -> Option<chrono::NaiveDate> {
    l.clock
        .deadlines
        .iter()
        .rfind(|d| d.kind == DeadlineKind::CorrectionPeriod)
        .filter(|d| matches!(d.state, DeadlineState::Open | DeadlineState::Overdue))
        .and_then(|d| d.due_on)
}

/// The page's context: the case as the API shows it to its applicant, and its plain words.
pub fn context(l: &Loaded) -> Value {
    let v = &l.visible;
    let case = views::application(
        &v.case,
        &v.agency_code,
        &v.principal,
        v.next_deadline.as_ref(),
        v.allowed.clone(),
        Some(&v.extras),
    );
    let events: Vec<views::EventView<'_>> = l
        .events
        .iter()
        .map(|e| views::event(e, &l.principal))
        .collect();
    let steps: Vec<Step> = events
        .iter()
        .filter_map(|e| {
            Some(Step {
                on: e.occurred_at.clone(),
                label: labels::step_label(e.action)?,
            })
        })
        .collect();
    let status = v.case.status();
    context! {
        case => Value::from_serialize(&case),
        status_label => labels::applicant_status_label(status),
        status_text => labels::applicant_status_text(status),
        pause_reason => pause_reason(l),
        answer_due => answer_due(l).map(|a| Value::from_serialize(&a)),
        correction_due => correction_due(l),
        correction => last_payload(&events, "request_correction").map(|p| Value::from_serialize(&p)),
        reasons => last_payload(&events, "ask_for_reasons").map(|p| Value::from_serialize(&p)),
        fee_notice => last_payload(&events, "issue_fee_notice").map(|p| Value::from_serialize(&p)),
        steps => steps,
        office => l.office,
        letter => l.letter.as_ref().map(|d| Value::from_serialize(letter_parts(d))),
        can => context! {
            correct => v.allowed.contains(&"submit_correction"),
            reply => v.allowed.contains(&"reply_to_reasons"),
            withdraw => v.allowed.contains(&"withdraw"),
        },
        files => Value::from_serialize(super::case_files::listed(&l.files, &l.principal, "/track/files")),
        file_upload => (!status.is_terminal()).then(|| Value::from_serialize(
            super::case_files::purposes(crate::domain::attachment::Source::Applicant),
        )),
        received_label => labels::delivery_method_label(v.case.delivery_wanted),
        information_form_label => labels::information_form_label(v.case.information_form),
    }
}
