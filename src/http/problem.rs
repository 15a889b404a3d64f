//! Errors as `application/problem+json` (RFC 9457) with a stable machine-readable `code`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::workflow::WorkflowError;
use crate::service::{FieldError, ServiceError};

#[derive(Debug, Serialize)]
pub struct ApiError {
    pub title: &'static str,
    pub status: u16,
    pub code: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Box<[&'static str]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
    /// Seconds until a rate-limited request may be sent again (also the `Retry-After` header).
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.detail)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            code,
            detail: detail.into(),
            errors: Vec::new(),
            allowed_actions: None,
            current_version: None,
            retry_after: None,
        }
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("fix these fields: {}", fields.join(", "));
        Self {
            errors,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                detail,
            )
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such application")
    }

    /// The problem document (the body of the response).
    pub fn to_json(&self) -> String {
        // The problem type is derived from the code, so the two never disagree.
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "type")]
            kind: String,
            #[serde(flatten)]
            problem: &'a ApiError,
        }
        let body = Body {
            kind: format!("urn:gongkai:problem:{}", self.code),
            problem: self,
        };
        serde_json::to_string(&body).expect("problems serialise")
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.status == 401 {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        res.body(self.to_json())
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let detail = e.to_string();
        match e {
            ServiceError::Unauthenticated => {
                Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
            }
            ServiceError::Forbidden(_) => Self::new(StatusCode::FORBIDDEN, "forbidden", detail),
            ServiceError::NotFound => Self::not_found(),
            ServiceError::NoSuchAgency => Self::new(StatusCode::NOT_FOUND, "not_found", detail),
            ServiceError::NoLetter => Self::new(StatusCode::NOT_FOUND, "no_letter", detail),
            ServiceError::Invalid(errors) => Self::invalid(errors),
            ServiceError::Workflow { error, allowed } => {
                let mut api = workflow_error(error);
                if api.status == 409 {
                    api.allowed_actions = Some(allowed.into_boxed_slice());
                }
                api
            }
            ServiceError::VersionConflict { current, .. } => Self {
                current_version: Some(current),
                ..Self::new(StatusCode::CONFLICT, "version_conflict", detail)
            },
            ServiceError::IdempotencyKeyReused => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                detail,
            ),
            ServiceError::Conflict(_) => Self::new(StatusCode::CONFLICT, "conflict", detail),
            ServiceError::Pool(_) => {
                tracing::error!(error = %detail, "database pool");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
            }
            ServiceError::Db(_) | ServiceError::Corrupt(_) => {
                tracing::error!(error = %detail, "storage");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred",
                )
            }
        }
    }
}

fn workflow_error(w: WorkflowError) -> ApiError {
    let detail = w.to_string();
    match w {
        WorkflowError::RoleNotAllowed { .. } => {
            ApiError::new(StatusCode::FORBIDDEN, "role_not_allowed", detail)
        }
        WorkflowError::NotAllowed { .. } => {
            ApiError::new(StatusCode::CONFLICT, "action_not_allowed", detail)
        }
        WorkflowError::Refused { code, .. } => ApiError::new(StatusCode::CONFLICT, code, detail),
        WorkflowError::InvalidInput { field, message } => {
            ApiError::invalid(vec![FieldError::new(field, "inconsistent", message)])
        }
    }
}

/// `web::block` failed: the worker pool is gone (shutting down) or the closure panicked.
impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the service is shutting down",
        )
    }
}
