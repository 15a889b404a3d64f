//! An office's divisions (处室) over the API, and their turnaround.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use validator::Validate;

use super::extract::{BearerToken, JsonBody};
use super::problem::ApiError;
use crate::service::divisions::api;
use crate::service::{FieldError, ServiceError, Services};

/// `GET /api/v1/agencies/{code}/divisions`: the office's staff, and admins and auditors.
pub async fn list(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let items = web::block(move || api::list(&services, Some(&token.0), &code)).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewDivision {
    #[validate(length(min = 1, max = 16))]
    code: String,
    #[validate(length(min = 1, max = 100))]
    name: String,
}

/// `POST /api/v1/agencies/{code}/divisions` (admins): 201 with the division.
pub async fn add(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
    body: JsonBody<NewDivision>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let form = body.0;
    let location = format!("/api/v1/agencies/{code}/divisions");
    let d = web::block(move || api::add(&services, Some(&token.0), &code, &form.code, &form.name))
        .await??;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(d))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(with = "crate::domain::date::strict")]
    from: NaiveDate,
    #[serde(with = "crate::domain::date::strict")]
    to: NaiveDate,
}

/// `GET /api/v1/agencies/{code}/divisions/turnaround?from=…&to=…`: per division, the
/// forwardings made in the period and how long the replies took, in working days.
pub async fn turnaround(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
    q: web::Query<Period>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let Period { from, to } = q.into_inner();
    if to < from {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "to",
            "before_from",
            crate::msg!("结束日期早于开始日期", "`to` is before `from`"),
        )])
        .into());
    }
    let items =
        web::block(move || api::turnaround(&services, Some(&token.0), &code, from, to)).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "from": from, "to": to, "items": items })))
}
