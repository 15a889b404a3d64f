//! Following a case: `GET/POST /track` (tracking number and access token open a tracking
//! session), `GET /track/case`, the applicant's own steps (correction, reply to the office's
//! questions, withdrawal with a confirmation page), the letter to print, and signing out.

use std::collections::BTreeMap;

use actix_web::cookie::time::Duration as CookieAge;
use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};

use super::actions;
use super::form::{Form, PageQuery};
use super::page::{self, WebError};
use super::public_case::{self, Loaded};
use super::session::{Visitor, TRACK_COOKIE};
use super::PageRoute;
use crate::service::auth::Principal;
use crate::service::sign_in::{self, SignInError};
use crate::service::Services;

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/track", Method::GET, web::get().to(form)),
        ("/track", Method::POST, web::post().to(submit)),
        ("/track/case", Method::GET, web::get().to(case)),
        ("/track/letter", Method::GET, web::get().to(letter)),
        ("/track/correction", Method::POST, web::post().to(correct)),
        ("/track/reasons", Method::POST, web::post().to(reply)),
        ("/track/withdraw", Method::GET, web::get().to(withdraw_page)),
        ("/track/withdraw", Method::POST, web::post().to(withdraw)),
        ("/track/logout", Method::POST, web::post().to(logout)),
    ]
}

/// The tracking form, with what was typed (never the token) and an error.
fn track_form(
    status: StatusCode,
    visitor: &Visitor,
    services: &Services,
    tracking_number: &str,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    page::html_status(
        status,
        visitor,
        &services.key,
        None,
        "public/track.html",
        context! { tracking_number => tracking_number, error => error },
    )
}

/// `GET /track`
async fn form(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
    // A tracking session still open: the page offers to go back to its case.
    let open = matches!(
        visitor.tracking(&services).await?,
        Some(Principal::Applicant { .. })
    );
    page::html(
        &visitor,
        &services.key,
        None,
        "public/track.html",
        context! { tracking_number => "", open => open },
    )
}

/// `POST /track`: opens the tracking session, or the form again with the refusal.
async fn submit(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&services.key, form.csrf())?;
    let tracking = form.get("tracking_number").unwrap_or_default().to_owned();
    let token = form.get("access_token").unwrap_or_default().to_owned();
    if tracking.is_empty() || token.is_empty() {
        let error = "请填写查询号和访问码。".to_owned();
        return track_form(
            StatusCode::UNPROCESSABLE_ENTITY,
            &visitor,
            &services,
            &tracking,
            Some(error),
        );
    }
    let (s, address, number) = (services.clone(), visitor.address.clone(), tracking.clone());
    let opened =
        web::block(move || sign_in::applicant(&s, &number, &token, &address, s.now())).await?;
    let (status, error) = match opened {
        Ok(opened) => {
            let mut res = HttpResponse::SeeOther();
            res.insert_header(("Location", "/track/case"));
            res.cookie(visitor.cookie(TRACK_COOKIE, opened.secret, None));
            return Ok(res.finish());
        }
        Err(SignInError::Wrong) => (
            StatusCode::UNAUTHORIZED,
            "查询号或访问码不正确，请核对后重新输入。".to_owned(),
        ),
        Err(SignInError::Limited {
            retry_after_minutes,
        }) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("输错次数过多，请 {retry_after_minutes} 分钟后再试。"),
        ),
        Err(SignInError::Service(e)) => return Err(e.into()),
    };
    track_form(status, &visitor, &services, &tracking, Some(error))
}

/// The case of the tracking session, read with its secret.
async fn load(
    visitor: &Visitor,
    services: &web::Data<Services>,
) -> Result<(Principal, String, Loaded), WebError> {
    let (principal, secret) = visitor.applicant(services).await?;
    let Principal::Applicant { application_id } = &principal else {
        return Err(WebError::Track);
    };
    let (s, key, id) = (services.clone(), secret.clone(), application_id.to_string());
    let loaded = web::block(move || public_case::load(&s, &key, &id)).await??;
    Ok((principal, secret, loaded))
}

/// Draws the case page, with a form's errors and values when it was refused.
fn draw_case(
    status: StatusCode,
    visitor: &Visitor,
    services: &Services,
    principal: &Principal,
    loaded: &Loaded,
    extra: Value,
) -> Result<HttpResponse, WebError> {
    let ctx = public_case::context(loaded);
    let mut res = page::html_status(
        status,
        visitor,
        &services.key,
        Some(principal),
        "public/case.html",
        context! { ..extra, ..ctx },
    )?;
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(serde::Deserialize)]
struct Done {
    done: Option<String>,
}

/// `GET /track/case`
async fn case(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Done>,
) -> Result<HttpResponse, WebError> {
    let (principal, _, loaded) = load(&visitor, &services).await?;
    let done = match q.done.as_deref() {
        Some("correction") => Some("补正内容已提交。"),
        Some("reasons") => Some("您的说明已提交。"),
        Some("withdraw") => Some("申请已撤回。"),
        Some("file") => Some("文件已上传。"),
        _ => None,
    };
    let extra = context! { done => done };
    draw_case(
        StatusCode::OK,
        &visitor,
        &services,
        &principal,
        &loaded,
        extra,
    )
}

/// `GET /track/letter`: the answer letter alone, to read and print.
async fn letter(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
    let (principal, _, loaded) = load(&visitor, &services).await?;
    let Some(doc) = loaded.letter.as_ref() else {
        return Ok(page::redirect("/track/case"));
    };
    let parts = public_case::letter_parts(doc);
    page::html(
        &visitor,
        &services.key,
        Some(&principal),
        "public/letter.html",
        context! {
            letter => Value::from_serialize(&parts),
            tracking_number => loaded.visible.case.tracking_number,
        },
    )
}

/// Takes the applicant's `action` with the form; refused, the case page again (422) showing
/// each error beside its input and the text as typed.
async fn applicant_action(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
    action: &str,
) -> Result<HttpResponse, WebError> {
    let (principal, secret) = visitor.applicant(&services).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let Principal::Applicant { application_id } = &principal else {
        return Err(WebError::Track);
    };
    let id = application_id.to_string();
    match actions::take(&services, secret, id, action, &form).await {
        Ok(_) => Ok(page::redirect(&format!(
            "/track/case?done={}",
            done_of(action)
        ))),
        Err(e) => {
            let errors = page::form_errors(e)?;
            let (principal, _, loaded) = load(&visitor, &services).await?;
            if action == "withdraw" {
                return withdraw_draw(
                    &visitor,
                    &services,
                    &principal,
                    &loaded,
                    &errors,
                    &form.values(),
                );
            }
            let extra = context! { errors => errors, values => form.values(), refused => action };
            draw_case(
                StatusCode::UNPROCESSABLE_ENTITY,
                &visitor,
                &services,
                &principal,
                &loaded,
                extra,
            )
        }
    }
}

fn done_of(action: &str) -> &'static str {
    match action {
        "submit_correction" => "correction",
        "reply_to_reasons" => "reasons",
        _ => "withdraw",
    }
}

/// `POST /track/correction`: the correction asked for (art. 30).
async fn correct(v: Visitor, s: web::Data<Services>, f: Form) -> Result<HttpResponse, WebError> {
    applicant_action(v, s, f, "submit_correction").await
}

/// `POST /track/reasons`: the applicant's reply to the office's questions (art. 35).
async fn reply(v: Visitor, s: web::Data<Services>, f: Form) -> Result<HttpResponse, WebError> {
    applicant_action(v, s, f, "reply_to_reasons").await
}

/// `POST /track/withdraw`: withdraws the application, after the confirmation page.
async fn withdraw(v: Visitor, s: web::Data<Services>, f: Form) -> Result<HttpResponse, WebError> {
    applicant_action(v, s, f, "withdraw").await
}

fn withdraw_draw(
    visitor: &Visitor,
    services: &Services,
    principal: &Principal,
    loaded: &Loaded,
    errors: &BTreeMap<String, String>,
    values: &BTreeMap<String, String>,
) -> Result<HttpResponse, WebError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let case = &loaded.visible.case;
    page::html_status(
        status,
        visitor,
        &services.key,
        Some(principal),
        "public/withdraw.html",
        context! {
            tracking_number => case.tracking_number,
            version => case.version,
            allowed => loaded.visible.allowed.contains(&"withdraw"),
            errors => errors,
            values => values,
        },
    )
}

/// `GET /track/withdraw`: asks the applicant to confirm, saying what withdrawing means.
async fn withdraw_page(
    visitor: Visitor,
    services: web::Data<Services>,
) -> Result<HttpResponse, WebError> {
    let (principal, _, loaded) = load(&visitor, &services).await?;
    withdraw_draw(
        &visitor,
        &services,
        &principal,
        &loaded,
        &BTreeMap::new(),
        &BTreeMap::new(),
    )
}

/// `POST /track/logout`: ends the tracking session.
async fn logout(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&services.key, form.csrf())?;
    if let Some(secret) = visitor.track.clone() {
        let s = services.clone();
        web::block(move || sign_in::sign_out(&mut *s.conn()?, &secret)).await??;
    }
    let mut res = HttpResponse::SeeOther();
    res.insert_header(("Location", "/track"));
    res.cookie(visitor.cookie(TRACK_COOKIE, String::new(), Some(CookieAge::ZERO)));
    Ok(res.finish())
}
