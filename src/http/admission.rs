//! Admission: a bound on how many requests the service works on at once. Past what the machine
//! can carry, a request waiting its turn only makes every later one wait longer and holds
//! memory while it waits; refusing it at once (503 with `Retry-After`) keeps the answers that
//! are given fast and the memory flat, and tells the client when to come back.
//!
//! Writes and reads have bounds of their own, so a flood of filings never keeps a clerk from
//! reading the queue. What operators watch (`/healthz`, `/metrics`) and the two static files
//! are never refused. A refused request has changed nothing: it is turned back before routing.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;

use super::problem::ApiError;
use crate::domain::problem_code::ProblemCode;
use crate::msg;
use crate::web::page::{in_api, in_console};

/// How many requests of each kind are worked on at once; 0 removes that bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionSettings {
    /// Requests that may write (POST, PUT, PATCH, DELETE).
    pub writes: usize,
    /// Requests that only read (GET, HEAD).
    pub reads: usize,
}

impl Default for AdmissionSettings {
    /// 64 is as many as the load script's closed loop keeps busy, which already saturates 2
    /// cores (README "Under load"); more at once only wait longer in the queue.
    fn default() -> Self {
        Self {
            writes: 64,
            reads: 64,
        }
    }
}

/// Seconds a refused client is asked to wait: a moment, since a backlog clears in well under one.
const RETRY_AFTER: u32 = 1;

pub struct Admission {
    writes: Gate,
    reads: Gate,
}

impl Admission {
    pub fn new(s: AdmissionSettings) -> Self {
        Self {
            writes: Gate::new(s.writes),
            reads: Gate::new(s.reads),
        }
    }

    /// Requests being worked on now: (writes, reads).
    pub fn busy(&self) -> (usize, usize) {
        (self.writes.busy(), self.reads.busy())
    }

    /// Requests refused since the start: (writes, reads).
    pub fn refused(&self) -> (u64, u64) {
        (self.writes.refused(), self.reads.refused())
    }
}

struct Gate {
    limit: usize,
    busy: Arc<AtomicUsize>,
    refused: AtomicU64,
}

impl Gate {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            busy: Arc::new(AtomicUsize::new(0)),
            refused: AtomicU64::new(0),
        }
    }

    fn busy(&self) -> usize {
        self.busy.load(Ordering::Relaxed)
    }

    fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// A place, if one is free; it is given back when the permit is dropped.
    fn enter(&self) -> Option<Permit> {
        let taken = self.busy.fetch_add(1, Ordering::AcqRel);
        if self.limit != 0 && taken >= self.limit {
            self.busy.fetch_sub(1, Ordering::AcqRel);
            self.refused.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some(Permit(self.busy.clone()))
    }
}

struct Permit(Arc<AtomicUsize>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Never refused: operators must see an overloaded service, and the style sheet and script
/// cost nothing.
fn always_admitted(path: &str) -> bool {
    matches!(path, "/healthz" | "/metrics") || path.starts_with("/static/")
}

/// Works on the request if its kind has a place free; otherwise answers 503 at once.
pub async fn admit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let gates = req.app_data::<web::Data<Admission>>().cloned();
    let (Some(gates), false) = (gates, always_admitted(req.path())) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    let gate = if reads { &gates.reads } else { &gates.writes };
    let Some(permit) = gate.enter() else {
        let mut req = req;
        drain_small_body(&mut req).await;
        return Ok(refuse(req, !reads).map_into_right_body());
    };
    let res = next.call(req).await;
    drop(permit);
    res.map(ServiceResponse::map_into_left_body)
}

/// Bodies up to this size are read (and dropped) before a refusal is sent; a larger one closes
/// the connection instead.
const DRAINED: u64 = super::extract::BODY_LIMIT as u64;

/// Reads a refused request's small body to its end, so that the connection stays open for the
/// client's next request. HTTP/1.1 cannot answer a request whose body is still coming and keep
/// the connection, so without this every refusal would cost the client a new connection: under
/// overload that extra work took most of the capacity (README "Under load").
async fn drain_small_body(req: &mut ServiceRequest) {
    use actix_web::HttpMessage;
    use futures_util::StreamExt;
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if !length.is_some_and(|n| n > 0 && n <= DRAINED) {
        return;
    }
    let mut payload = req.take_payload();
    let drain = async { while let Some(Ok(_)) = payload.next().await {} };
    // A client that sends its body slowly is not waited for: its connection closes.
    let _ = actix_web::rt::time::timeout(std::time::Duration::from_secs(1), drain).await;
}

fn refuse(req: ServiceRequest, sent_form: bool) -> ServiceResponse {
    let (zh, en) = (
        format!("服务繁忙，请 {RETRY_AFTER} 秒后再试"),
        format!("the service is busy: try again in {RETRY_AFTER} s"),
    );
    let path = req.path();
    if in_api(path) {
        let err = ApiError {
            retry_after: Some(RETRY_AFTER),
            ..ApiError::new(ProblemCode::Overloaded, msg!("{zh}", "{en}"))
        };
        return req.error_response(err);
    }
    // A person at a page reads a page, in Chinese, with the same advice.
    let console = in_console(path);
    let detail = match sent_form {
        true => format!("{zh}。您填写的内容没有提交，请返回上一页重新提交。"),
        false => format!("{zh}。"),
    };
    let mut page = crate::web::page::error_page_in(
        console,
        StatusCode::SERVICE_UNAVAILABLE,
        "服务繁忙",
        &detail,
    );
    page.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(RETRY_AFTER));
    req.into_response(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gate_admits_up_to_its_limit_and_frees_a_place_when_done() {
        let gate = Gate::new(2);
        let first = gate.enter().expect("first place");
        let _second = gate.enter().expect("second place");
        assert!(gate.enter().is_none(), "the third is refused");
        assert_eq!((gate.busy(), gate.refused()), (2, 1));
        drop(first);
        let _third = gate.enter().expect("a freed place is taken again");
        assert_eq!(gate.busy(), 2);
    }

    #[test]
    fn a_limit_of_zero_admits_everything() {
        let gate = Gate::new(0);
        let permits: Vec<_> = (0..1000).map(|_| gate.enter()).collect();
        assert!(permits.iter().all(Option::is_some));
        assert_eq!(gate.refused(), 0);
    }

    #[test]
    fn operators_pages_and_static_files_are_never_refused() {
        for path in ["/healthz", "/metrics", "/static/gongkai.css"] {
            assert!(always_admitted(path), "{path}");
        }
        for path in ["/api/v1/applications", "/console/", "/", "/healthz/x"] {
            assert!(!always_admitted(path), "{path}");
        }
    }
}
