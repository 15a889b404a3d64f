//! The clerk's case page: `GET /console/cases/{id}` (facts, applicant, the clock as a timeline,
//! the staff history, notices with retry, the letter or the draft, and one form per allowed
//! action) and `POST /console/notices/{id}/retry`.

use std::collections::BTreeMap;

use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};
use serde_json::json;

use super::action_forms::{self, Fill};
use super::case_view;
use super::form::Form;
use super::page::{self, WebError};
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::db::models::{Document, EventRow, NoticeRow};
use crate::domain::time::legal_date;
use crate::http::views;
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
    clock: clock::CaseClock,
    notices: Vec<NoticeRow>,
    letter: Option<Document>,
    /// The draft as its letter would read if delivered today (before delivery only).
    preview: Option<String>,
}

fn load(services: &Services, secret: &str, id: &str) -> Result<Loaded, ServiceError> {
    let credential = Some(secret);
    let visible = cases::get(services, credential, id)?;
    let case_id = visible.case.id.to_string();
    let (_, events) = cases::history(services, credential, &case_id)?;
    let clock = clock::case_clock(services, credential, &case_id, services.now())?;
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
    Ok(Loaded {
        visible,
        events,
        clock,
        notices,
        letter,
        preview,
    })
}

async fn show(
    visitor: Visitor,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    draw(
        &visitor,
        &services,
        &me,
        id.into_inner(),
        None,
        StatusCode::OK,
    )
    .await
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
    let s = services.clone();
    let secret = me.secret.clone();
    let loaded = web::block(move || load(&s, &secret, &id)).await??;
    let ctx = context_of(&loaded, legal_date(services.now()), refused.as_ref());
    page::html_status(
        status,
        visitor,
        &services.key,
        Some(&me.principal),
        "console/case.html",
        ctx,
    )
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
    };
    let forms = action_forms::forms(&v.allowed, &fill);
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
        timeline => case_view::timeline(&l.clock),
        events => Value::from_serialize(&events),
        notices => Value::from_serialize(l.notices.iter().map(case_view::notice).collect::<Vec<_>>()),
        letter => l.letter.as_ref().map(|d| Value::from_serialize(json!({
            "document_number": d.document_number,
            "paragraphs": d.text.lines().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>(),
        }))),
        draft => case_view::draft(view.internal.as_ref().and_then(|i| i.draft.as_ref())),
        preview => l.preview.as_deref().map(|t| t.lines().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>()),
        forms => Value::from_serialize(&forms),
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
