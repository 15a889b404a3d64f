//! Notices for clerks: a case's notices, the office's failed ones, and retrying one.

use actix_web::{web, HttpResponse};

use serde::{Deserialize, Serialize};

use super::extract::BearerToken;
use super::problem::ApiError;
use super::views::instant;
use crate::db::models::NoticeRow;
use crate::domain::outbox::NoticeStatus;
use crate::service::{outbox, Services};

#[derive(Serialize)]
struct NoticeView<'a> {
    id: &'a str,
    application_id: Option<&'a str>,
    template: &'a str,
    recipient: &'a str,
    recipient_role: &'a str,
    subject: &'a str,
    status: NoticeStatus,
    attempts: i32,
    last_error: Option<&'a str>,
    message_id: &'a str,
    created_at: String,
    next_attempt_at: String,
    sent_at: Option<String>,
}

fn view(n: &NoticeRow) -> NoticeView<'_> {
    NoticeView {
        id: n.id.as_str(),
        application_id: n.application_id.as_ref().map(|id| id.as_str()),
        template: &n.template,
        recipient: &n.recipient,
        recipient_role: &n.recipient_role,
        subject: &n.subject,
        status: n.status,
        attempts: n.attempts,
        last_error: n.last_error.as_deref(),
        message_id: &n.message_id,
        created_at: instant(n.created_at),
        next_attempt_at: instant(n.next_attempt_at),
        sent_at: n.sent_at.map(instant),
    }
}

fn page(list: &[NoticeRow]) -> HttpResponse {
    HttpResponse::Ok()
        .json(serde_json::json!({ "items": list.iter().map(view).collect::<Vec<_>>() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    status: NoticeStatus,
}

/// `GET /api/v1/notices?status=failed`
pub async fn list(
    token: BearerToken,
    services: web::Data<Services>,
    q: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let status = q.status;
    let list = web::block(move || outbox::list(&services, Some(&token.0), status)).await??;
    Ok(page(&list))
}

/// `GET /api/v1/applications/{id}/notices`
pub async fn of_case(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = web::block(move || outbox::of_case(&services, Some(&token.0), &id)).await??;
    Ok(page(&list))
}

/// `POST /api/v1/notices/{id}/retry`
pub async fn retry(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let n =
        web::block(move || outbox::retry(&services, Some(&token.0), &id, services.now())).await??;
    Ok(HttpResponse::Ok().json(view(&n)))
}
