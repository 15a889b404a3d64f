//! `POST /api/v1/applications/{id}/access-token`: a new access token for an applicant who lost
//! theirs (service::access). The answer is always the same 202, so it says nothing about
//! whether the tracking number and identity number match; guessing is slowed by limits per
//! case and per client address.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::{web, HttpRequest, HttpResponse};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::extract::JsonBody;
use super::limits::{client_ip, IntakeLimits};
use super::problem::ApiError;
use crate::domain::problem_code::ProblemCode;
use crate::msg;
use crate::service::{access, Services};

/// Requests for one case in an hour, and from one address in an hour.
pub const PER_CASE_PER_HOUR: u32 = 5;
pub const PER_CLIENT_PER_HOUR: u32 = 20;

pub struct ResetLimits {
    per_case: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl Default for ResetLimits {
    fn default() -> Self {
        let per = |n| Quota::per_hour(NonZeroU32::new(n).expect("a positive quota"));
        Self {
            per_case: RateLimiter::dashmap(per(PER_CASE_PER_HOUR)),
            per_client: RateLimiter::dashmap(per(PER_CLIENT_PER_HOUR)),
            clock: DefaultClock::default(),
        }
    }
}

impl ResetLimits {
    fn check(&self, case: &str, client: Option<IpAddr>) -> Result<(), ApiError> {
        let refused = |wait: std::time::Duration| {
            let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            ApiError {
                retry_after: Some(u32::try_from(secs).unwrap_or(u32::MAX)),
                ..ApiError::new(
                    ProblemCode::RateLimited,
                    msg!(
                        "申请新查询凭证的请求过多，请 {secs} 秒后再试",
                        "too many requests for a new access token: try again in {secs} s"
                    ),
                )
            }
        };
        // The client as the intake limits see it (the peer, or the trusted proxy's hop); an
        // address that cannot be told counts under one shared key, never as a way around.
        let ip = client.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        self.per_client
            .check_key(&ip)
            .map_err(|u| refused(u.wait_time_from(self.clock.now())))?;
        self.per_case
            .check_key(&case.trim().to_uppercase())
            .map_err(|u| refused(u.wait_time_from(self.clock.now())))
    }
}

#[derive(Clone, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ResetInput {
    /// The identity document number given when applying.
    #[validate(length(min = 1, max = 64))]
    pub id_number: String,
}

/// Never the number itself, in a log or a panic message.
impl std::fmt::Debug for ResetInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetInput")
            .field("id_number", &"***")
            .finish()
    }
}

#[derive(Serialize)]
struct Accepted {
    detail: &'static str,
}

/// The same answer whatever the outcome: in Chinese, the applicant's language, unless the
/// request prefers English.
const ANSWER: (&str, &str) = (
    "如申请编号与身份证件号码相符，新的查询凭证将发送至申请时留存的电子邮箱，原查询凭证随即失效。",
    "if the application number and the identity document number match, a new access token is \
     sent to the e-mail address given when applying, and the old one stops working",
);

pub async fn reset(
    services: web::Data<Services>,
    limits: web::Data<ResetLimits>,
    intake: web::Data<IntakeLimits>,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<ResetInput>,
) -> Result<HttpResponse, ApiError> {
    // Neither an id nor a tracking number: no such case (other paths answer 404 too).
    if id.chars().count() > 64 {
        return Err(ApiError::not_found());
    }
    let client = client_ip(req.headers(), req.peer_addr(), intake.trusted_proxies());
    limits.check(&id, client)?;
    let input = body.0;
    web::block(move || access::reset(&services, &id, &input.id_number, services.now())).await??;
    let english = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(super::language::negotiate)
        == Some(crate::domain::message::Language::En);
    let (detail, language) = match english {
        true => (ANSWER.1, "en"),
        false => (ANSWER.0, "zh"),
    };
    Ok(HttpResponse::Accepted()
        .insert_header((actix_web::http::header::CONTENT_LANGUAGE, language))
        .json(Accepted { detail }))
}
