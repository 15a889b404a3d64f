//! The clerk's case page: `GET /console/cases/{id}` (facts, applicant, the clock as a timeline,
//! the staff history, notices with retry, the letter or the draft, and one form per allowed
//! action) and `POST /console/notices/{id}/retry`.

use std::collections::BTreeMap;

use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};
use serde_json::json;

use super::action_forms::{self, Choices, Fill};
use super::case_view;
use super::form::{Form, PageQuery};
use super::page::{self, WebError};
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::db::models::{Document, EventRow, NoticeRow};
use crate::domain::handling::Staffing;
use crate::domain::time::legal_date;
use crate::domain::workflow::Role;
use crate::http::views;
use crate::service::inside::ForwardingInfo;
use crate::service::{cases, clock, letters, outbox, ServiceError, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/cases/{id}", Method::GET, web::get().to(show)),
        (
            "/console/notices/{id}/retry",
            Method::POST,
            web::post().to(retry),
        ),
    ]
}

/// A refused action to draw again beside its form: the action, errors by input, values typed.
pub struct Refused {
    pub action: String,
    pub errors: BTreeMap<String, String>,
    pub values: BTreeMap<String, String>,
}

/// Everything the case page shows, read with the staff member's session.
struct Loaded {
    visible: cases::Visible,
    events: Vec<EventRow>,
    /// None for a division's staff (they open only the request and their forwardings).
    clock: Option<clock::CaseClock>,
    notices: Vec<NoticeRow>,
    letter: Option<Document>,
    /// The draft as its letter would read if delivered today (before delivery only).
    preview: Option<String>,
    /// The office's people and divisions (the office's own staff only), for the forms.
    staffing: Option<Staffing>,
    /// The case's files (none for a division's staff).
    files: Vec<crate::db::attachments::AttachmentRow>,
}

fn load(services: &Services, secret: &str, id: &str) -> Result<Loaded, ServiceError> {
    let credential = Some(secret);
    let visible = cases::get(services, credential, id)?;
    let case_id = visible.case.id.to_string();
    let (_, events) = cases::history(services, credential, &case_id)?;
    if visible.principal.division().is_some() {
        // A division's staff: the request and their forwardings only (domain::visibility);
        // the clock, notices, letter and office's staff are not theirs to read.
        return Ok(Loaded {
            visible,
            events,
            clock: None,
            notices: Vec::new(),
            letter: None,
            preview: None,
            staffing: None,
            files: Vec::new(),
        });
    }
    let clock = Some(clock::case_clock(
        services,
        credential,
        &case_id,
        services.now(),
    )?);
    let notices = outbox::of_case(services, credential, &case_id)?;
    let letter = match letters::answer_letter(services, credential, &case_id) {
        Ok(doc) => Some(doc),
        Err(ServiceError::NoLetter) => None,
        Err(e) => return Err(e),
    };
    let preview = match &letter {
        Some(_) => None,
        None => letters::preview(
            &mut *services.conn()?,
            &visible.case,
            crate::domain::time::legal_date(services.now()),
        )?,
    };
    let staffing = Some(crate::db::divisions::staffing(
        &mut *services.conn()?,
        &visible.case.agency_id,
    )?);
    let (_, files) = crate::service::attachments::list(services, credential, &case_id)?;
    Ok(Loaded {
        visible,
        events,
        clock,
        notices,
        letter,
        preview,
        staffing,
        files,
    })
}

/// The case page's query: `?from_forwarding=f1` draws the draft's form pre-filled from that
/// division's reply (no script needed).
#[derive(Debug, Default, serde::Deserialize)]
struct ShowParams {
    from_forwarding: Option<String>,
}

async fn show(
    visitor: Visitor,
    services: web::Data<Services>,
    id: web::Path<String>,
    params: PageQuery<ShowParams>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    let prefill = params
        .into_inner()
        .from_forwarding
        .filter(|f| !f.trim().is_empty());
    draw_with(
        &visitor,
        &services,
        &me,
        id.into_inner(),
        Ask {
            refused: None,
            from_forwarding: prefill,
        },
        StatusCode::OK,
    )
    .await
}

/// What the page is drawn with besides the case: a refused action, or a reply to draft from.
struct Ask {
    refused: Option<Refused>,
    from_forwarding: Option<String>,
}

/// Draws the case page (also again after a refused action, with its errors beside its form).
pub async fn draw(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    id: String,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let ask = Ask {
        refused,
        from_forwarding: None,
    };
    draw_with(visitor, services, me, id, ask, status).await
}

async fn draw_with(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    id: String,
    ask: Ask,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let s = services.clone();
    let secret = me.secret.clone();
    let loaded = web::block(move || load(&s, &secret, &id)).await??;
    let prefill = match (&ask.refused, &ask.from_forwarding) {
        (None, Some(f)) => prefilled(&loaded, f),
        _ => None,
    };
    let refused = ask.refused.as_ref().or(prefill.as_ref());
    let ctx = context_of(&loaded, legal_date(services.now()), refused);
    // A division's staff get a page of their own: nothing of the office's file is drawn.
    let template = if loaded.visible.principal.division().is_some() {
        "console/case_division.html"
    } else {
        "console/case.html"
    };
    page::html_status(
        status,
        visitor,
        &services.key,
        Some(&me.principal),
        template,
        ctx,
    )
}

/// The draft's form filled from a division's reply (`from_forwarding`), drawn open, when the
/// draft may be written now and the forwarding has a reply.
fn prefilled(l: &Loaded, forwarding: &str) -> Option<Refused> {
    let v = &l.visible;
    if !v.allowed.contains(&"propose_decision") {
        return None;
    }
    let f = v
        .extras
        .inside
        .as_ref()?
        .forwardings
        .iter()
        .find(|f| f.id == forwarding)?;
    let reply = f.reply.as_ref()?;
    let mut values = BTreeMap::from([
        ("from_forwarding".to_owned(), f.id.clone()),
        ("outcome".to_owned(), reply.outcome.as_str().to_owned()),
        ("reasoning".to_owned(), reply.reasoning.clone()),
    ]);
    if let Some(basis) = &reply.legal_basis {
        values.insert("legal_basis".to_owned(), basis.clone());
    }
    Some(Refused {
        action: "propose_decision".to_owned(),
        errors: BTreeMap::new(),
        values,
    })
}

/// The choices of the forms inside the office, from the staffing and the case's forwardings.
fn choices(l: &Loaded) -> Choices {
    let inside = l.visible.extras.inside.as_ref();
    let forwardings = inside.map(|i| i.forwardings.as_slice()).unwrap_or_default();
    let label = |f: &ForwardingInfo| {
        format!(
            "{} {}（{}转办）",
            f.id,
            f.division_name,
            f.forwarded_on.format("%Y年%-m月%-d日")
        )
    };
    let staffing = l.staffing.as_ref();
    Choices {
        handlers: staffing
            .map(|s| {
                s.members
                    .iter()
                    .filter(|m| s.can_handle(&m.id))
                    .map(|m| {
                        let role = if m.role == Role::Approver {
                            "审批人"
                        } else {
                            "经办人"
                        };
                        (m.id.clone(), format!("{}（{role}）", m.name))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        divisions: staffing
            .map(|s| {
                s.divisions
                    .iter()
                    .map(|d| (d.code.clone(), format!("{}（{}）", d.name, d.code)))
                    .collect()
            })
            .unwrap_or_default(),
        open_forwardings: forwardings
            .iter()
            .filter(|f| f.replied_on.is_none())
            .map(|f| (f.id.clone(), label(f)))
            .collect(),
        replied_forwardings: forwardings
            .iter()
            .filter(|f| f.reply.is_some())
            .map(|f| (f.id.clone(), label(f)))
            .collect(),
    }
}

fn context_of(l: &Loaded, today: chrono::NaiveDate, refused: Option<&Refused>) -> Value {
    let v = &l.visible;
    let view = views::application(
        &v.case,
        &v.agency_code,
        &v.principal,
        v.next_deadline.as_ref(),
        v.allowed.clone(),
        Some(&v.extras),
    );
    let fill = Fill {
        delivery_wanted: v.case.delivery_wanted,
        fee_fen: v.case.clock.fee.amount_fen,
        today,
        refused: refused.map(|r| (r.action.as_str(), &r.errors, &r.values)),
        choices: choices(l),
    };
    let forms = action_forms::forms(&v.allowed, &fill);
    // A refused action whose form is no longer drawn (the case moved on meanwhile) says why
    // above the forms, or the refusal would not be seen at all.
    let refused_alone = refused
        .filter(|r| !forms.iter().any(|f| f.action == r.action))
        .map(|r| {
            let mut said: Vec<&str> = r.errors.values().map(String::as_str).collect();
            said.dedup();
            said.join("；")
        });
    let done = |action: &str| l.events.iter().any(|e| e.action == action);
    let events: Vec<serde_json::Value> = l
        .events
        .iter()
        .rev()
        .map(|e| case_view::event(&views::event(e, &v.principal)))
        .collect();
    context! {
        case => Value::from_serialize(&view),
        facts => case_view::facts(&v.case),
        badges => case_view::badges(&v.case, v.next_deadline.as_ref()),
        timeline => l.clock.as_ref().map(case_view::timeline),
        inside => v.extras.inside.as_ref().map(case_view::inside),
        sees_applicant => view.applicant.is_some(),
        events => Value::from_serialize(&events),
        notices => Value::from_serialize(l.notices.iter().map(case_view::notice).collect::<Vec<_>>()),
        letter => l.letter.as_ref().map(|d| Value::from_serialize(json!({
            "document_number": d.document_number,
            "paragraphs": d.text.lines().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>(),
        }))),
        draft => case_view::draft(view.internal.as_ref().and_then(|i| i.draft.as_ref())),
        preview => l.preview.as_deref().map(|t| t.lines().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>()),
        forms => Value::from_serialize(&forms),
        files => Value::from_serialize(super::case_files::listed(
            &l.files,
            &v.principal,
            &format!("/console/cases/{}/files", v.case.id),
        )),
        file_upload => (!v.case.status().is_terminal()
            && matches!(v.principal.role(), Role::Clerk | Role::Approver))
        .then(|| Value::from_serialize(super::case_files::purposes(
            crate::domain::attachment::Source::Office,
        ))),
        redactable => Value::from_serialize(
            l.files
                .iter()
                .filter(|a| a.source == crate::domain::attachment::Source::Office
                    && crate::domain::attachment::delivered_with_answer(&a.held())
                    && a.redacts.is_none())
                .map(|a| json!({ "id": a.id, "name": a.name }))
                .collect::<Vec<_>>(),
        ),
        refused_alone => refused_alone,
        printable => context! {
            correction => done("request_correction"),
            fee => done("issue_fee_notice"),
        },
    }
}

/// `POST /console/notices/{id}/retry`: a failed notice back in the queue, then its case.
async fn retry(
    visitor: Visitor,
    services: web::Data<Services>,
    id: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let s = services.clone();
    let secret = me.secret.clone();
    let notice = web::block(move || outbox::retry(&s, Some(&secret), &id, s.now())).await??;
    Ok(match notice.application_id {
        Some(case) => page::redirect(&format!("/console/cases/{case}#notices")),
        None => page::redirect("/console/"),
    })
}
