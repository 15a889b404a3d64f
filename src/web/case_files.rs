//! Files on the pages (issue 17): the clerk's case page lists a case's files and takes an
//! upload (the office's information, annexes, working files, a redacted version); the
//! applicant's tracking page lists their own and the delivered files and takes a scan with a
//! correction or a proof. Downloads stream as the API's do. Who reads what is the service's
//! one rule (`service::attachments::readable`).

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::page::{self, WebError};
use super::session::Visitor;
use super::PageRoute;
use crate::db::attachments::AttachmentRow;
use crate::domain::attachment::{Purpose, Source};
use crate::http::attachments::{file_response, intent_of, read_form};
use crate::service::attachments as service;
use crate::service::auth::Principal;
use crate::service::Services;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (
            "/console/cases/{id}/files",
            Method::POST,
            web::post().to(staff_upload),
        ),
        (
            "/console/cases/{id}/files/{file}",
            Method::GET,
            web::get().to(staff_download),
        ),
        (
            "/track/files",
            Method::POST,
            web::post().to(applicant_upload),
        ),
        (
            "/track/files/{file}",
            Method::GET,
            web::get().to(applicant_download),
        ),
    ]
}

/// A file as the pages list it; staff also see who gave it and whether it is theirs only.
pub fn listed(rows: &[AttachmentRow], principal: &Principal, link: &str) -> serde_json::Value {
    let staff = principal.staff().is_some();
    rows.iter()
        .map(|a| {
            json!({
                "id": a.id,
                "name": a.name,
                "href": format!("{link}/{}", a.id),
                "size": size_label(a.size),
                "sha256": a.sha256,
                "purpose": a.purpose.label(),
                "from_applicant": a.source == Source::Applicant,
                "uploaded_on": crate::domain::time::legal_date(a.uploaded_at.and_utc()),
                "delivered": a.delivered_at.is_some(),
                "staff_only": staff && a.staff_only,
                "uploaded_by": if staff { a.uploaded_by_name.clone() } else { None },
                "redacted": staff && a.redacts.is_some(),
            })
        })
        .collect()
}

/// 1.2 MB, 340 KB, 12 B: how big a file is, for people.
fn size_label(bytes: i64) -> String {
    let b = bytes as f64;
    match bytes {
        n if n >= 1024 * 1024 => format!("{:.1} MB", b / (1024.0 * 1024.0)),
        n if n >= 1024 => format!("{:.0} KB", b / 1024.0),
        n => format!("{n} B"),
    }
}

/// The purposes a side may choose, for the upload form's list.
pub fn purposes(source: Source) -> serde_json::Value {
    Purpose::ALL
        .iter()
        .filter(|p| p.source() == source)
        .map(|p| json!({ "value": p.as_str(), "label": p.label() }))
        .collect()
}

/// Reads an upload form of a page and attaches its file with the page's credential.
async fn upload(
    visitor: &Visitor,
    services: &web::Data<Services>,
    (secret, id): (String, String),
    req: HttpRequest,
    payload: web::Payload,
) -> Result<(), WebError> {
    // The anti-forgery token travels inside the form: a body that is no upload form has none.
    if !crate::http::attachments::is_multipart(&req) {
        return Err(WebError::Csrf);
    }
    let admission = {
        let (s, t, id) = (services.clone(), secret.clone(), id.clone());
        web::block(move || service::admit(&s, Some(&t), &id)).await??
    };
    let mut parts = read_form(&req, payload, &admission).await?;
    // Nothing is stored unless the form is this visitor's own.
    visitor.check_csrf(&services.key, parts.csrf_token.take().as_deref())?;
    let (intent, file) = intent_of(parts)?;
    let s = services.clone();
    web::block(move || service::attach(&s, Some(&secret), &id, intent, file, s.now())).await??;
    Ok(())
}

/// `POST /console/cases/{id}/files`: a clerk or approver attaches a file; back to the case.
async fn staff_upload(
    visitor: Visitor,
    services: web::Data<Services>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    use crate::domain::workflow::Role;
    let me = visitor
        .staff(&services, &[Role::Clerk, Role::Approver])
        .await?;
    let id = id.into_inner();
    upload(&visitor, &services, (me.secret, id.clone()), req, payload).await?;
    Ok(page::redirect(&format!("/console/cases/{id}#files")))
}

/// `GET /console/cases/{id}/files/{file}`
async fn staff_download(
    visitor: Visitor,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    let (id, file) = path.into_inner();
    let s = services.clone();
    let row = web::block(move || service::one(&s, Some(&me.secret), &id, &file)).await??;
    Ok(file_response(services.get_ref().clone(), &row))
}

/// `POST /track/files`: the applicant adds a scan (with a correction, a proof); back to the
/// tracking page.
async fn applicant_upload(
    visitor: Visitor,
    services: web::Data<Services>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let (principal, secret) = visitor.applicant(&services).await?;
    let Principal::Applicant { application_id } = principal else {
        return Err(WebError::Track);
    };
    let id = application_id.to_string();
    upload(&visitor, &services, (secret, id), req, payload).await?;
    Ok(page::redirect("/track/case?done=file#files"))
}

/// `GET /track/files/{file}`: one of the applicant's files, or one delivered to them.
async fn applicant_download(
    visitor: Visitor,
    services: web::Data<Services>,
    file: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let (principal, secret) = visitor.applicant(&services).await?;
    let Principal::Applicant { application_id } = principal else {
        return Err(WebError::Track);
    };
    let (s, file) = (services.clone(), file.into_inner());
    let id = application_id.to_string();
    let row = web::block(move || service::one(&s, Some(&secret), &id, &file)).await??;
    Ok(file_response(services.get_ref().clone(), &row))
}
