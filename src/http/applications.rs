//! Handlers for applications: thin — parse at the edge, one blocking call into the service.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{
    etag, idempotency_key, if_match, parse_json_value, parse_value, BearerToken, JsonBody, RawJson,
};
use super::problem::ApiError;
use super::views::{self, ApplicationView};
use crate::domain::case::{ApplicantKind, Status};
use crate::domain::workflow::{Action, ActionKind};
use crate::service::forms::{OnlineFiling, Registration};
use crate::service::intake::{self, Opened};
use crate::service::{cases, FieldError, Services};

#[derive(Serialize)]
struct OpenedView<'a> {
    #[serde(flatten)]
    application: ApplicationView<'a>,
    /// The applicant's bearer token for this application: shown only now.
    access_token: &'a str,
}

fn opened_response(o: &Opened) -> HttpResponse {
    let body = OpenedView {
        application: views::application(&o.case, &o.agency_code, &o.viewer),
        access_token: &o.access_token,
    };
    let mut res = HttpResponse::Created();
    res.insert_header(etag(o.case.version))
        .insert_header(("Location", format!("/api/v1/applications/{}", o.case.id)));
    if o.replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    res.json(body)
}

/// `POST /api/v1/applications`: an applicant files online, with no account.
pub async fn file(
    services: web::Data<Services>,
    req: HttpRequest,
    body: JsonBody<OnlineFiling>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let form = body.0;
    let opened =
        web::block(move || intake::file_online(&services, &form, key.as_deref(), Utc::now()))
            .await??;
    Ok(opened_response(&opened))
}

/// `POST /api/v1/registrations`: a clerk registers a paper, in-person or fax application.
pub async fn register(
    token: BearerToken,
    services: web::Data<Services>,
    body: JsonBody<Registration>,
) -> Result<HttpResponse, ApiError> {
    let token = Some(token.0);
    let form = body.0;
    let opened =
        web::block(move || intake::register(&services, token.as_deref(), &form, Utc::now()))
            .await??;
    Ok(opened_response(&opened))
}

fn case_response(status: StatusCode, v: &cases::Visible) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(v.case.version))
        .json(views::application(&v.case, &v.agency_code, &v.principal))
}

/// `GET /api/v1/applications/{id}`
pub async fn get(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = Some(token.0);
    let v = web::block(move || cases::get(&services, token.as_deref(), &id)).await??;
    Ok(case_response(StatusCode::OK, &v))
}

#[derive(Serialize)]
struct EventsPage<'a> {
    items: Vec<views::EventView<'a>>,
}

/// `GET /api/v1/applications/{id}/events`
pub async fn events(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = Some(token.0);
    let (principal, rows) =
        web::block(move || cases::history(&services, token.as_deref(), &id)).await??;
    let items = rows.iter().map(|e| views::event(e, &principal)).collect();
    Ok(HttpResponse::Ok().json(EventsPage { items }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    status: Option<String>,
    received_from: Option<NaiveDate>,
    received_to: Option<NaiveDate>,
    applicant_kind: Option<ApplicantKind>,
    q: Option<String>,
    agency: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

impl ListParams {
    fn into_query(self) -> Result<cases::Query, ApiError> {
        let mut errors = Vec::new();
        let statuses = self
            .status
            .iter()
            .flat_map(|s| s.split(','))
            .filter(|s| !s.is_empty())
            .filter_map(|s| {
                let parsed = Status::parse(s.trim());
                if parsed.is_none() {
                    errors.push(FieldError::new(
                        "status",
                        "unknown_status",
                        format!("{s:?} is not a status"),
                    ));
                }
                parsed
            })
            .collect();
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            errors.push(FieldError::new("limit", "range", "limit must be 1 to 200"));
        }
        if let (Some(from), Some(to)) = (self.received_from, self.received_to) {
            if from > to {
                errors.push(FieldError::new(
                    "received_from",
                    "range",
                    "received_from is after received_to",
                ));
            }
        }
        if self.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            errors.push(FieldError::new(
                "q",
                "length",
                "search text is at most 200 characters",
            ));
        }
        if self
            .cursor
            .as_ref()
            .is_some_and(|c| uuid::Uuid::parse_str(c).is_err())
        {
            errors.push(FieldError::new(
                "cursor",
                "invalid",
                "use the next_cursor of the previous page",
            ));
        }
        if !errors.is_empty() {
            let mut e = ApiError::invalid(errors);
            e.status = 400;
            e.title = "Bad Request";
            e.code = "invalid_query";
            return Err(e);
        }
        Ok(cases::Query {
            statuses,
            received_from: self.received_from,
            received_to: self.received_to,
            applicant_kind: self.applicant_kind,
            text: self
                .q
                .filter(|q| !q.trim().is_empty())
                .map(|q| q.trim().to_owned()),
            agency_code: self.agency,
            cursor: self.cursor,
            limit,
        })
    }
}

#[derive(Serialize)]
struct ListPage<'a> {
    items: Vec<ApplicationView<'a>>,
    next_cursor: Option<String>,
}

/// `GET /api/v1/applications`: the clerk queue.
pub async fn list(
    token: BearerToken,
    services: web::Data<Services>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let token = Some(token.0);
    let query = params.into_inner().into_query()?;
    let page = web::block(move || cases::list(&services, token.as_deref(), &query)).await??;
    let items = page
        .items
        .iter()
        .map(|(c, code)| views::application(c, code, &page.principal))
        .collect();
    Ok(HttpResponse::Ok().json(ListPage {
        items,
        next_cursor: page.next_cursor.clone(),
    }))
}

/// Parses an action's body by its kind; `version` may travel in the body instead of If-Match.
fn parse_action(
    kind: ActionKind,
    mut body: serde_json::Value,
) -> Result<(Action, Option<i32>), ApiError> {
    let version = match body.as_object_mut().and_then(|o| o.remove("version")) {
        None => None,
        Some(v) => Some(
            v.as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| {
                    ApiError::invalid(vec![FieldError::new(
                        "version",
                        "invalid",
                        "version is the case's version number",
                    )])
                })?,
        ),
    };
    let action = match kind {
        ActionKind::ConfirmReceipt => Action::ConfirmReceipt(parse_value(body)?),
        ActionKind::Accept => Action::Accept(parse_value(body)?),
        ActionKind::RequestCorrection => Action::RequestCorrection(parse_value(body)?),
        ActionKind::SubmitCorrection => Action::SubmitCorrection(parse_value(body)?),
        ActionKind::StartConsultation => Action::StartConsultation(parse_value(body)?),
        ActionKind::EndConsultation => Action::EndConsultation(parse_value(body)?),
        ActionKind::ProposeDecision => Action::ProposeDecision(parse_value(body)?),
        ActionKind::Approve => Action::Approve(parse_value(body)?),
        ActionKind::Return => Action::Return(parse_value(body)?),
        ActionKind::Deliver => Action::Deliver(parse_value(body)?),
        ActionKind::Withdraw => Action::Withdraw(parse_value(body)?),
        ActionKind::CloseWithoutProcessing => Action::CloseWithoutProcessing(parse_value(body)?),
    };
    Ok((action, version))
}

/// `POST /api/v1/applications/{id}/actions/{action}`
pub async fn act(
    token: BearerToken,
    services: web::Data<Services>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: RawJson,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let kind = ActionKind::parse(&action).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_action",
            format!("there is no action {action:?}"),
        )
    })?;
    let token = Some(token.0);
    let header_version = if_match(&req)?;
    let body = parse_json_value(&body.0)?;
    if !body.is_object() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "",
            "invalid",
            "the body must be a JSON object",
        )]));
    }
    let (action, body_version) = parse_action(kind, body)?;
    let version = match (header_version, body_version) {
        (Some(h), Some(b)) if h != b => {
            return Err(ApiError::invalid(vec![FieldError::new(
                "version",
                "mismatch",
                format!("If-Match says {h}, the body says {b}"),
            )]))
        }
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "version_required",
                "send the version you acted on, in If-Match or as \"version\" in the body",
            ))
        }
    };
    let v = web::block(move || {
        cases::act(
            &services,
            token.as_deref(),
            &id,
            &action,
            version,
            Utc::now(),
        )
    })
    .await??;
    Ok(case_response(StatusCode::OK, &v))
}
