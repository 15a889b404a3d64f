//! The decision side: the answer letter, what clerks should know of an applicant, fee quotes.

use actix_web::http::header::ContentType;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::extract::BearerToken;
use super::problem::ApiError;
use super::views::instant;
use crate::domain::fees::{self, FeeScale};
use crate::msg;
use crate::service::{history, letters, FieldError, Services};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterParams {
    format: Option<LetterFormat>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum LetterFormat {
    Json,
    Html,
    Text,
}

#[derive(Serialize)]
struct LetterView<'a> {
    id: &'a str,
    kind: &'a str,
    /// The document number (海政信复〔2026〕4号); null when the office has no prefix.
    document_number: Option<&'a str>,
    created_at: String,
    /// SHA-256 of the text, a newline and the HTML, as stored when the letter was delivered.
    sha256: &'a str,
    text: &'a str,
    html: &'a str,
}

/// `GET /api/v1/applications/{id}/letter`: the delivered answer letter (答复书).
pub async fn letter(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
    q: web::Query<LetterParams>,
) -> Result<HttpResponse, ApiError> {
    let doc = web::block(move || letters::answer_letter(&services, Some(&token.0), &id)).await??;
    Ok(match q.format.unwrap_or(LetterFormat::Json) {
        LetterFormat::Html => HttpResponse::Ok()
            .content_type(ContentType::html())
            .body(doc.html),
        LetterFormat::Text => HttpResponse::Ok()
            .content_type(ContentType::plaintext())
            .body(doc.text),
        LetterFormat::Json => HttpResponse::Ok().json(LetterView {
            id: &doc.id,
            kind: &doc.kind,
            document_number: doc.document_number.as_deref(),
            created_at: instant(doc.created_at),
            sha256: &doc.sha256,
            text: &doc.text,
            html: &doc.html,
        }),
    })
}

/// `GET /api/v1/applications/{id}/applicant-history` (staff): the art. 35 count and earlier answers.
pub async fn applicant_history(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let h =
        web::block(move || history::applicant_history(&services, Some(&token.0), &id)).await??;
    Ok(HttpResponse::Ok().json(h))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteParams {
    scale: FeeScale,
    rank: Option<u32>,
    pages: Option<u32>,
}

/// `GET /api/v1/fees/quote`: what a fee would be, before anyone files (public).
pub async fn quote(q: web::Query<QuoteParams>) -> Result<HttpResponse, ApiError> {
    let quantity = match (q.scale, q.rank, q.pages) {
        (FeeScale::PerApplication, Some(rank), None) if (1..=100_000).contains(&rank) => rank,
        (FeeScale::PerPage, None, Some(pages)) if pages <= 1_000_000 => pages,
        (FeeScale::PerApplication, rank, _) => {
            return Err(ApiError::invalid(vec![FieldError::new(
                "rank",
                if rank.is_some() { "range" } else { "required" },
                msg!(
                    "按件计收须填写 rank（1 至 100000：该申请是当月的第几件），不填 pages",
                    "the per-application scale takes rank (1 to 100000: the application's number \
                     in the month) and no pages"
                ),
            )]))
        }
        (FeeScale::PerPage, _, pages) => {
            return Err(ApiError::invalid(vec![FieldError::new(
                "pages",
                if pages.is_some() { "range" } else { "required" },
                msg!(
                    "按页计收须填写 pages（0 至 1000000），不填 rank",
                    "the per-page scale takes pages (0 to 1000000) and no rank"
                ),
            )]))
        }
    };
    Ok(HttpResponse::Ok().json(fees::quote(q.scale, quantity)))
}
