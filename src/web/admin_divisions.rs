//! The admin's divisions (`/console/admin/divisions`, issue 16): each office's divisions (处室)
//! with their people, and adding one (`service::divisions`). People are placed in a division
//! on the users page. An admin bound to an office manages that one only.

use std::collections::BTreeMap;

use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};

use super::form::Form;
use super::page::{self, WebError};
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::domain::workflow::Role;
use crate::service::{admin, divisions, ServiceError, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/admin/divisions", Method::GET, web::get().to(list)),
        (
            "/console/admin/divisions",
            Method::POST,
            web::post().to(add),
        ),
    ]
}

async fn draw(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    status: StatusCode,
    extra: Value,
) -> Result<HttpResponse, WebError> {
    let offices = {
        let (services, own) = (services.clone(), me.staff.agency_id.clone());
        web::block(move || {
            let conn = &mut *services.conn()?;
            let mut out = Vec::new();
            for a in admin::agencies(conn)?
                .into_iter()
                .filter(|a| own.as_ref().is_none_or(|o| *o == a.id))
            {
                let list = divisions::list(conn, &a.id)?;
                out.push(context! {
                    code => a.code.to_string(), name => a.name,
                    divisions => Value::from_serialize(&list),
                });
            }
            Ok::<_, ServiceError>(out)
        })
        .await??
    };
    page::html_status(
        status,
        visitor,
        &services.key,
        Some(&me.principal),
        "console/admin_divisions.html",
        context! { offices => offices, ..extra },
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

/// `POST /console/admin/divisions`: a new division of an office (`agency`, `code`, `name`).
async fn add(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let (s, own, f) = (services.clone(), me.staff.agency_id.clone(), form.clone());
    let added = web::block(move || {
        let conn = &mut *s.conn()?;
        let code = f.get("agency").unwrap_or_default();
        let agency = crate::db::staff::agency_by_code(conn, code)?
            .filter(|a| own.as_ref().is_none_or(|o| *o == a.id))
            .ok_or(ServiceError::NoSuchAgency)?;
        divisions::add_division(
            conn,
            &agency,
            f.get("code").unwrap_or_default(),
            f.get("name").unwrap_or_default(),
        )
    })
    .await?;
    match added {
        Ok(_) => Ok(page::redirect("/console/admin/divisions?done=1")),
        Err(e) => {
            let errors = page::form_errors(e.into())?;
            let values: BTreeMap<String, String> = form.values();
            draw(
                &visitor,
                &services,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { errors => errors, values => values },
            )
            .await
        }
    }
}
