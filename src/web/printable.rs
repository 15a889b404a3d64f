//! Printable documents for applicants without e-mail: `GET /console/cases/{id}/print/{doc}`
//! for the receipt (回执), the correction notice and the fee notice, on A4 (GB/T 9704 styles).

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use minijinja::context;

use super::page::{self, WebError};
use super::session::Visitor;
use super::PageRoute;
use crate::domain::problem_code::ProblemCode;
use crate::http::problem::ApiError;
use crate::msg;
use crate::service::printable::{self, Printable};
use crate::service::Services;

pub fn routes() -> Vec<PageRoute> {
    vec![(
        "/console/cases/{id}/print/{doc}",
        Method::GET,
        web::get().to(print),
    )]
}

fn no_such_document() -> WebError {
    ApiError::new(
        ProblemCode::NotFound,
        msg!(
            "本案没有这份文书（尚未发出相应的告知书或通知书）",
            "this case has no such document"
        ),
    )
    .into()
}

async fn print(
    visitor: Visitor,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    let (id, doc) = path.into_inner();
    let which = Printable::parse(&doc).ok_or_else(no_such_document)?;
    let s = services.clone();
    let secret = me.secret.clone();
    let printed =
        web::block(move || printable::document(&s, Some(&secret), &id, which, None, s.now()))
            .await??
            .ok_or_else(no_such_document)?;
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/print.html",
        context! {
            title => printed.title,
            agency_name => printed.agency_name,
            tracking_number => printed.tracking_number,
            id => printed.application_id,
            body => printed.html,
        },
    )
}
