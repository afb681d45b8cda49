//! Rate limits per API key and route class: GCRA buckets (`governor`).

use std::num::NonZeroU32;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use postq::error::ErrorCode;

use crate::app::AppState;
use crate::auth::AuthContext;
use crate::config::RateLimits;
use crate::error::ApiError;

type KeyedLimiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// One bucket set per route class.
pub(crate) struct Limiters {
    scans_write: KeyedLimiter,
    read: KeyedLimiter,
    write: KeyedLimiter,
    clock: DefaultClock,
}

fn limiter(per_minute: u32) -> KeyedLimiter {
    let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>()
}

impl Limiters {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            scans_write: limiter(limits.scans_write),
            read: limiter(limits.read),
            write: limiter(limits.write),
            clock: DefaultClock::default(),
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn num(v: u64) -> HeaderValue {
    HeaderValue::from(v)
}

/// Per API key, per route class (`POST /v1/scans`, reads, other writes): a GCRA bucket
/// that refills evenly over the minute. Every answer carries
/// `X-RateLimit-Limit/Remaining/Reset` (Reset is a Unix time in seconds); a 429 also
/// carries `Retry-After` in seconds.
pub(crate) async fn rate_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(ctx) = req.extensions().get::<AuthContext>() else {
        return Ok(next.run(req).await);
    };
    let limiters = &state.limiters;
    let lim = if req.method() == Method::GET || req.method() == Method::HEAD {
        &limiters.read
    } else if req.uri().path() == "/v1/scans" {
        &limiters.scans_write
    } else {
        &limiters.write
    };
    match lim.check_key(&ctx.api_key_id) {
        Ok(snapshot) => {
            let quota = snapshot.quota();
            let limit = quota.burst_size().get();
            let remaining = snapshot.remaining_burst_capacity();
            let refill = quota.replenish_interval() * (limit - remaining.min(limit));
            let mut resp = next.run(req).await;
            let h = resp.headers_mut();
            h.insert("x-ratelimit-limit", num(u64::from(limit)));
            h.insert("x-ratelimit-remaining", num(u64::from(remaining)));
            h.insert("x-ratelimit-reset", num(unix_now() + ceil_secs(refill)));
            Ok(resp)
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(limiters.clock.now());
            let limit = not_until.quota().burst_size().get();
            let secs = ceil_secs(wait).max(1);
            Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                format!("Rate limit of {limit} requests per minute exceeded; retry in {secs} s."),
            )
            .with_header(header::RETRY_AFTER, num(secs))
            .with_header(
                HeaderName::from_static("x-ratelimit-limit"),
                num(u64::from(limit)),
            )
            .with_header(HeaderName::from_static("x-ratelimit-remaining"), num(0))
            .with_header(
                HeaderName::from_static("x-ratelimit-reset"),
                num(unix_now() + secs),
            ))
        }
    }
}
