//! `GET /metrics` in the Prometheus text format: requests and latencies counted in process,
//! outbox depth and overdue cases read from the database at each scrape (so every instance
//! reports the same office-wide figures).

use std::time::Duration;

use actix_web::{web, HttpResponse};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

use super::admission::Admission;
use super::problem::ApiError;
use crate::db::stats;
use crate::domain::clock::DeadlineKind;
use crate::domain::outbox::NoticeStatus;
use crate::domain::time::legal_date;
use crate::service::Services;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    outbox: IntGaugeVec,
    overdue: IntGaugeVec,
    in_flight: IntGaugeVec,
    refused: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = IntCounterVec::new(
            Opts::new("gongkai_http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "gongkai_http_request_duration_seconds",
                "Time from request to response headers",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ]),
            &["method", "route"],
        )
        .expect("valid metric");
        let outbox = IntGaugeVec::new(
            Opts::new(
                "gongkai_outbox_notices",
                "Notices waiting in the outbox, by status (pending, failed)",
            ),
            &["status"],
        )
        .expect("valid metric");
        let overdue = IntGaugeVec::new(
            Opts::new(
                "gongkai_overdue_cases",
                "Open cases past a deadline the office must meet, by deadline",
            ),
            &["deadline"],
        )
        .expect("valid metric");
        let in_flight = IntGaugeVec::new(
            Opts::new(
                "gongkai_requests_in_flight",
                "Requests being worked on now, by kind (write, read)",
            ),
            &["kind"],
        )
        .expect("valid metric");
        let refused = IntCounterVec::new(
            Opts::new(
                "gongkai_requests_refused_total",
                "Requests refused with 503 overloaded since the start, by kind (write, read)",
            ),
            &["kind"],
        )
        .expect("valid metric");
        let registry = Registry::new();
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(outbox.clone()),
            Box::new(overdue.clone()),
            Box::new(in_flight.clone()),
            Box::new(refused.clone()),
        ] {
            registry.register(c).expect("metric names are unique");
        }
        Self {
            registry,
            requests,
            latency,
            outbox,
            overdue,
            in_flight,
            refused,
        }
    }
}

impl Metrics {
    pub fn observe_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(took.as_secs_f64());
    }

    /// Copies the admission gates' figures (kept as atomics on the request path) into the
    /// registry at a scrape.
    fn admission(&self, gates: &Admission) {
        let (busy, refused) = (gates.busy(), gates.refused());
        for (kind, busy, refused) in [("write", busy.0, refused.0), ("read", busy.1, refused.1)] {
            self.in_flight
                .with_label_values(&[kind])
                .set(i64::try_from(busy).unwrap_or(i64::MAX));
            let counter = self.refused.with_label_values(&[kind]);
            counter.inc_by(refused.saturating_sub(counter.get()));
        }
    }
}

/// The office deadlines reported as overdue; each is always present, at 0 when none is late.
fn office_deadlines() -> Vec<DeadlineKind> {
    DeadlineKind::ALL
        .iter()
        .copied()
        .filter(|k| k.is_office_deadline())
        .collect()
}

pub async fn metrics(
    services: web::Data<Services>,
    metrics: web::Data<Metrics>,
    gates: Option<web::Data<Admission>>,
) -> Result<HttpResponse, ApiError> {
    let today = legal_date(services.now());
    let (outbox, overdue) = web::block(move || {
        let conn = &mut *services.conn()?;
        let outbox = stats::outbox_depth(conn)?;
        let overdue = stats::overdue_by_kind(conn, today, &office_deadlines())?;
        Ok::<_, crate::service::ServiceError>((outbox, overdue))
    })
    .await??;
    for status in NoticeStatus::UNSENT {
        let n = outbox.iter().find(|(s, _)| *s == status).map_or(0, |r| r.1);
        metrics.outbox.with_label_values(&[status.as_str()]).set(n);
    }
    for kind in office_deadlines() {
        let n = overdue
            .iter()
            .find(|(k, _)| *k == Some(kind))
            .map_or(0, |r| r.1);
        metrics.overdue.with_label_values(&[kind.as_str()]).set(n);
    }
    if let Some(gates) = gates {
        metrics.admission(&gates);
    }
    let mut body = Vec::new();
    TextEncoder::new()
        .encode(&metrics.registry.gather(), &mut body)
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}
