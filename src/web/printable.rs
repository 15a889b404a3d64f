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
            body => signed(&printed.html, printed.issued_on),
            kind => doc,
        },
    )
}

/// The document's foot as an official document has it: the office's name (the notice's last
/// paragraph) and under it the date (成文日期, 2026年11月28日), on the right with room for
/// the seal, as the answer letter (`domain::letter`).
pub fn signed(html: &str, issued_on: chrono::NaiveDate) -> String {
    let body = html.trim_end();
    let date = crate::domain::letter::cn_date(issued_on);
    match body.rfind("<p>") {
        Some(at) if body.ends_with("</p>") && !body[at..].contains("<p ") => {
            let office = &body[at + 3..body.len() - 4];
            format!(
                "{}<div class=\"signature\"><p>{office}</p><p>{date}</p></div>\n",
                &body[..at]
            )
        }
        _ => format!("{body}<div class=\"signature\"><p>{date}</p></div>\n"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_office_and_the_date_close_the_document() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            super::signed("<p>正文</p>\n<p>北京市海淀区人民政府</p>\n", d),
            "<p>正文</p>\n<div class=\"signature\"><p>北京市海淀区人民政府</p><p>2026年11月28日</p></div>\n"
        );
    }
}
