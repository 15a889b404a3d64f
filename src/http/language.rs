//! The language of problems, chosen at the edge: what `Accept-Language` prefers (q-values
//! respected), else Chinese for the applicant (filing, a lost access token, anything sent with
//! an access token), else the configured default (`GONGKAI_DEFAULT_LANGUAGE`).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web;

use super::problem::ApiError;
use crate::domain::message::Language;
use crate::security::ACCESS_TOKEN_PREFIX;

/// The language staff endpoints answer in when the request states no preference.
#[derive(Debug, Clone, Copy)]
pub struct Languages {
    pub default: Language,
}

/// The most preferred language the service has, from an `Accept-Language` value; `None` when
/// it names none of them (or only `*`).
pub fn negotiate(accept: &str) -> Option<Language> {
    let mut best: Option<(Language, f32)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let Some(language) = Language::parse(tag) else {
            continue;
        };
        // The first of equal weight wins: the client listed it first.
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((language, q));
        }
    }
    best.map(|(l, _)| l)
}

/// Whether the request is the applicant's own: filing online, asking for a new access token,
/// or anything sent with an access token.
fn applicant_facing(req: &ServiceRequest) -> bool {
    let path = req.path();
    let filing = req.method() == Method::POST
        && (path == "/api/v1/applications"
            || (path.starts_with("/api/v1/applications/") && path.ends_with("/access-token")));
    let access_token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(_, t)| t.trim().starts_with(ACCESS_TOKEN_PREFIX));
    filing || access_token
}

fn language_of(req: &ServiceRequest) -> Language {
    let asked = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(negotiate);
    asked.unwrap_or_else(|| {
        if applicant_facing(req) {
            Language::Zh
        } else {
            req.app_data::<web::Data<Languages>>()
                .map_or(Language::En, |l| l.default)
        }
    })
}

/// Answers every problem (kept on its response by `ApiError::response_in`) in the request's
/// language, with `Content-Language`.
pub async fn choose(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let language = language_of(&req);
    let head = req.method() == Method::HEAD;
    // (The request is not cloned: routing needs it unshared. Handlers' and extractors' errors
    // arrive as responses; the inner middleware answer theirs as responses too.)
    let res = next.call(req).await?.map_into_boxed_body();
    let problem = res.response().extensions().get::<ApiError>().cloned();
    let Some(problem) = problem else {
        return Ok(res);
    };
    Ok(res.map_body(|head_out, body| {
        head_out.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            header::HeaderValue::from_static(language.tag()),
        );
        if head {
            // HEAD has no body to translate; `head_as_get` has emptied it.
            body
        } else {
            BoxBody::new(problem.to_json(language))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_values_decide_and_ties_go_to_the_first() {
        assert_eq!(negotiate("en;q=0.5, zh"), Some(Language::Zh));
        assert_eq!(negotiate("zh-CN;q=0.4, en-GB;q=0.8"), Some(Language::En));
        assert_eq!(negotiate("en, zh"), Some(Language::En));
        assert_eq!(negotiate("fr, zh;q=0.1"), Some(Language::Zh));
        assert_eq!(negotiate("zh;q=0, en;q=0.2"), Some(Language::En));
        assert_eq!(negotiate("fr, *"), None);
        assert_eq!(negotiate(""), None);
    }
}
