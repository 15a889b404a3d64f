//! Rate limits on public intake: filing online needs no account, so an office caps what one
//! client address and what one applicant identity may file (GCRA, per instance).
//!
//! A refused filing is a 429 with `Retry-After` and changes nothing. Several instances each keep
//! their own count, so behind a load balancer the office-wide cap is the per-instance cap times
//! the instances a client reaches.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::http::header::HeaderMap;
use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::problem::ApiError;
use crate::domain::problem_code::ProblemCode;
use crate::msg;

/// How much intake each key may have; 0 turns a limit off.
#[derive(Debug, Clone, Copy)]
pub struct IntakeLimitSettings {
    /// Filings a minute from one client address (burst as large).
    pub per_client_per_minute: u32,
    /// Filings an hour under one identity document (burst as large).
    pub per_identity_per_hour: u32,
    /// How many proxies of the office's own stand in front, each appending the address it
    /// was reached from to `X-Forwarded-For`; 0 (the default) trusts no header: the client is
    /// the peer address.
    pub trusted_proxies: u8,
}

impl Default for IntakeLimitSettings {
    fn default() -> Self {
        Self {
            per_client_per_minute: 60,
            per_identity_per_hour: 20,
            trusted_proxies: 0,
        }
    }
}

pub struct IntakeLimits {
    /// Keyed by the client address; every client whose address cannot be told (`None`) shares
    /// one key, so that an unparseable address is never a way around the limit.
    per_client: Option<DefaultKeyedRateLimiter<Option<IpAddr>>>,
    /// Keyed by the keyed hash of the identity number, never the number itself.
    per_identity: Option<DefaultKeyedRateLimiter<String>>,
    trusted_proxies: u8,
    clock: DefaultClock,
}

impl IntakeLimits {
    pub fn new(s: IntakeLimitSettings) -> Self {
        Self {
            per_client: NonZeroU32::new(s.per_client_per_minute)
                .map(|n| RateLimiter::dashmap(Quota::per_minute(n))),
            per_identity: NonZeroU32::new(s.per_identity_per_hour)
                .map(|n| RateLimiter::dashmap(Quota::per_hour(n))),
            trusted_proxies: s.trusted_proxies,
            clock: DefaultClock::default(),
        }
    }

    /// How many proxies' `X-Forwarded-For` entries are trusted (0: none).
    pub fn trusted_proxies(&self) -> u8 {
        self.trusted_proxies
    }

    /// Counts one filing from this client; a 429 when it is over its limit.
    pub fn check_client(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(limiter) = &self.per_client else {
            return Ok(());
        };
        let ip = client_ip(req.headers(), req.peer_addr(), self.trusted_proxies);
        limiter.check_key(&ip).map_err(|until| {
            too_many(
                until.wait_time_from(self.clock.now()),
                (
                    "来自该地址的申请过多",
                    "too many applications from this address",
                ),
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
                    (
                        "以该身份证件提交的申请过多",
                        "too many applications under this identity document",
                    ),
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

/// The client's address: the peer, or with `trusted_proxies` = N > 0 the N-th address from the
/// right of `X-Forwarded-For` (all such headers joined in order): the one the outermost of the
/// office's proxies appended. Entries to its left were written by the client and are never
/// believed. `None` when the entry is missing or is not an address (with or without a port).
/// A request without the header did not come through the proxy: its peer is the client.
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trusted_proxies: u8,
) -> Option<IpAddr> {
    let peer = peer.map(|p| p.ip());
    if trusted_proxies == 0 {
        return peer;
    }
    let values: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    if values.is_empty() {
        return peer;
    }
    let hops: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let entry = hops
        .len()
        .checked_sub(usize::from(trusted_proxies))
        .map(|i| hops[i])?;
    parse_addr(entry)
}

/// `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]` or `[::1]:80`.
fn parse_addr(s: &str) -> Option<IpAddr> {
    s.parse()
        .ok()
        .or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| s.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
}

fn too_many(wait: Duration, (what_zh, what): (&str, &str)) -> ApiError {
    // Whole seconds, rounded up, never 0: a client retrying at once would be refused again.
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = u32::try_from(secs).unwrap_or(u32::MAX).max(1);
    ApiError {
        retry_after: Some(secs),
        ..ApiError::new(
            ProblemCode::RateLimited,
            msg!(
                "{what_zh}，请 {secs} 秒后再试",
                "{what}: try again in {secs} s"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn the_client_is_the_hop_the_trusted_proxy_appended() {
        let peer: Option<SocketAddr> = Some("10.0.0.9:4000".parse().unwrap());
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let h = headers(&["6.6.6.6, 1.2.3.4"]);
        assert_eq!(client_ip(&h, peer, 0), ip("10.0.0.9"));
        assert_eq!(client_ip(&h, peer, 1), ip("1.2.3.4"));
        assert_eq!(client_ip(&h, peer, 2), ip("6.6.6.6"));
        assert_eq!(client_ip(&h, peer, 3), None);
        let h = headers(&["6.6.6.6", "[2001:db8::1]:443"]);
        assert_eq!(client_ip(&h, peer, 1), ip("2001:db8::1"));
        assert_eq!(client_ip(&headers(&["1.2.3.4:80"]), peer, 1), ip("1.2.3.4"));
        assert_eq!(client_ip(&headers(&["unknown"]), peer, 1), None);
        assert_eq!(client_ip(&HeaderMap::new(), peer, 1), ip("10.0.0.9"));
    }
}
