//! Filing online from a page: `GET/POST /apply/{agency_code}`. The form's inputs are named by
//! the API's JSON paths; a submitted form becomes the API's body and is checked by the very
//! code that checks `POST /api/v1/applications`, under the same intake limits. The receipt is
//! the answer to the POST itself (never a page to come back to): the access token shows once.

use std::collections::BTreeMap;

use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::{context, Value};
use serde::Serialize;

use super::form::Form;
use super::page::{self, WebError};
use super::public::{office, Office};
use super::session::Visitor;
use super::PageRoute;
use crate::domain::case::{ApplicantKind, DeliveryMethod, InformationForm, OrganisationType};
use crate::domain::clock::DeadlineKind;
use crate::domain::identity::IdDocumentType;
use crate::domain::labels;
use crate::domain::problem_code::ProblemCode;
use crate::http::extract::parse_json_value;
use crate::http::limits::IntakeLimits;
use crate::http::problem::ApiError;
use crate::http::{collect, views};
use crate::msg;
use crate::security::new_token;
use crate::service::forms::{Form as _, OnlineFiling};
use crate::service::intake::{self, Opened};
use crate::service::{clock, ServiceError, Services};

/// The hidden input holding the form's idempotency key (page state: not part of the body).
pub const KEY_FIELD: &str = "_idempotency_key";

/// The form's inputs: an error naming any other field is shown above the form.
const INPUTS: &[&str] = &[
    "applicant.kind",
    "applicant.organisation_type",
    "applicant.name",
    "applicant.id_document_type",
    "applicant.id_number",
    "applicant.phone",
    "applicant.email",
    "applicant.address",
    "request.description",
    "request.document_number",
    "request.information_form",
    "request.delivery_method",
    "assistance_needed",
];

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/apply/{agency_code}", Method::GET, web::get().to(form)),
        ("/apply/{agency_code}", Method::POST, web::post().to(submit)),
    ]
}

/// A choice of a select: the API's code and its Chinese name.
#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|t| Choice {
            value: code(*t),
            label: label(*t),
        })
        .collect()
}

/// The selects' choices, each the API's code with its Chinese name.
fn options() -> Value {
    context! {
        kinds => choices(ApplicantKind::ALL, ApplicantKind::as_str, labels::applicant_kind_label),
        organisation_types => choices(OrganisationType::ALL, OrganisationType::as_str, labels::organisation_type_label),
        documents => choices(IdDocumentType::ALL, IdDocumentType::as_str, labels::id_document_label),
        information_forms => choices(InformationForm::ALL, InformationForm::as_str, labels::information_form_label),
        deliveries => choices(DeliveryMethod::ALL, DeliveryMethod::as_str, labels::delivery_method_label),
    }
}

/// The office of the path, or a 404 page.
async fn find_office(services: &web::Data<Services>, code: String) -> Result<Office, WebError> {
    let s = services.clone();
    let found = web::block(move || office(&s, &code)).await??;
    found.ok_or_else(|| {
        ApiError::new(
            ProblemCode::NotFound,
            msg!(
                "没有这个机关。请从首页选择受理申请的机关。",
                "there is no such office"
            ),
        )
        .into()
    })
}

/// Draws the form: empty with a new key, or again as typed with each error beside its input.
fn draw(
    status: StatusCode,
    visitor: &Visitor,
    services: &Services,
    office: &Office,
    values: &BTreeMap<String, String>,
    errors: &BTreeMap<String, String>,
    key: &str,
) -> Result<HttpResponse, WebError> {
    let general: Vec<&String> = errors
        .iter()
        .filter(|(field, _)| !INPUTS.contains(&field.as_str()))
        .map(|(_, message)| message)
        .collect();
    page::html_status(
        status,
        visitor,
        &services.key,
        None,
        "public/apply.html",
        context! {
            office => office,
            options => options(),
            values => values,
            errors => errors,
            general => general,
            key_field => KEY_FIELD,
            key => key,
        },
    )
}

/// `GET /apply/{agency_code}`
async fn form(
    visitor: Visitor,
    services: web::Data<Services>,
    code: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let office = find_office(&services, code.into_inner()).await?;
    let values = BTreeMap::from([(
        "request.delivery_method".to_owned(),
        DeliveryMethod::Email.as_str().to_owned(),
    )]);
    let key = new_token("gkw_");
    draw(
        StatusCode::OK,
        &visitor,
        &services,
        &office,
        &values,
        &BTreeMap::new(),
        &key,
    )
}

/// The form's key if it is one (1 to 200 visible ASCII characters, as the API's header).
fn form_key(form: &Form) -> String {
    match form.get(KEY_FIELD) {
        Some(k) if (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            k.to_owned()
        }
        _ => new_token("gkw_"),
    }
}

/// The form as the API's body, parsed and checked as `JsonForm<OnlineFiling>` does.
fn parse(form: &Form, office: &Office) -> Result<OnlineFiling, ApiError> {
    let mut body = form.to_json(&[], &[]);
    if let Some(o) = body.as_object_mut() {
        o.insert("agency_code".into(), office.code.clone().into());
        // Each part present, so that a missing field is named by its own input.
        for part in ["applicant", "request"] {
            o.entry(part).or_insert_with(|| serde_json::json!({}));
        }
    }
    let bytes = serde_json::to_vec(&body)
        .map_err(|e| ApiError::internal(&format!("a form's body: {e}")))?;
    collect::checked(parse_json_value(&bytes)?, OnlineFiling::cross_check)
}

/// Files the form as the API would: limits first, then the use case with the form's key.
async fn file(
    services: &web::Data<Services>,
    limits: &IntakeLimits,
    req: &HttpRequest,
    office: &Office,
    form: &Form,
    key: String,
) -> Result<Opened, WebError> {
    let filing = parse(form, office)?;
    limits.check_client(req)?;
    limits.check_identity(&intake::identity_key(services, &filing.applicant))?;
    let s = services.clone();
    let opened =
        web::block(move || intake::file_online(&s, &filing, Some(&key), s.now())).await??;
    Ok(opened)
}

/// `POST /apply/{agency_code}`: the receipt, or the form again with its errors.
async fn submit(
    visitor: Visitor,
    services: web::Data<Services>,
    limits: web::Data<IntakeLimits>,
    req: HttpRequest,
    code: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    visitor.check_csrf(&services.key, form.csrf())?;
    let office = find_office(&services, code.into_inner()).await?;
    let key = form_key(&form);
    match file(&services, &limits, &req, &office, &form, key.clone()).await {
        Ok(opened) => {
            let (s, token, id) = (
                services.clone(),
                opened.access_token.clone(),
                opened.case.id.to_string(),
            );
            let answer_due = web::block(move || answer_due(&s, &token, &id)).await??;
            receipt(&visitor, &services, &office, &opened, answer_due)
        }
        Err(e) => {
            let (status, errors, key) = refusal(e, key)?;
            draw(
                status,
                &visitor,
                &services,
                &office,
                &form.values(),
                &errors,
                &key,
            )
        }
    }
}

/// How a refused filing is shown: the errors by input, the status, the key to send next.
fn refusal(
    e: WebError,
    key: String,
) -> Result<(StatusCode, BTreeMap<String, String>, String), WebError> {
    match e {
        WebError::Problem(p) if p.code == ProblemCode::RateLimited => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            BTreeMap::from([(String::new(), p.detail.zh.to_string())]),
            key,
        )),
        // The key filed another form: what is on the screen now is a new application.
        WebError::Problem(p) if p.code == ProblemCode::IdempotencyKeyReused => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            BTreeMap::from([(
                String::new(),
                "此表单此前已提交过，修改后的内容未提交。如确需另行申请，请核对后再次提交。"
                    .to_owned(),
            )]),
            new_token("gkw_"),
        )),
        e => Ok((StatusCode::UNPROCESSABLE_ENTITY, page::form_errors(e)?, key)),
    }
}

/// The answer's due day and whether it is provisional, read as the applicant reads the clock.
fn answer_due(
    services: &Services,
    token: &str,
    id: &str,
) -> Result<Option<(chrono::NaiveDate, bool)>, ServiceError> {
    let c = clock::case_clock(services, Some(token), id, services.now())?;
    Ok(c.deadlines
        .iter()
        .rfind(|d| d.kind == DeadlineKind::Answer)
        .and_then(|d| d.due_on.map(|on| (on, d.provisional))))
}

/// The receipt (回执): tracking number, the access token when first filed, the legal dates.
fn receipt(
    visitor: &Visitor,
    services: &Services,
    office: &Office,
    o: &Opened,
    answer_due: Option<(chrono::NaiveDate, bool)>,
) -> Result<HttpResponse, WebError> {
    let case = views::application(
        &o.case,
        &o.agency_code,
        &o.viewer,
        o.next_deadline.as_ref(),
        o.allowed.clone(),
        None,
    );
    // A form sent again (a double submit, a reload) files nothing new; its token is the one
    // derived from the form's own key, so the sender who saw only this answer still gets it.
    let token = Some(o.access_token.as_str());
    let mut res = page::html(
        visitor,
        &services.key,
        None,
        "public/receipt.html",
        context! {
            office => office,
            case => Value::from_serialize(&case),
            access_token => token,
            answer_due => answer_due.map(|(on, provisional)| context! { due_on => on, provisional => provisional }),
            replayed => o.replayed,
        },
    )?;
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
