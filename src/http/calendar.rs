//! The official calendar: a public working-day calculator, and the administrator's loading of
//! years and local days off.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::extract::{parse_json_value, BearerToken, JsonBody, RawJson};
use super::problem::ApiError;
use crate::domain::calendar::{CalendarError, DayNote, LocalDayOff};
use crate::domain::problem_code::ProblemCode;
use crate::msg;
use crate::service::{calendar, FieldError, Services};

/// Names the parameter whose date is outside the calendar (or `otherwise` when only the
/// result would be).
fn out_of_range(e: CalendarError, params: &[(&str, NaiveDate)], otherwise: &str) -> ApiError {
    let CalendarError::OutOfRange(date) = e;
    let field = params
        .iter()
        .find(|(_, d)| *d == date)
        .map_or(otherwise, |(name, _)| *name);
    ApiError::invalid(vec![FieldError::new(field, "out_of_calendar", e.message())])
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddParams {
    #[serde(with = "crate::domain::date::strict")]
    from: NaiveDate,
    working_days: u32,
    agency: Option<String>,
}

#[derive(Serialize)]
struct AddAnswer<'a> {
    from: NaiveDate,
    working_days: u32,
    date: NaiveDate,
    provisional: bool,
    agency: Option<&'a str>,
    /// The announced days off and make-up working days on the way.
    notes: Vec<&'a DayNote>,
}

/// `GET /api/v1/calendar/add`: the N-th working day after a date (the date itself not counted).
pub async fn add(
    services: web::Data<Services>,
    q: web::Query<AddParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    if q.working_days > 1000 {
        return Err(ApiError::invalid(vec![FieldError::new(
            "working_days",
            "range",
            msg!("须为 0 至 1000", "0 to 1000"),
        )]));
    }
    let code = q.agency.clone();
    let agency = q.agency.as_ref().map(|a| a.to_uppercase());
    let cal = web::block(move || calendar::for_calculator(&services, code.as_deref())).await??;
    let date = cal
        .add(q.from, q.working_days)
        .map_err(|e| out_of_range(e, &[("from", q.from)], "working_days"))?;
    Ok(HttpResponse::Ok().json(AddAnswer {
        from: q.from,
        working_days: q.working_days,
        date,
        provisional: cal.is_provisional(q.from, date),
        agency: agency.as_deref(),
        notes: cal.notes_between(q.from, date),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BetweenParams {
    #[serde(with = "crate::domain::date::strict")]
    from: NaiveDate,
    #[serde(with = "crate::domain::date::strict")]
    to: NaiveDate,
    agency: Option<String>,
}

#[derive(Serialize)]
struct BetweenAnswer<'a> {
    from: NaiveDate,
    to: NaiveDate,
    /// Working days after `from` up to and including `to` (negative if `to` is earlier).
    working_days: i64,
    provisional: bool,
    agency: Option<&'a str>,
    notes: Vec<&'a DayNote>,
}

/// `GET /api/v1/calendar/between`
pub async fn between(
    services: web::Data<Services>,
    q: web::Query<BetweenParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let code = q.agency.clone();
    let cal = web::block(move || calendar::for_calculator(&services, code.as_deref())).await??;
    let n = cal
        .between(q.from, q.to)
        .map_err(|e| out_of_range(e, &[("from", q.from), ("to", q.to)], "to"))?;
    let (lo, hi) = if q.from <= q.to {
        (q.from, q.to)
    } else {
        (q.to, q.from)
    };
    Ok(HttpResponse::Ok().json(BetweenAnswer {
        from: q.from,
        to: q.to,
        working_days: n,
        provisional: cal.is_provisional(q.from, q.to),
        agency: q.agency.map(|a| a.to_uppercase()).as_deref(),
        notes: cal.notes_between(lo, hi),
    }))
}

/// `GET /api/v1/calendar/years`: which official notices are loaded; public, and with who
/// loaded each for staff (a token, if sent, must be valid).
pub async fn years(
    token: Option<BearerToken>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let years =
        web::block(move || calendar::years_for(&services, token.as_ref().map(|t| t.0.as_str())))
            .await??;
    let last = years.iter().map(|y| y.year).max();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "years": years,
        // Dates after this year are counted with weekends only, and marked provisional.
        "last_loaded_year": last,
    })))
}

fn year_param(year: &str) -> Result<i32, ApiError> {
    year.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2099).contains(y))
        .ok_or_else(|| {
            ApiError::new(
                ProblemCode::NotFound,
                msg!("年份须为 2000 至 2099", "the year must be 2000 to 2099"),
            )
        })
}

/// `PUT /api/v1/calendar/years/{year}`: load or replace a year (admin); every open case's
/// deadlines are recomputed in the same transaction.
pub async fn put_year(
    token: BearerToken,
    services: web::Data<Services>,
    year: web::Path<String>,
    body: RawJson,
) -> Result<HttpResponse, ApiError> {
    let year = year_param(&year)?;
    if body.0.is_empty() {
        return Err(ApiError::new(
            ProblemCode::MalformedJson,
            msg!("请求体为空", "the body is empty"),
        ));
    }
    // Not JSON at all is a 400 like everywhere else; JSON that is not a valid notice is a 422.
    parse_json_value(&body.0)?;
    let text = String::from_utf8(body.0.to_vec()).map_err(|_| {
        ApiError::new(
            ProblemCode::MalformedJson,
            msg!("请求体不是 UTF-8 编码", "the body is not UTF-8"),
        )
    })?;
    let loaded = web::block(move || {
        calendar::put_year(&services, Some(&token.0), year, &text, services.now())
    })
    .await??;
    Ok(HttpResponse::Ok().json(loaded))
}

#[derive(Deserialize, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct LocalDays {
    #[validate(length(max = 366))]
    days_off: Vec<LocalDayOff>,
}

/// `PUT /api/v1/agencies/{code}/days-off/{year}`: an office's local days off (admin).
pub async fn put_local_days(
    token: BearerToken,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
    body: JsonBody<LocalDays>,
) -> Result<HttpResponse, ApiError> {
    let (code, year) = path.into_inner();
    let year = year_param(&year)?;
    let days = body.0.days_off;
    let agency = code.to_uppercase();
    let recomputed = web::block(move || {
        calendar::put_local_days(
            &services,
            Some(&token.0),
            &code,
            year,
            &days,
            services.now(),
        )
    })
    .await??;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "agency": agency, "year": year, "recomputed": recomputed })))
}

/// `GET /api/v1/calendar/loads`: the audit of calendar loads, newest first (auditor, admin).
pub async fn loads(
    token: BearerToken,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let items = web::block(move || calendar::loads(&services, Some(&token.0))).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}
