//! What every response carries and what every request leaves behind: the request id header,
//! one structured log line, the Prometheus counters, and the security headers.

use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{web, HttpMessage};
use tracing_actix_web::{RequestId, RootSpanBuilder};

use super::limits::{client_ip, IntakeLimits};
use super::metrics::Metrics;
use super::problem::ApiError;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Runs inside `TracingLogger`'s span, which made the request id.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let mut res = next.call(req).await?;
    let elapsed = started.elapsed();
    // The route's pattern, never the path: ids in paths would make every case a new series.
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let status = res.status().as_u16();
    if let Some(m) = metrics {
        // Methods outside the standard ones are one label: a client inventing methods must not
        // be able to grow the metrics without end.
        let known = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
        let label = known
            .into_iter()
            .find(|k| *k == method.as_str())
            .unwrap_or("other");
        m.observe_request(label, &route, status, elapsed);
    }
    let request_id = request_id.unwrap_or_default();
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, id);
    }
    // Paths may hold tracking ids but never identity numbers; query strings are left out.
    // The id is a field of its own, so the line carries it whatever spans the filter lets by.
    // Text from the client is logged quoted (and escaped), so it cannot pose as another field.
    tracing::info!(
        request_id = %request_id,
        method = method.as_str(),
        route = route.as_str(),
        status,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
}

/// The request span every log line of a request is written in: its id, method, route pattern
/// (never the path or the query string, which may hold an identity number), the client
/// address (the peer, or the hop a trusted proxy appended: see `limits::client_ip`) and the
/// user agent, quoted. Replaces `tracing-actix-web`'s default span, which logs the raw target
/// and the left-most, client-written `X-Forwarded-For` entry.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(req: &ServiceRequest) -> tracing::Span {
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
        let proxies = req
            .app_data::<web::Data<IntakeLimits>>()
            .map_or(0, |l| l.trusted_proxies());
        let client = client_ip(req.headers(), req.peer_addr(), proxies)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let user_agent = req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            request_id = %request_id,
            method = req.method().as_str(),
            route = route.as_str(),
            client = %client,
            user_agent = user_agent.as_str(),
        )
    }

    fn on_request_end<B: MessageBody>(
        _span: tracing::Span,
        _outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        // `observe` writes the request's line, with its status and time.
    }
}

/// A NUL character (`%00`) anywhere in the path or query string is refused before routing:
/// no database stores it as text (PostgreSQL fails on it), and no id or filter holds one.
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let target = req.uri().path_and_query().map_or("", |pq| pq.as_str());
    if target.contains("%00") {
        let field = if req.path().contains("%00") {
            "path"
        } else {
            "query"
        };
        let err = ApiError::invalid(vec![crate::service::FieldError::new(
            field,
            "nul_character",
            crate::msg!(
                "网址中不能含有 NUL 字符（%00）",
                "the URL must not contain the NUL character (%00)"
            ),
        )]);
        return Ok(req.error_response(err).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// HEAD is GET without the body (RFC 9110 §9.3.2): routed as GET. The connection remembers
/// that the request was HEAD and sends the headers only.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// Headers for an API that serves JSON, CSV and printable letters, never scripts or frames.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-store"))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
}
