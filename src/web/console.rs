//! The clerk's console: `/console/` and the case pages.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use minijinja::context;

use super::page::{self, WebError};
use super::session::Visitor;
use super::PageRoute;
use crate::service::Services;

pub fn routes() -> Vec<PageRoute> {
    vec![("/console/", Method::GET, web::get().to(home))]
}

async fn home(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/home.html",
        context! {},
    )
}
