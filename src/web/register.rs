//! Registering an application that came on paper, by mail, by fax or in person:
//! `GET/POST /console/register` (the body of `POST /api/v1/registrations`, input by input).

use std::collections::BTreeMap;

use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};

use super::form::Form;
use super::page::{self, WebError};
use super::public_apply::KEY_FIELD;
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::domain::case::{
    ApplicantKind, Channel, DeliveryMethod, InformationForm, OrganisationType,
};
use crate::domain::identity::IdDocumentType;
use crate::domain::labels;
use crate::domain::time::legal_date;
use crate::domain::workflow::Role;
use crate::security::new_token;
use crate::service::forms::{self, Registration};
use crate::service::printable::{self, Printable};
use crate::service::{intake, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/register", Method::GET, web::get().to(show)),
        ("/console/register", Method::POST, web::post().to(submit)),
    ]
}

fn opts<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

/// The choices of the form's selects, by input name.
fn choices() -> Value {
    let channels: Vec<Channel> = Channel::ALL
        .iter()
        .copied()
        .filter(|c| *c != Channel::Online)
        .collect();
    context! {
        channel => opts(&channels, Channel::as_str, labels::channel_label),
        kind => opts(ApplicantKind::ALL, ApplicantKind::as_str, labels::applicant_kind_label),
        organisation_type => opts(OrganisationType::ALL, OrganisationType::as_str, labels::organisation_type_label),
        id_document_type => opts(IdDocumentType::ALL, IdDocumentType::as_str, labels::id_document_label),
        information_form => opts(InformationForm::ALL, InformationForm::as_str, labels::information_form_label),
        delivery_method => opts(DeliveryMethod::ALL, DeliveryMethod::as_str, labels::delivery_method_label),
    }
}

fn draw(
    visitor: &Visitor,
    services: &Services,
    me: &SignedIn,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Result<HttpResponse, WebError> {
    page::html_status(
        status,
        visitor,
        &services.key,
        Some(&me.principal),
        "console/register.html",
        context! { values => values, errors => errors, choices => choices(), key_field => KEY_FIELD },
    )
}

async fn show(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
    let me = visitor.office_staff(&services, &[Role::Clerk]).await?;
    let mut values = BTreeMap::new();
    values.insert(
        "received_on".to_owned(),
        legal_date(services.now()).to_string(),
    );
    values.insert("channel".to_owned(), Channel::InPerson.as_str().to_owned());
    // The form's own key: sent twice (a double click, a reload), it registers once.
    values.insert(KEY_FIELD.to_owned(), new_token("gkr_"));
    draw(
        &visitor,
        &services,
        &me,
        StatusCode::OK,
        values,
        BTreeMap::new(),
    )
}

async fn submit(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.office_staff(&services, &[Role::Clerk]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let body = form.to_json(&[], &[]);
    let parsed = crate::http::collect::checked(body, <Registration as forms::Form>::cross_check);
    let registration = match parsed {
        Ok(r) => r,
        Err(e) => return redraw(&visitor, &services, &me, &form, e.into()),
    };
    let s = services.clone();
    let secret = me.secret.clone();
    let key = form_key(&form);
    let done = web::block(move || {
        let opened = intake::register(&s, Some(&secret), &registration, key.as_deref(), s.now())?;
        let id = opened.case.id.to_string();
        let receipt = printable::document(
            &s,
            Some(&secret),
            &id,
            Printable::Receipt,
            Some(&opened.access_token),
            s.now(),
        )?;
        Ok::<_, crate::service::ServiceError>((opened, receipt))
    })
    .await?;
    let (opened, receipt) = match done {
        Ok(d) => d,
        Err(e) => return redraw(&visitor, &services, &me, &form, e.into()),
    };
    page::html_status(
        StatusCode::CREATED,
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/registered.html",
        context! {
            id => opened.case.id.to_string(),
            tracking_number => opened.case.tracking_number,
            access_token => opened.access_token,
            replayed => opened.replayed,
            title => receipt.as_ref().map(|r| r.title),
            agency_name => receipt.as_ref().map(|r| r.agency_name.clone()),
            body => receipt.map(|r| super::printable::signed(&r.html, r.issued_on)),
        },
    )
}

/// The form's key if it is one (1 to 200 visible ASCII characters, as the API's header); a
/// form without one (an old page) registers as before.
fn form_key(form: &Form) -> Option<String> {
    form.get(KEY_FIELD)
        .filter(|k| (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
}

fn redraw(
    visitor: &Visitor,
    services: &Services,
    me: &SignedIn,
    form: &Form,
    e: WebError,
) -> Result<HttpResponse, WebError> {
    let errors = page::form_errors(e)?;
    draw(
        visitor,
        services,
        me,
        StatusCode::UNPROCESSABLE_ENTITY,
        form.values(),
        errors,
    )
}
