//! Rate limits: per API key and route class, and per peer address for requests that
//! carry no valid API key. Each is a set of GCRA buckets ("generic cell rate
//! algorithm": a bucket of `limit` requests that refills evenly over the minute).
//!
//! The buckets are written here rather than taken from `governor` because the answer
//! must say when a bucket is *full* again (`X-RateLimit-Reset`, as documented), which
//! is the algorithm's theoretical arrival time; `governor` does not expose it.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use postq::error::ErrorCode;

use crate::app::AppState;
use crate::auth::AuthContext;
use crate::config::RateLimits;
use crate::error::ApiError;

/// `limit` requests per minute per key, refilled evenly (one every `interval`).
struct Buckets<K> {
    limit: u32,
    interval: Duration,
    /// Per key: when its bucket is full again. A key absent (or in the past) is full.
    full_at: Mutex<HashMap<K, Instant>>,
}

/// What one request was told: allowed or not, and the headers' numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decision {
    allowed: bool,
    limit: u32,
    remaining: u32,
    /// Until the bucket is full again.
    full_in: Duration,
    /// Until the next request is allowed (zero when this one was).
    retry_in: Duration,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    fn per_minute(limit: u32) -> Self {
        let limit = limit.max(1);
        Self {
            limit,
            interval: Duration::from_secs(60) / limit,
            full_at: Mutex::new(HashMap::new()),
        }
    }

    /// Whole requests left when the bucket is `full_in` from full.
    fn tokens(&self, full_in: Duration) -> u32 {
        let missing = full_in.as_nanos().div_ceil(self.interval.as_nanos().max(1));
        self.limit
            .saturating_sub(u32::try_from(missing).unwrap_or(u32::MAX))
    }

    /// Take one request from `key`'s bucket at `now`, if one is left.
    fn check(&self, key: &K, now: Instant) -> Decision {
        let mut map = self.full_at.lock().unwrap_or_else(|p| p.into_inner());
        let full_in = map
            .get(key)
            .map_or(Duration::ZERO, |at| at.saturating_duration_since(now));
        let burst = self.interval * (self.limit - 1);
        if full_in > burst {
            return Decision {
                allowed: false,
                limit: self.limit,
                remaining: 0,
                full_in,
                retry_in: full_in - burst,
            };
        }
        let full_in = full_in + self.interval;
        map.insert(key.clone(), now + full_in);
        Decision {
            allowed: true,
            limit: self.limit,
            remaining: self.tokens(full_in),
            full_in,
            retry_in: Duration::ZERO,
        }
    }

    /// Forget keys whose bucket is full again (they are the default state).
    fn forget_full(&self, now: Instant) {
        let mut map = self.full_at.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, at| *at > now);
        map.shrink_to_fit();
    }
}

/// Every bucket set of the server.
pub(crate) struct Limiters {
    scans_write: Buckets<String>,
    read: Buckets<String>,
    write: Buckets<String>,
    unauthenticated: Buckets<IpAddr>,
}

impl Limiters {
    pub(crate) fn new(limits: RateLimits, unauthenticated_per_minute: u32) -> Self {
        Self {
            scans_write: Buckets::per_minute(limits.scans_write),
            read: Buckets::per_minute(limits.read),
            write: Buckets::per_minute(limits.write),
            unauthenticated: Buckets::per_minute(unauthenticated_per_minute),
        }
    }

    /// Drop the state of callers whose buckets are full (run now and then, so the maps
    /// stay as small as the set of recent callers).
    pub(crate) fn forget_idle(&self) {
        let now = Instant::now();
        self.scans_write.forget_full(now);
        self.read.forget_full(now);
        self.write.forget_full(now);
        self.unauthenticated.forget_full(now);
    }

    /// Spend one unauthenticated request of the peer that sent `req` (requests without
    /// a peer address, which only in-process callers make, are not limited).
    pub(crate) fn check_peer(&self, req_peer: Option<IpAddr>) -> Result<RateHeaders, ApiError> {
        match req_peer {
            Some(ip) => verdict(self.unauthenticated.check(&ip, Instant::now())),
            None => Ok(RateHeaders(None)),
        }
    }
}

/// The peer address of a request, as the accept loop recorded it.
pub(crate) fn peer_ip(headers_of: &axum::http::Extensions) -> Option<IpAddr> {
    headers_of
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// `X-RateLimit-Limit/Remaining/Reset` of an allowed request (nothing for a request
/// that no bucket counted).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateHeaders(Option<Decision>);

impl RateHeaders {
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        if let Some(d) = &self.0 {
            put_numbers(headers, d);
        }
    }
}

fn put_numbers(headers: &mut HeaderMap, d: &Decision) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    headers.insert(
        "x-ratelimit-reset",
        HeaderValue::from(unix_secs_after(d.full_in)),
    );
}

/// Unix time in whole seconds (rounded up) `after` from now.
fn unix_secs_after(after: Duration) -> u64 {
    let at = SystemTime::now() + after;
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    since.as_secs() + u64::from(since.subsec_nanos() > 0)
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// An allowed request's headers, or the 429 that refuses it.
fn verdict(d: Decision) -> Result<RateHeaders, ApiError> {
    if d.allowed {
        return Ok(RateHeaders(Some(d)));
    }
    let secs = ceil_secs(d.retry_in).max(1);
    let mut err = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!(
            "Rate limit of {} requests per minute exceeded; retry in {secs} s.",
            d.limit
        ),
    )
    .with_header(header::RETRY_AFTER, HeaderValue::from(secs));
    let mut numbers = HeaderMap::new();
    put_numbers(&mut numbers, &d);
    for (name, value) in &numbers {
        err = err.with_header(name.clone(), value.clone());
    }
    Err(err)
}

/// Per API key, per route class: `POST /v1/scans`, reads (`GET`/`HEAD`), and every
/// other request (writes, and methods a route does not have). Every answer carries
/// `X-RateLimit-Limit/Remaining/Reset` (Reset: Unix seconds when the bucket is full
/// again); a 429 also carries `Retry-After` in seconds.
pub(crate) async fn rate_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(ctx) = req.extensions().get::<AuthContext>() else {
        return Ok(next.run(req).await);
    };
    let limiters = &state.limiters;
    let buckets = match *req.method() {
        Method::GET | Method::HEAD => &limiters.read,
        Method::POST if req.uri().path() == "/v1/scans" => &limiters.scans_write,
        _ => &limiters.write,
    };
    let headers = verdict(buckets.check(&ctx.api_key_id, Instant::now()))?;
    let mut resp = next.run(req).await;
    headers.apply(resp.headers_mut());
    Ok(resp)
}

/// Requests outside `/v1` (`/health`, `/openapi.json`, unknown paths) carry no API key:
/// they spend their peer address's unauthenticated bucket. (Under `/v1`, the auth
/// middleware does the same for a missing or invalid key.)
pub(crate) async fn peer_rate_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let path = req.uri().path();
    if path == "/v1" || path.starts_with("/v1/") {
        return Ok(next.run(req).await);
    }
    let headers = state.limiters.check_peer(peer_ip(req.extensions()))?;
    let mut resp = next.run(req).await;
    headers.apply(resp.headers_mut());
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_evenly_and_reports_when_it_is_full() {
        let b = Buckets::<&str>::per_minute(3); // one request every 20 s
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let first = b.check(&"k", t0);
        assert!(first.allowed);
        assert_eq!((first.remaining, first.full_in), (2, s(20)));
        assert_eq!(b.check(&"k", t0).remaining, 1);
        let third = b.check(&"k", t0);
        assert_eq!((third.remaining, third.full_in), (0, s(60)));
        // Refused: the next request is 20 s away, the bucket full again 60 s away
        // (the same instant the last allowed request reported).
        let refused = b.check(&"k", t0);
        assert!(!refused.allowed);
        assert_eq!((refused.retry_in, refused.full_in), (s(20), s(60)));
        let later = b.check(&"k", t0 + s(5));
        assert_eq!((later.retry_in, later.full_in), (s(15), s(55)));
        // 20 s on, one request is back.
        let again = b.check(&"k", t0 + s(20));
        assert!(again.allowed);
        assert_eq!((again.remaining, again.full_in), (0, s(60)));
        // Other keys have buckets of their own.
        assert_eq!(b.check(&"other", t0).remaining, 2);
        // Full buckets are forgotten, fuller ones kept.
        b.forget_full(t0 + s(61));
        assert!(b.full_at.lock().unwrap().contains_key("k"));
        b.forget_full(t0 + s(81));
        assert!(b.full_at.lock().unwrap().is_empty());
    }
}
