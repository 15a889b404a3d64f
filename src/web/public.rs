//! The applicant's pages: `/` (the offices and how to apply), the filing form and its receipt
//! (`public_apply`), and following a case (`public_track`, `public_case`). No account: a case
//! is followed with its tracking number and access token, which open a tracking session.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use minijinja::context;

use super::page::{self, WebError};
use super::session::Visitor;
use super::{public_apply, public_track, PageRoute};
use crate::db::models::Agency;
use crate::service::{admin, Services};

pub fn routes() -> Vec<PageRoute> {
    let mut routes = vec![("/", Method::GET, web::get().to(home))];
    routes.extend(public_apply::routes());
    routes.extend(public_track::routes());
    routes
}

/// An office as the public pages show it: its code, name and how its fees are paid.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Office {
    pub code: String,
    pub name: String,
    pub payee: Option<String>,
    pub payment_account: Option<String>,
    pub payment_channel: Option<String>,
}

impl From<Agency> for Office {
    fn from(a: Agency) -> Self {
        Self {
            code: a.code.to_string(),
            name: a.name,
            payee: a.payee,
            payment_account: a.payment_account,
            payment_channel: a.payment_channel,
        }
    }
}

/// Every office on this deployment (blocking: call inside `web::block`).
pub fn offices(services: &Services) -> Result<Vec<Office>, crate::service::ServiceError> {
    let conn = &mut *services.conn()?;
    Ok(admin::agencies(conn)?
        .into_iter()
        .map(Office::from)
        .collect())
}

/// The office of `code`, if there is one (blocking).
pub fn office(
    services: &Services,
    code: &str,
) -> Result<Option<Office>, crate::service::ServiceError> {
    Ok(offices(services)?
        .into_iter()
        .find(|o| o.code.eq_ignore_ascii_case(code)))
}

/// `GET /`: the offices and how to apply (art. 29) and follow an application.
async fn home(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
    let s = services.clone();
    let offices = web::block(move || offices(&s)).await??;
    page::html(
        &visitor,
        &services.key,
        None,
        "public/home.html",
        context! { offices => offices },
    )
}
