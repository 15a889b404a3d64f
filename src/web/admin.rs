//! The admin's offices (`/console/admin/agencies`): the list, adding an office (admins bound to
//! none), and per office the sender of its e-mails, how applicants pay fees and what its answer
//! letters say (`service::admin`). An admin bound to an office manages that one only.

use std::collections::BTreeMap;

use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};

use super::form::Form;
use super::page::{self, WebError};
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::db::models::Agency;
use crate::domain::message::Message;
use crate::domain::workflow::Role;
use crate::service::{admin, ServiceError, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/admin/agencies", Method::GET, web::get().to(list)),
        ("/console/admin/agencies", Method::POST, web::post().to(add)),
        (
            "/console/admin/agencies/{code}/{part}",
            Method::POST,
            web::post().to(set),
        ),
    ]
}

fn agency_value(a: &Agency) -> Value {
    context! {
        code => a.code.to_string(), name => a.name,
        sender_email => a.sender_email, sender_name => a.sender_name, signature => a.signature,
        payee => a.payee, account => a.payment_account, channel => a.payment_channel,
        prefix => a.letter_prefix, reconsideration_body => a.reconsideration_body,
        court => a.court,
        approval_levels => a.approval_levels,
        forwarding_working_days => a.forwarding_working_days,
        divisions_see_applicant => a.divisions_see_applicant,
        register_review_threshold => a.register_review_threshold,
    }
}

async fn draw(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    status: StatusCode,
    extra: Value,
) -> Result<HttpResponse, WebError> {
    let list = {
        let (services, own) = (services.clone(), me.staff.agency_id.clone());
        web::block(move || {
            let conn = &mut *services.conn()?;
            Ok::<_, ServiceError>(
                admin::agencies(conn)?
                    .into_iter()
                    .filter(|a| own.as_ref().is_none_or(|o| *o == a.id))
                    .collect::<Vec<_>>(),
            )
        })
        .await??
    };
    let agencies: Vec<Value> = list.iter().map(agency_value).collect();
    page::html_status(
        status,
        visitor,
        &services.key,
        Some(&me.principal),
        "console/admin_agencies.html",
        context! { agencies => agencies, bound => me.staff.agency_id.is_some(), ..extra },
    )
}

async fn list(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
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

/// A refused form drawn again: its errors beside its inputs, what was typed kept.
async fn refused(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    e: WebError,
    form: &Form,
    failed: (&str, &str),
) -> Result<HttpResponse, WebError> {
    let errors = page::form_errors(e)?;
    let values: BTreeMap<String, String> = form.values();
    let extra = context! {
        errors => errors, values => values,
        failed => context! { code => failed.0, part => failed.1 },
    };
    draw(
        visitor,
        services,
        me,
        StatusCode::UNPROCESSABLE_ENTITY,
        extra,
    )
    .await
}

/// `POST /console/admin/agencies`: a new office (admins bound to no office only).
async fn add(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    if me.staff.agency_id.is_some() {
        return Err(WebError::Forbidden);
    }
    let (code, name) = (
        form.get("code").unwrap_or_default().to_owned(),
        form.get("name").unwrap_or_default().to_owned(),
    );
    let s = services.clone();
    let added = web::block(move || {
        let conn = &mut *s.conn()?;
        admin::add_agency(conn, &code, &name)
    })
    .await?;
    match added {
        Ok(_) => Ok(page::redirect("/console/admin/agencies?done=1")),
        Err(e) => refused(&visitor, &services, &me, e.into(), &form, ("", "add")).await,
    }
}

/// A setting as typed: a blank input clears it (the service keeps what is not given).
fn typed<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    form.0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
}

/// `POST /console/admin/agencies/{code}/{sender|payment|letter}`.
async fn set(
    visitor: Visitor,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let (code, part) = path.into_inner();
    let (s, own, f) = (services.clone(), me.staff.agency_id.clone(), form.clone());
    let (c, p) = (code.clone(), part.clone());
    let done = web::block(move || {
        let conn = &mut *s.conn()?;
        let agency = crate::db::staff::agency_by_code(conn, &c)?
            .filter(|a| own.as_ref().is_none_or(|o| *o == a.id))
            .ok_or(ServiceError::NoSuchAgency)?;
        let code = agency.code.to_string();
        match p.as_str() {
            "sender" => admin::set_sender(
                conn,
                &code,
                f.get("email").unwrap_or_default(),
                f.get("name"),
                f.get("signature"),
            ),
            "payment" => admin::set_payment(
                conn,
                &code,
                f.get("payee").unwrap_or_default(),
                typed(&f, "account"),
                typed(&f, "channel"),
            ),
            "letter" => admin::set_letter(
                conn,
                &code,
                typed(&f, "prefix"),
                typed(&f, "reconsideration_body"),
                typed(&f, "court"),
            ),
            "handling" => {
                // A number that is not one is refused by the range check (as 0).
                let number = |name: &str| f.get(name).map(|v| v.parse::<i32>().unwrap_or(0));
                let settings = crate::service::divisions::HandlingSettings {
                    approval_levels: number("approval_levels"),
                    forwarding_working_days: number("forwarding_working_days"),
                    // An unticked box is not sent: the form always carries the others.
                    divisions_see_applicant: Some(f.get("divisions_see_applicant").is_some()),
                };
                crate::service::divisions::set_handling(conn, &agency, &settings)
            }
            "review" => crate::service::register::set_review_threshold(
                conn,
                &code,
                f.get("applicants")
                    .and_then(|v| v.trim().parse::<i32>().ok())
                    .unwrap_or(0),
            ),
            _ => Err(ServiceError::Forbidden(Message::new(
                "没有这项设置",
                "there is no such setting",
            ))),
        }
    })
    .await?;
    match done {
        Ok(_) => Ok(page::redirect("/console/admin/agencies?done=1")),
        Err(e) => {
            let e = match e {
                // Two levels without a level-2 approver: said in the page's words.
                ServiceError::Conflict(crate::domain::problem_code::ProblemCode::NoEligibleApprover, _) => {
                    ServiceError::Conflict(
                        crate::domain::problem_code::ProblemCode::NoEligibleApprover,
                        Message::new(
                            "本机关还没有第二级审批人（分管领导），不能设为两级审批：请先在“用户”页面添加审批级别为第二级的审批人。",
                            "the office has no level-2 approver yet",
                        ),
                    )
                }
                e => e,
            };
            refused(&visitor, &services, &me, e.into(), &form, (&code, &part)).await
        }
    }
}
