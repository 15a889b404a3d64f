//! The annual report in the console (`/console/report`): the statutory table as printed, each
//! non-zero cell a link to the cases it counts, and its CSV; the same service functions as
//! `/api/v1/reports/annual`.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use minijinja::context;
use serde::Deserialize;
use serde_json::{json, Value};

use super::form::PageQuery;
use super::page::{self, WebError};
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::domain::report::{CHALLENGE_COLUMNS, CHALLENGE_GROUPS, COLUMNS, ROWS};
use crate::service::report::{self, AnnualReport};
use crate::service::{report_format, ServiceError, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/report", Method::GET, web::get().to(annual)),
        (
            "/console/report.csv",
            Method::GET,
            web::get().to(annual_csv),
        ),
        ("/console/report/cases", Method::GET, web::get().to(cell)),
    ]
}

#[derive(Deserialize)]
pub struct Params {
    agency: Option<String>,
    /// Typed in the form: read by `super::form::optional_year` (blank is this year).
    year: Option<String>,
    row: Option<String>,
    column: Option<String>,
}

/// The office and year asked for: the staff member's own office, or the one chosen (the first
/// office for unbound staff who chose none); this year by default.
fn chosen(
    services: &Services,
    me: &SignedIn,
    q: &Params,
) -> Result<(String, i32, super::auditor::Offices), WebError> {
    let offices = super::auditor::offices(services, me.staff.agency_id.as_deref())?;
    let code = q
        .agency
        .clone()
        .filter(|a| !a.trim().is_empty())
        .or_else(|| offices.first().map(|o| o.0.clone()))
        .ok_or(ServiceError::NoSuchAgency)?;
    let year = match super::form::optional_year(q.year.as_deref())? {
        Some(y) => report::check_year(y)?,
        None => crate::domain::time::legal_date(services.now()).year(),
    };
    Ok((code, year, offices))
}

fn load(services: &Services, me: &SignedIn, q: &Params) -> Result<(AnnualReport, Value), WebError> {
    let (code, year, offices) = chosen(services, me, q)?;
    let conn = &mut *services.conn()?;
    let agency = report::scope(conn, me.credential(), &code)?;
    let r = report::annual(conn, agency, year, None)?;
    let offices: Vec<Value> = offices
        .into_iter()
        .map(|(c, n)| json!({ "code": c, "name": n }))
        .collect();
    Ok((r, json!(offices)))
}

/// Part 三's rows as printed (label cells with their spans), each number with its cell's link.
fn rows(r: &AnnualReport) -> Vec<Value> {
    let mut rows = report_format::html_rows();
    for row in &mut rows {
        let key = row["key"].as_str().unwrap_or_default().to_owned();
        let counts = r.table.get(&key).map(|n| {
            COLUMNS
                .iter()
                .zip(n)
                .map(|((col, label), n)| json!({ "n": n, "label": label, "column": col }))
                .collect::<Vec<_>>()
        });
        row["counts"] = json!(counts);
    }
    rows
}

async fn annual(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Params>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    let (r, offices) = {
        let (services, me) = (services.clone(), me.clone());
        web::block(move || load(&services, &me, &q)).await??
    };
    let mut data = report_format::json(&r);
    data["html_rows"] = json!(rows(&r));
    data["challenge_groups"] = json!(CHALLENGE_GROUPS
        .iter()
        .zip(r.challenges)
        .map(|((_, label), n)| json!({ "label": label, "counts": n }))
        .collect::<Vec<_>>());
    data["challenge_columns"] = json!(CHALLENGE_COLUMNS.iter().map(|c| c.1).collect::<Vec<_>>());
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/report.html",
        context! { report => data, offices => offices, bound => me.staff.agency_id.is_some() },
    )
}

async fn annual_csv(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Params>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    let (r, _) = web::block(move || load(&services, &me, &q)).await??;
    let body = report_format::csv(&r).map_err(ServiceError::Internal)?;
    let name = format!("{}-{}-annual-report.csv", r.agency.code, r.year);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body))
}

/// `GET /console/report/cases?agency=&year=&row=&column=`: the cases behind one cell.
async fn cell(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Params>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    let q = q.into_inner();
    let (row, column) = (
        q.row.clone().unwrap_or_default(),
        q.column.clone().unwrap_or_else(|| "total".to_owned()),
    );
    // A cell is opened from the report's own links: a row or column that is not the table's
    // is said in words, not by its parameter's name.
    if !ROWS.iter().any(|r| r.key == row && r.counted) || !COLUMNS.iter().any(|c| c.0 == column) {
        return Err(WebError::Problem(crate::http::problem::ApiError::new(
            crate::domain::problem_code::ProblemCode::InvalidQuery,
            crate::msg!(
                "年度报告表中没有这一格，请从年度报告页面点击表中的数字打开",
                "no such cell of the report: row {row}, column {column}"
            ),
        )));
    }
    let (code, year, items) = {
        let (services, me, row, column) =
            (services.clone(), me.clone(), row.clone(), column.clone());
        web::block(move || {
            let (code, year, _) = chosen(&services, &me, &q)?;
            let conn = &mut *services.conn()?;
            let agency = report::scope(conn, me.credential(), &code)?;
            let items = report::cell_cases(conn, &agency.id, year, &row, &column)?;
            Ok::<_, WebError>((code, year, items))
        })
        .await??
    };
    let row_label = ROWS.iter().find(|r| r.key == row).map(|r| r.label);
    let column_label = COLUMNS.iter().find(|c| c.0 == column).map(|c| c.1);
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/report_cases.html",
        context! {
            agency => code, year => year, items => items,
            row_label => row_label, column_label => column_label,
        },
    )
}
