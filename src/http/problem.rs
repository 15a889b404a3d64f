//! Errors as `application/problem+json` (RFC 9457) with a stable machine-readable `code`
//! (`ProblemCode`) and texts in Chinese and English; `language.rs` picks one per request.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::message::{Language, Message};
use crate::domain::problem_code::ProblemCode;
use crate::domain::workflow::{Role, WorkflowError};
use crate::msg;
use crate::service::{FieldError, ServiceError};

/// A problem, in both languages until it is answered.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ProblemCode,
    pub detail: Message,
    pub errors: Vec<FieldError>,
    pub allowed_actions: Option<Box<[&'static str]>>,
    pub current_version: Option<i32>,
    /// Seconds until a rate-limited request may be sent again (also the `Retry-After` header).
    pub retry_after: Option<u32>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status(), self.code, self.detail)
    }
}

impl ApiError {
    pub fn new(code: ProblemCode, detail: Message) -> Self {
        Self {
            code,
            detail,
            errors: Vec::new(),
            allowed_actions: None,
            current_version: None,
            retry_after: None,
        }
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let (zh, en) = (fields.join("、"), fields.join(", "));
        Self {
            errors,
            ..Self::new(
                ProblemCode::ValidationFailed,
                msg!("请修改以下字段：{zh}", "fix these fields: {en}"),
            )
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            ProblemCode::NotFound,
            Message::new("没有该申请", "no such application"),
        )
    }

    /// A fault of the service: the cause goes to the log (in the request's span, with its
    /// request id), the client gets an opaque sentence.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            ProblemCode::Internal,
            Message::new("内部错误", "an internal error occurred"),
        )
    }

    /// The problem document (the body of the response) in one language.
    pub fn to_json(&self, language: Language) -> String {
        #[derive(Serialize)]
        struct Field<'a> {
            field: &'a str,
            code: &'a str,
            message: &'a str,
        }
        #[derive(Serialize)]
        struct Body<'a> {
            // The problem type is derived from the code, so the two never disagree.
            #[serde(rename = "type")]
            kind: String,
            title: &'a str,
            status: u16,
            code: ProblemCode,
            detail: &'a str,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            errors: Vec<Field<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            allowed_actions: Option<&'a [&'static str]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            current_version: Option<i32>,
        }
        let body = Body {
            kind: format!("urn:gongkai:problem:{}", self.code),
            title: title(self.status(), language),
            status: self.status(),
            code: self.code,
            detail: self.detail.get(language),
            errors: self
                .errors
                .iter()
                .map(|e| Field {
                    field: &e.field,
                    code: &e.code,
                    message: e.message.get(language),
                })
                .collect(),
            allowed_actions: self.allowed_actions.as_deref(),
            current_version: self.current_version,
        };
        serde_json::to_string(&body).expect("problems serialise")
    }

    /// The response in `language`.
    pub fn response_in(&self, language: Language) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"))
            .insert_header((header::CONTENT_LANGUAGE, language.tag()));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.status() == 401 {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        let mut res = res.body(self.to_json(language));
        // Kept on the response so that `language::choose` can answer in the request's language.
        res.extensions_mut().insert(self.clone());
        res
    }
}

/// The HTTP reason phrase of a status, in both languages.
pub fn title(status: u16, language: Language) -> &'static str {
    let (zh, en) = match status {
        400 => ("请求有误", "Bad Request"),
        401 => ("未认证", "Unauthorized"),
        403 => ("无权操作", "Forbidden"),
        404 => ("未找到", "Not Found"),
        405 => ("方法不允许", "Method Not Allowed"),
        408 => ("请求超时", "Request Timeout"),
        409 => ("冲突", "Conflict"),
        413 => ("请求体过大", "Payload Too Large"),
        415 => ("不支持的媒体类型", "Unsupported Media Type"),
        422 => ("无法处理的内容", "Unprocessable Entity"),
        428 => ("需要前提条件", "Precondition Required"),
        429 => ("请求过多", "Too Many Requests"),
        431 => ("请求头过大", "Request Header Fields Too Large"),
        503 => ("服务不可用", "Service Unavailable"),
        _ => ("内部错误", "Internal Server Error"),
    };
    match language {
        Language::Zh => zh,
        Language::En => en,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// In English here; `language::choose` answers again in the request's language.
    fn error_response(&self) -> HttpResponse {
        self.response_in(Language::En)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use ProblemCode as C;
        match e {
            ServiceError::Unauthenticated => Self::new(
                C::Unauthenticated,
                Message::new("需要有效的访问令牌", "a valid bearer token is required"),
            ),
            ServiceError::Forbidden(m) => Self::new(C::Forbidden, m),
            ServiceError::NotFound => Self::not_found(),
            ServiceError::NoSuchAgency => {
                Self::new(C::NotFound, Message::new("没有该机关", "no such agency"))
            }
            ServiceError::NoSuchDocument => Self::new(
                C::NotFound,
                Message::new("台账中没有该公文", "no such document in the register"),
            ),
            ServiceError::UnknownAgency(code) => Self::new(
                C::UnknownAgency,
                msg!("没有代码为 {code} 的机关", "no agency has the code {code}"),
            ),
            ServiceError::UnknownUser(id) => Self::new(
                C::NotFound,
                msg!("没有编号为 {id} 的用户", "no user has the id {id}"),
            ),
            ServiceError::NoLetter => Self::new(
                C::NoLetter,
                Message::new(
                    "尚无答复书：答复书在送达答复时生成",
                    "no answer letter yet: it is written when the answer is delivered",
                ),
            ),
            ServiceError::Invalid(errors) => Self::invalid(errors),
            ServiceError::Workflow { error, allowed } => {
                let mut api = workflow_error(error);
                if api.status() == 409 {
                    api.allowed_actions = Some(allowed.into_boxed_slice());
                }
                api
            }
            ServiceError::VersionConflict { expected, current } => Self {
                current_version: Some(current),
                ..Self::new(
                    C::VersionConflict,
                    msg!(
                        "案件已是第 {current} 版，不是第 {expected} 版：请重新载入后再试",
                        "the case is at version {current}, not {expected}: reload it and try again"
                    ),
                )
            },
            ServiceError::IdempotencyKeyReused => Self::new(
                C::IdempotencyKeyReused,
                Message::new(
                    "该 Idempotency-Key 已用于另一个请求",
                    "this Idempotency-Key was used for a different request",
                ),
            ),
            ServiceError::Conflict(code, m) => Self::new(code, m),
            ServiceError::AgencyExists(code) => Self::new(
                C::AgencyExists,
                msg!(
                    "代码为 {code} 的机关已经存在",
                    "an agency with code {code} exists already"
                ),
            ),
            ServiceError::NoticeNotFailed(status) => Self::new(C::NoticeNotFailed, {
                let label = status.label();
                msg!(
                    "该通知{label}，只有发送失败的通知才能重发",
                    "the notice is {status}, not failed"
                )
            }),
            ServiceError::Pool(e) => {
                tracing::error!(error = %e, "database pool");
                Self::new(
                    C::Unavailable,
                    Message::new(
                        "暂时无法连接数据库",
                        "the database is not reachable right now",
                    ),
                )
            }
            e @ (ServiceError::Internal(_) | ServiceError::Db(_) | ServiceError::Corrupt(_)) => {
                Self::internal(&e)
            }
        }
    }
}

fn workflow_error(w: WorkflowError) -> ApiError {
    match w {
        WorkflowError::RoleNotAllowed { action, role } => {
            let who = role_label(role);
            let label = crate::domain::labels::action_label(action);
            ApiError::new(
                ProblemCode::RoleNotAllowed,
                msg!("{who}不能进行“{label}”操作", "a {role} may not {action}"),
            )
        }
        WorkflowError::NotAllowed { action, status, .. } => {
            let label = crate::service::templates::status_label(status.as_str());
            let doing = crate::domain::labels::action_label(action);
            ApiError::new(
                ProblemCode::ActionNotAllowed,
                msg!(
                    "案件处于“{label}”状态，不能进行“{doing}”操作",
                    "{action} is not allowed while the case is {status}"
                ),
            )
        }
        WorkflowError::Refused { code, message } => ApiError::new(code, message),
        WorkflowError::InvalidInput { field, message } => {
            ApiError::invalid(vec![FieldError::new(field, "inconsistent", message)])
        }
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Clerk => "经办人员",
        Role::Approver => "审批人",
        Role::Auditor => "审计人员",
        Role::Admin => "管理员",
        Role::Applicant => "申请人",
        Role::System => "系统",
    }
}

/// `web::block` failed: the closure panicked (a bug), or the worker pool is gone. Either way a
/// fault of the service: 500, the cause in the log.
impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(&e)
    }
}
