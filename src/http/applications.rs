//! Handlers for applications: thin — parse at the edge, one blocking call into the service.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use serde::Serialize;

use super::extract::{
    etag, idempotency_key, if_match, parse_json_value, parse_value, BearerToken, JsonForm, RawJson,
};
use super::limits::IntakeLimits;
use super::problem::ApiError;
use super::views::{self, ApplicationView};
use crate::domain::problem_code::ProblemCode;
use crate::domain::workflow::{Action, ActionKind};
use crate::msg;
use crate::service::forms::{Form, OnlineFiling, Registration};
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
        application: views::application(
            &o.case,
            &o.agency_code,
            &o.viewer,
            o.next_deadline.as_ref(),
            o.allowed.clone(),
            None,
        ),
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

/// `POST /api/v1/applications`: an applicant files online, with no account. The body is the
/// application as JSON, or a `multipart/form-data` form carrying it (part `application`) with
/// the applicant's files (parts `file`), opened together in one transaction.
pub async fn file(
    services: web::Data<Services>,
    limits: web::Data<IntakeLimits>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let (form, files) = if super::attachments::is_multipart(&req) {
        // A client over its limit sends no files in vain.
        limits.check_client(&req)?;
        let (json, files) =
            super::attachments::read_filing(&req, payload, services.files.limits).await?;
        let form = super::collect::checked(parse_json_value(&json)?, OnlineFiling::cross_check)?;
        (form, files)
    } else {
        let mut payload = payload.into_inner();
        let JsonForm(form) =
            <JsonForm<OnlineFiling> as actix_web::FromRequest>::from_request(&req, &mut payload)
                .await?;
        limits.check_client(&req)?;
        (form, Vec::new())
    };
    limits.check_identity(&intake::identity_key(&services, &form.applicant))?;
    let opened = web::block(move || {
        intake::file_online_with(&services, &form, key.as_deref(), files, services.now())
    })
    .await??;
    Ok(opened_response(&opened))
}

/// `POST /api/v1/registrations`: a clerk registers a paper, in-person or fax application.
pub async fn register(
    token: BearerToken,
    services: web::Data<Services>,
    body: JsonForm<Registration>,
) -> Result<HttpResponse, ApiError> {
    let token = Some(token.0);
    let form = body.0;
    let opened = web::block(move || {
        intake::register(&services, token.as_deref(), &form, None, services.now())
    })
    .await??;
    Ok(opened_response(&opened))
}

fn case_response(status: StatusCode, v: &cases::Visible) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(v.case.version))
        .json(views::application(
            &v.case,
            &v.agency_code,
            &v.principal,
            v.next_deadline.as_ref(),
            v.allowed.clone(),
            Some(&v.extras),
        ))
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

/// Parses an action's body by its kind; `version` may travel in the body instead of If-Match.
pub fn parse_action(
    kind: ActionKind,
    mut body: serde_json::Value,
) -> Result<(Action, Option<i32>), ApiError> {
    let version = match body.as_object_mut().and_then(|o| o.remove("version")) {
        None => None,
        Some(v) => Some(
            v.as_i64()
                // JSON has one number type: 3.0 is the version 3 as much as 3 is.
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| {
                    ApiError::invalid(vec![FieldError::new(
                        "version",
                        "invalid",
                        msg!(
                            "version 须为案件的版本号（整数）",
                            "version is the case's version number"
                        ),
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
        ActionKind::RequestExtension => Action::RequestExtension(parse_value(body)?),
        ActionKind::GrantExtension => Action::GrantExtension(parse_value(body)?),
        ActionKind::RefuseExtension => Action::RefuseExtension(parse_value(body)?),
        ActionKind::SetAnswerPeriod => Action::SetAnswerPeriod(parse_value(body)?),
        ActionKind::AskForReasons => Action::AskForReasons(parse_value(body)?),
        ActionKind::IssueFeeNotice => Action::IssueFeeNotice(parse_value(body)?),
        ActionKind::RecordPayment => Action::RecordPayment(parse_value(body)?),
        ActionKind::RecordChallenge => Action::RecordChallenge(parse_value(body)?),
        ActionKind::RecordChallengeResult => Action::RecordChallengeResult(parse_value(body)?),
        ActionKind::RecordNoticeReceived => Action::RecordNoticeReceived(parse_value(body)?),
        ActionKind::WaiveFee => Action::WaiveFee(parse_value(body)?),
        ActionKind::ReplyToReasons => Action::ReplyToReasons(parse_value(body)?),
        ActionKind::Reopen => Action::Reopen(parse_value(body)?),
        ActionKind::NotifyThirdParty => Action::NotifyThirdParty(parse_value(body)?),
        ActionKind::Assign => Action::Assign(parse_value(body)?),
        ActionKind::Reassign => Action::Reassign(parse_value(body)?),
        ActionKind::Forward => Action::Forward(parse_value(body)?),
        ActionKind::ReplyToForwarding => Action::ReplyToForwarding(parse_value(body)?),
        // Taken by the service itself when a period lapses; nobody may send them.
        ActionKind::AbandonNoCorrection | ActionKind::AbandonFeeUnpaid => {
            return Err(ApiError::new(
                ProblemCode::RoleNotAllowed,
                msg!(
                    "{kind} 由系统在期限届满时自动进行",
                    "{kind} is taken by the service when the period lapses"
                ),
            ))
        }
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
            ProblemCode::UnknownAction,
            msg!(
                "没有名为 {action:?} 的操作",
                "there is no action {action:?}"
            ),
        )
    })?;
    let token = Some(token.0);
    let header_version = if_match(&req)?;
    let body = parse_json_value(&body.0)?;
    if !body.is_object() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "",
            "invalid",
            msg!("请求体须为 JSON 对象", "the body must be a JSON object"),
        )]));
    }
    let (action, body_version) = parse_action(kind, body)?;
    let version = match (header_version, body_version) {
        (Some(h), Some(b)) if h != b => {
            return Err(ApiError::invalid(vec![FieldError::new(
                "version",
                "mismatch",
                msg!(
                    "If-Match 为 {h}，请求体中的 version 为 {b}，二者不一致",
                    "If-Match says {h}, the body says {b}"
                ),
            )]))
        }
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => {
            return Err(ApiError::new(
                ProblemCode::VersionRequired,
                msg!(
                    "请在 If-Match 头或请求体的 \"version\" 中提供您所依据的案件版本",
                    "send the version you acted on, in If-Match or as \"version\" in the body"
                ),
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
            services.now(),
        )
    })
    .await??;
    Ok(case_response(StatusCode::OK, &v))
}
