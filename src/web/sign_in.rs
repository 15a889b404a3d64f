//! Staff sign-in to the console: `GET/POST /console/login` and `POST /console/logout`.

use actix_web::cookie::time::Duration as CookieAge;
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::context;

use super::form::{Form, PageQuery};
use super::page::{self, WebError};
use super::session::{Visitor, SESSION_COOKIE};
use super::PageRoute;
use crate::service::sign_in::{self, SignInError};
use crate::service::Services;

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/login", Method::GET, web::get().to(form)),
        ("/console/login", Method::POST, web::post().to(submit)),
        ("/console/logout", Method::POST, web::post().to(logout)),
    ]
}

#[derive(serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path on this site is a place to return to (never `//host` or a URL).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_owned()
        }
        _ => "/console/".to_owned(),
    }
}

async fn form(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Next>,
) -> Result<HttpResponse, WebError> {
    let next = safe_next(q.next.as_deref());
    if let Some(p) = visitor.principal(&services).await? {
        if p.staff().is_some() {
            return Ok(page::redirect(&next));
        }
    }
    page::html(
        &visitor,
        &services.key,
        None,
        "login.html",
        context! { next => next },
    )
}

async fn submit(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&services.key, form.csrf())?;
    let next = safe_next(form.get("next"));
    let login = form.get("username").unwrap_or_default().to_owned();
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let address = visitor.address.clone();
    let s = services.clone();
    let who = login.clone();
    let opened = web::block(move || sign_in::staff(&s, &who, &password, &address, s.now())).await?;
    let (status, error) = match opened {
        Ok(opened) => {
            let mut res = HttpResponse::SeeOther();
            res.insert_header(("Location", next.as_str()));
            // A session cookie (no Max-Age): it ends with the browser, or when idle too long.
            res.cookie(visitor.cookie(SESSION_COOKIE, opened.secret, None));
            return Ok(res.finish());
        }
        Err(SignInError::Wrong) => (StatusCode::UNAUTHORIZED, "登录名或密码不正确。".to_owned()),
        Err(SignInError::Limited {
            retry_after_minutes,
        }) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("登录失败次数过多，请 {retry_after_minutes} 分钟后再试。"),
        ),
        Err(SignInError::Service(e)) => return Err(e.into()),
    };
    page::html_status(
        status,
        &visitor,
        &services.key,
        None,
        "login.html",
        context! { next => next, username => login, error => error },
    )
}

async fn logout(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Result<Form, WebError>,
) -> Result<HttpResponse, WebError> {
    // No form at all (an empty body) carries no token either: refused like a wrong one (403).
    let form = form.unwrap_or_default();
    visitor.check_csrf(&services.key, form.csrf())?;
    if let Some(secret) = visitor.session.clone() {
        let s = services.clone();
        web::block(move || sign_in::sign_out(&mut *s.conn()?, &secret)).await??;
    }
    let mut res = HttpResponse::SeeOther();
    res.insert_header(("Location", "/console/login"));
    res.cookie(visitor.cookie(SESSION_COOKIE, String::new(), Some(CookieAge::ZERO)));
    Ok(res.finish())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_console_paths_are_returned_to() {
        assert_eq!(safe_next(Some("/console/cases/1")), "/console/cases/1");
        assert_eq!(safe_next(Some("//evil.example/console")), "/console/");
        assert_eq!(safe_next(Some("https://evil.example")), "/console/");
        assert_eq!(safe_next(None), "/console/");
    }
}
