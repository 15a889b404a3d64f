//! Rate limits on public intake: filing online needs no account, so an office caps what one
//! client address and what one applicant identity may file (GCRA, per instance).
//!
//! A refused filing is a 429 with `Retry-After` and changes nothing. Several instances each keep
//! their own count, so behind a load balancer the office-wide cap is the per-instance cap times
//! the instances a client reaches.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::problem::ApiError;

/// How much intake each key may have; 0 turns a limit off.
#[derive(Debug, Clone, Copy)]
pub struct IntakeLimitSettings {
    /// Filings a minute from one client address (burst as large).
    pub per_client_per_minute: u32,
    /// Filings an hour under one identity document (burst as large).
    pub per_identity_per_hour: u32,
    /// Take the client address from `Forwarded`/`X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded: bool,
}

impl Default for IntakeLimitSettings {
    fn default() -> Self {
        Self {
            per_client_per_minute: 60,
            per_identity_per_hour: 20,
            trust_forwarded: false,
        }
    }
}

pub struct IntakeLimits {
    per_client: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Keyed by the keyed hash of the identity number, never the number itself.
    per_identity: Option<DefaultKeyedRateLimiter<String>>,
    trust_forwarded: bool,
    clock: DefaultClock,
}

impl IntakeLimits {
    pub fn new(s: IntakeLimitSettings) -> Self {
        Self {
            per_client: NonZeroU32::new(s.per_client_per_minute)
                .map(|n| RateLimiter::dashmap(Quota::per_minute(n))),
            per_identity: NonZeroU32::new(s.per_identity_per_hour)
                .map(|n| RateLimiter::dashmap(Quota::per_hour(n))),
            trust_forwarded: s.trust_forwarded,
            clock: DefaultClock::default(),
        }
    }

    fn client(&self, req: &HttpRequest) -> Option<IpAddr> {
        let info = req.connection_info();
        let addr = if self.trust_forwarded {
            info.realip_remote_addr().map(str::to_owned)
        } else {
            info.peer_addr().map(str::to_owned)
        }?;
        // A forwarded address may carry a port ("1.2.3.4:5678", "[::1]:80").
        addr.parse()
            .ok()
            .or_else(|| addr.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
    }

    /// Counts one filing from this client; a 429 when it is over its limit.
    pub fn check_client(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let (Some(limiter), Some(ip)) = (&self.per_client, self.client(req)) else {
            return Ok(());
        };
        limiter.check_key(&ip).map_err(|until| {
            too_many(
                until.wait_time_from(self.clock.now()),
                "too many applications from this address",
            )
        })
    }

    /// Counts one filing under this identity (its keyed hash); a 429 when over the limit.
    pub fn check_identity(&self, identity_hash: &str) -> Result<(), ApiError> {
        let Some(limiter) = &self.per_identity else {
            return Ok(());
        };
        limiter
            .check_key(&identity_hash.to_owned())
            .map_err(|until| {
                too_many(
                    until.wait_time_from(self.clock.now()),
                    "too many applications under this identity document",
                )
            })
    }

    /// Forgets keys whose limits have fully recovered, so the maps do not grow without end.
    pub fn forget_idle(&self) {
        if let Some(l) = &self.per_client {
            l.retain_recent();
        }
        if let Some(l) = &self.per_identity {
            l.retain_recent();
        }
    }
}

fn too_many(wait: Duration, what: &str) -> ApiError {
    // Whole seconds, rounded up, never 0: a client retrying at once would be refused again.
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = u32::try_from(secs).unwrap_or(u32::MAX).max(1);
    ApiError {
        retry_after: Some(secs),
        ..ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("{what}: try again in {secs} s"),
        )
    }
}
