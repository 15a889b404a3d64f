//! The admin's calendar (`/console/admin/calendar`): the national years loaded and who loaded
//! what, loading a year's holiday notice as `PUT /api/v1/calendar/years/{year}` takes it, and an
//! office's own days off (`service::calendar`, which decides who may do which).

use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::{context, Value};

use super::form::Form;
use super::page::{self, WebError};
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::domain::calendar::{LoadVia, LocalDayOff};
use crate::domain::workflow::Role;
use crate::service::{admin, calendar, FieldError, ServiceError, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/admin/calendar", Method::GET, web::get().to(show)),
        (
            "/console/admin/calendar/years",
            Method::POST,
            web::post().to(load_year),
        ),
        (
            "/console/admin/calendar/days-off",
            Method::POST,
            web::post().to(days_off),
        ),
    ]
}

fn via_label(v: LoadVia) -> &'static str {
    match v {
        LoadVia::Shipped => "随系统提供",
        LoadVia::CommandLine => "命令行导入",
        LoadVia::Api => "接口或办理平台导入",
    }
}

/// Who loaded a year, as the page says it: the years shipped with the program are recorded as
/// loaded by "shipped with gongkai".
fn loader_name(name: &str) -> &str {
    if name == calendar::Loader::shipped().name {
        "随程序提供"
    } else {
        name
    }
}

async fn draw(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    status: StatusCode,
    extra: Value,
) -> Result<HttpResponse, WebError> {
    let (years, loads, offices, local) = {
        let (services, own) = (services.clone(), me.staff.agency_id.clone());
        web::block(move || {
            let years = calendar::years(&services, true)?;
            let conn = &mut *services.conn()?;
            let loads = calendar::loads_in(conn, own.as_deref())?;
            let agencies: Vec<_> = admin::agencies(conn)?
                .into_iter()
                .filter(|a| own.as_ref().is_none_or(|o| *o == a.id))
                .collect();
            // Each office's own days off, listed apart from the national calendar.
            let ids: Vec<&str> = agencies.iter().map(|a| a.id.as_str()).collect();
            let mut local = Vec::new();
            for (id, d) in calendar::local_days_of(conn, &ids)? {
                if let Some(a) = agencies.iter().find(|a| a.id == id) {
                    local.push((a.code.to_string(), a.name.clone(), d));
                }
            }
            let offices: Vec<(String, String)> = agencies
                .into_iter()
                .map(|a| (a.code.to_string(), a.name))
                .collect();
            Ok::<_, ServiceError>((years, loads, offices, local))
        })
        .await??
    };
    let local: Vec<Value> = local
        .into_iter()
        .map(|(code, office, d)| {
            context! { code => code, office => office, date => d.date.to_string(), name => d.name }
        })
        .collect();
    let years: Vec<Value> = years
        .iter()
        .map(|y| {
            context! { year => y.year, source => y.source, loaded_by => y.loaded_by.as_deref().map(loader_name),
            via => y.loaded_via.map(via_label), loaded_at => y.loaded_at.get(..10),
            days_off => y.days_off, make_up => y.make_up_working_days }
        })
        .collect();
    let loads: Vec<Value> = loads
        .iter()
        .map(|l| {
            context! { year => l.year, by => loader_name(&l.by), via => via_label(l.via),
            agency => l.agency, loaded_at => l.loaded_at.get(..10),
            role => l.by_role.map(page::role_label) }
        })
        .collect();
    page::html_status(
        status,
        visitor,
        &services.key,
        Some(&me.principal),
        "console/admin_calendar.html",
        context! { years => years, loads => loads, offices => offices, local_days => local,
        bound => me.staff.agency_id.is_some(), ..extra },
    )
}

async fn show(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    let done = visitor.here.contains("done=1");
    draw(
        &visitor,
        &services,
        &me,
        StatusCode::OK,
        context! { done => done },
    )
    .await
}

fn year_of(form: &Form) -> Result<i32, ServiceError> {
    form.get("year")
        .and_then(|y| y.parse().ok())
        .filter(|y| (2000..=2099).contains(y))
        .ok_or_else(|| {
            ServiceError::invalid(
                "year",
                "range",
                crate::msg!("请填写 2000 至 2099 之间的年份", "a year from 2000 to 2099"),
            )
        })
}

/// Draws the page again with a refused form's errors, or says it was done.
async fn answer(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    result: Result<(), ServiceError>,
    form: &Form,
    which: &str,
) -> Result<HttpResponse, WebError> {
    match result {
        Ok(()) => Ok(page::redirect("/console/admin/calendar?done=1")),
        Err(e) => {
            let errors = page::form_errors(e.into())?;
            let extra = context! { errors => errors, values => form.values(), failed => which };
            draw(
                visitor,
                services,
                me,
                StatusCode::UNPROCESSABLE_ENTITY,
                extra,
            )
            .await
        }
    }
}

/// `POST /console/admin/calendar/years`: a year's notice, as the JSON file chosen (`file`,
/// the form then sent as `multipart/form-data`) or its text pasted (`notice`).
async fn load_year(
    visitor: Visitor,
    services: web::Data<Services>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    let form = Form::read(&req, payload).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let (s, secret, f) = (services.clone(), me.secret.clone(), form.clone());
    let result = web::block(move || {
        let year = year_of(&f)?;
        // A file chosen wins over text pasted: it is what the admin picked last.
        let body = f.get("file").or_else(|| f.get("notice")).ok_or_else(|| {
            ServiceError::invalid(
                "notice",
                "required",
                crate::msg!(
                    "请选择节假日安排文件，或粘贴其内容",
                    "choose the notice file or paste it"
                ),
            )
        })?;
        calendar::put_year(&s, Some(&secret), year, body, s.now()).map(|_| ())
    })
    .await?;
    answer(&visitor, &services, &me, result, &form, "year").await
}

/// The office's days off, one a line: `2026-05-06 区庆`.
fn parse_days(text: &str) -> Result<Vec<LocalDayOff>, ServiceError> {
    let mut days = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let (date, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Ok(date) => days.push(LocalDayOff {
                date,
                name: name.trim().to_owned(),
            }),
            Err(_) => {
                let n = i + 1;
                errors.push(FieldError::new(
                    "days",
                    "invalid_date",
                    crate::msg!(
                        "第 {n} 行不是“日期 名称”（如 2026-05-06 区庆）",
                        "line {n} is not a date and a name"
                    ),
                ));
            }
        }
    }
    match errors.is_empty() {
        true => Ok(days),
        false => Err(ServiceError::Invalid(errors)),
    }
}

/// `POST /console/admin/calendar/days-off`: an office's own days off in a year (replacing
/// the ones set before).
async fn days_off(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let (s, secret, f) = (services.clone(), me.secret.clone(), form.clone());
    let result = web::block(move || {
        let year = year_of(&f)?;
        let days = parse_days(f.get("days").unwrap_or_default())?;
        let code = f.get("agency").unwrap_or_default();
        calendar::put_local_days(&s, Some(&secret), code, year, &days, s.now()).map(|_| ())
    })
    .await?;
    answer(&visitor, &services, &me, result, &form, "days").await
}
