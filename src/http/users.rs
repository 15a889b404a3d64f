//! Staff accounts over the API (admins): list, add, disable, re-enable, and rotate a user's
//! token. A token is shown once, in the body of the answer that made it, never in a URL; the
//! answers that carry one are not to be cached.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::extract::{BearerToken, JsonBody};
use super::problem::ApiError;
use crate::service::admin::{api, AccountError, NewUser, UserView};
use crate::service::Services;

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        use crate::domain::message::Message;
        use crate::domain::problem_code::ProblemCode as C;
        match e {
            AccountError::Service(e) => e.into(),
            AccountError::NoSuchUser => {
                Self::new(C::NotFound, Message::new("没有该用户", "no such user"))
            }
            AccountError::OwnAccount => Self::new(
                C::OwnAccount,
                Message::new(
                    "管理员不能停用自己的账户",
                    "an administrator cannot disable their own account",
                ),
            ),
            AccountError::LastUnboundAdmin => Self::new(
                C::LastUnboundAdmin,
                Message::new(
                    "这是最后一个启用的、不绑定机关的管理员：请先添加或重新启用另一个（或为其更换令牌）",
                    "this is the last enabled admin bound to no office: add or re-enable another \
                     one first (or rotate this one's token)",
                ),
            ),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    agency: Option<String>,
}

/// `GET /api/v1/users[?agency=CODE]`
pub async fn list(
    token: BearerToken,
    services: web::Data<Services>,
    q: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let agency = q.into_inner().agency;
    let items =
        web::block(move || api::list(&services, Some(&token.0), agency.as_deref())).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `GET /api/v1/users/{id}`
pub async fn get(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = web::block(move || api::get(&services, Some(&token.0), &id)).await??;
    Ok(HttpResponse::Ok().json(user))
}

/// A user with its new token, shown this once.
#[derive(Serialize)]
struct WithToken {
    #[serde(flatten)]
    user: UserView,
    token: String,
}

fn with_token(status: StatusCode, user: UserView, token: String) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    if status == StatusCode::CREATED {
        res.insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)));
    }
    res.insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WithToken { user, token })
}

/// `POST /api/v1/users`: 201 with the new user's token (shown once).
pub async fn create(
    token: BearerToken,
    services: web::Data<Services>,
    body: JsonBody<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let form = body.0;
    let (user, new) = web::block(move || api::create(&services, Some(&token.0), &form)).await??;
    Ok(with_token(StatusCode::CREATED, user, new))
}

/// `POST /api/v1/users/{id}/disable`
pub async fn disable(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = web::block(move || api::disable(&services, Some(&token.0), &id)).await??;
    Ok(HttpResponse::Ok().json(user))
}

/// `POST /api/v1/users/{id}/enable`
pub async fn enable(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = web::block(move || api::enable(&services, Some(&token.0), &id)).await??;
    Ok(HttpResponse::Ok().json(user))
}

/// `POST /api/v1/users/{id}/rotate-token`: the new token (shown once); the old one is refused
/// from now on.
pub async fn rotate_token(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (user, new) = web::block(move || api::rotate(&services, Some(&token.0), &id)).await??;
    Ok(with_token(StatusCode::OK, user, new))
}
