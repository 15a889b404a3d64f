//! What every response carries and what every request leaves behind: the request id header,
//! one structured log line, the Prometheus counters, and the security headers.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{web, HttpMessage};
use tracing_actix_web::RequestId;

use super::metrics::Metrics;

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
    tracing::info!(
        request_id = %request_id,
        method = %method,
        route = %route,
        status,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
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
