//! Cross-cutting HTTP behaviour: request ids and logs, the body size limit, rate limits,
//! fault injection and `Idempotency-Key`.

use std::num::NonZeroU32;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tracing::Instrument;

use crate::AppState;
use crate::auth::AuthContext;
use crate::error::{ApiError, REQUEST_ID};
use crate::ids;
use crate::store::IdemState;

// ---- request id + structured log ----------------------------------------------------

fn acceptable_request_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'))
    .then(|| s.to_owned())
}

/// Outermost layer: assigns the request id (a sane client-sent `X-Request-Id` is kept),
/// makes it available to error bodies, echoes it, and logs one line per request —
/// method, path, status, latency, API key id; never headers, bodies or query strings.
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(acceptable_request_id)
        .unwrap_or_else(|| ids::new_id("req"));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        api_key = tracing::field::Empty,
    );
    let start = Instant::now();
    let mut resp = REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span.clone()))
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    let status = resp.status().as_u16();
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| tracing::info!(status, elapsed_ms, "request done"));
    resp
}

// ---- body limit -----------------------------------------------------------------------

fn is_length_limit(err: &axum::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = src {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        src = e.source();
    }
    false
}

/// Refuse bodies over the limit: at once from `Content-Length` (nothing is read), or as
/// soon as a streamed body passes the limit. Accepted bodies are handed on buffered.
pub async fn body_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let limit = state.config.max_body_bytes;
    let too_large = || {
        ApiError::payload_too_large(limit)
            .with_header(header::CONNECTION, HeaderValue::from_static("close"))
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if is_length_limit(&e) {
            too_large()
        } else {
            ApiError::bad_request("invalid_request", "Could not read the request body.")
        }
    })?;
    Ok(next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await)
}

// ---- rate limits ------------------------------------------------------------------------

/// Requests per minute per API key, per route class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /v1/scans` (seed default 60/min).
    pub scans_write: u32,
    /// Every `GET` (seed default 600/min).
    pub read: u32,
    /// Every other write (`POST`/`PATCH`/`DELETE`): keys, sign, verify.
    pub write: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            scans_write: 60,
            read: 600,
            write: 300,
        }
    }
}

impl RateLimits {
    /// Parse `scans_write=60,read=600,write=300` (any subset; the rest keep defaults).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut out = Self::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| format!("expected CLASS=N, got `{item}`"))?;
            let n: u32 = v
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("`{v}` is not a positive number"))?;
            match k.trim() {
                "scans_write" => out.scans_write = n,
                "read" => out.read = n,
                "write" => out.write = n,
                other => {
                    return Err(format!(
                        "unknown rate-limit class `{other}` (scans_write, read, write)"
                    ));
                }
            }
        }
        Ok(out)
    }
}

type KeyedLimiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

pub struct Limiters {
    scans_write: KeyedLimiter,
    read: KeyedLimiter,
    write: KeyedLimiter,
    clock: DefaultClock,
    /// Counts for `X-PostQ-Fault: …,times=N`.
    pub fault_counts: FaultCounts,
}

fn limiter(per_minute: u32) -> KeyedLimiter {
    let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>()
}

impl Limiters {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            scans_write: limiter(limits.scans_write),
            read: limiter(limits.read),
            write: limiter(limits.write),
            clock: DefaultClock::default(),
            fault_counts: FaultCounts::default(),
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
/// (`governor`) that refills evenly over the minute. Every answer carries
/// `X-RateLimit-Limit/Remaining/Reset` (Reset is a Unix time in seconds); a 429 also
/// carries `Retry-After` in seconds.
pub async fn rate_limit(
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
                "rate_limited",
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

// ---- fault injection ----------------------------------------------------------------------

/// Marker on a response whose connection must be dropped instead of answered.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

pub const FAULT_HEADER: &str = "x-postq-fault";

#[derive(Debug, Default, PartialEq)]
struct Fault {
    status: Option<StatusCode>,
    delay: Option<Duration>,
    drop_after_commit: bool,
    /// Apply only to the first N requests with the same `Idempotency-Key` (per API key).
    times: Option<u32>,
}

/// The delay of an active fault, handed from [`faults`] to [`fault_delay`].
#[derive(Debug, Clone, Copy)]
struct ActiveDelay(Duration);

/// Set by a handler whose response must not be replayed as is from the idempotency
/// store (a one-shot secret): this status and JSON body are stored and replayed instead.
#[derive(Debug, Clone)]
pub struct ReplayInstead {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// How many requests per (API key, Idempotency-Key) carried a `times=N` fault.
#[derive(Default)]
pub struct FaultCounts {
    seen: std::sync::Mutex<std::collections::HashMap<(String, String), (u32, Instant)>>,
}

impl FaultCounts {
    /// Count one more request for this key pair; returns the new count.
    fn bump(&self, api_key_id: &str, idem_key: &str) -> u32 {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 10_000 {
            let day = Duration::from_secs(24 * 3600);
            seen.retain(|_, (_, at)| at.elapsed() < day);
        }
        let entry = seen
            .entry((api_key_id.to_owned(), idem_key.to_owned()))
            .or_insert((0, Instant::now()));
        entry.0 = entry.0.saturating_add(1);
        entry.0
    }
}

fn parse_fault(text: &str) -> Result<Fault, String> {
    let mut f = Fault::default();
    for item in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match item.split_once('=') {
            Some(("status", v)) => {
                let code: u16 = v.trim().parse().map_err(|_| format!("bad status `{v}`"))?;
                if !(400..=599).contains(&code) {
                    return Err("status must be 400..599".into());
                }
                f.status = StatusCode::from_u16(code).ok();
            }
            Some(("delay", v)) => {
                let v = v.trim();
                let ms: u64 = v
                    .strip_suffix("ms")
                    .unwrap_or(v)
                    .parse()
                    .map_err(|_| format!("bad delay `{v}`"))?;
                if ms > 30_000 {
                    return Err("delay must be at most 30000 ms".into());
                }
                f.delay = Some(Duration::from_millis(ms));
            }
            Some(("times", v)) => {
                let n: u32 = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| format!("bad times `{v}` (1..1000)"))?;
                f.times = Some(n);
            }
            None if item == "drop" || item == "drop-after-commit" => f.drop_after_commit = true,
            _ => return Err(format!("unknown fault `{item}`")),
        }
    }
    Ok(f)
}

fn fault_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "validation_error",
        401 => "unauthorized",
        403 => "insufficient_scope",
        404 => "not_found",
        409 => "conflict",
        413 => "payload_too_large",
        429 => "rate_limited",
        s if s >= 500 => "server_error",
        _ => "injected_fault",
    }
}

/// `X-PostQ-Fault: status=503` answers with that error before the handler runs (nothing
/// is written); `drop` runs the handler — so the write is committed and an
/// `Idempotency-Key` response stored — then drops the connection without answering;
/// `delay=250` (ms) is applied by [`fault_delay`], just before the handler, so a slow
/// request holds its `Idempotency-Key` like a slow handler would. Items combine:
/// `delay=100,drop`. `times=N` limits the fault to the first N requests carrying the
/// same `Idempotency-Key` (per API key), so `drop,times=1` fails the first attempt and
/// lets the retry replay; without an `Idempotency-Key`, `times` is ignored. Ignored
/// unless `--faults`.
pub async fn faults(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if !state.config.faults {
        return Ok(next.run(req).await);
    }
    let Some(value) = req.headers().get(FAULT_HEADER) else {
        return Ok(next.run(req).await);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::bad_request("invalid_fault", "Unreadable X-PostQ-Fault header."))?;
    let fault = parse_fault(text)
        .map_err(|e| ApiError::bad_request("invalid_fault", format!("X-PostQ-Fault: {e}.")))?;
    if let Some(times) = fault.times {
        let idem_key = req
            .headers()
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let api_key_id = req
            .extensions()
            .get::<AuthContext>()
            .map(|c| c.api_key_id.clone());
        if let (Some(idem_key), Some(api_key_id)) = (idem_key, api_key_id)
            && state.limiters.fault_counts.bump(&api_key_id, &idem_key) > times
        {
            tracing::info!(times, "fault spent; request passes");
            return Ok(next.run(req).await);
        }
    }
    tracing::info!(?fault, "injecting fault");
    if let Some(d) = fault.delay {
        req.extensions_mut().insert(ActiveDelay(d));
    }
    if let Some(status) = fault.status {
        let mut err = ApiError::new(
            status,
            fault_code(status),
            format!("Injected fault: status {}.", status.as_u16()),
        );
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            err = err.with_header(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        return Err(err);
    }
    let mut resp = next.run(req).await;
    if fault.drop_after_commit {
        resp.extensions_mut().insert(DropConnection);
    }
    Ok(resp)
}

/// The `delay=MS` part of `X-PostQ-Fault` (see [`faults`]), innermost, so it runs after
/// authentication, rate limiting and idempotency bookkeeping, as a slow handler would.
pub async fn fault_delay(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.config.faults
        && let Some(ActiveDelay(d)) = req.extensions().get::<ActiveDelay>().copied()
    {
        tokio::time::sleep(d).await;
    }
    next.run(req).await
}

// ---- idempotency ----------------------------------------------------------------------------

/// `Idempotency-Key` on a write: the first request runs and its response (unless 5xx) is
/// stored; the same key with the same method, path and body replays that response with
/// `Idempotent-Replayed: true` and writes nothing; the same key with another request is
/// a 409 `idempotency_key_reused`; while the first is still running, 409
/// `idempotency_in_progress`. Keys are per API key and kept 24 hours.
pub async fn idempotency(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.run(req).await);
    }
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(next.run(req).await);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            )
        })?;
    let Some(ctx) = req.extensions().get::<AuthContext>().cloned() else {
        return Ok(next.run(req).await);
    };
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| ApiError::internal())?;
    // Keyed with a KEK-derived key: the stored fingerprint of a body holding a secret
    // (a vault seal) reveals nothing without the KEK.
    let fingerprint = state.kek.keyed_fingerprint(&[
        parts.method.as_str().as_bytes(),
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("")
            .as_bytes(),
        &bytes,
    ]);

    match state
        .store
        .idem_acquire(&ctx.api_key_id, &key, &fingerprint)
        .await?
    {
        IdemState::Acquired => {}
        IdemState::Mismatch => {
            return Err(ApiError::conflict(
                "idempotency_key_reused",
                "This Idempotency-Key was used with a different request.",
            ));
        }
        IdemState::InProgress => {
            return Err(ApiError::conflict(
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still in progress.",
            ));
        }
        IdemState::Done {
            status,
            content_type,
            body,
        } => {
            let mut resp =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return Ok(resp);
        }
    }

    // The handler runs in a task of its own: if the client goes away mid-request, the
    // write still completes and its response is stored, so the client's retry with the
    // same key replays it instead of finding a key stuck "in progress" or writing twice.
    let store = state.store.clone();
    let api_key_id = ctx.api_key_id.clone();
    let request = Request::from_parts(parts, Body::from(bytes));
    let work = async move {
        let resp = next.run(request).await;
        let (rparts, rbody) = resp.into_parts();
        let Ok(rbytes) = axum::body::to_bytes(rbody, usize::MAX).await else {
            store.idem_abandon(&api_key_id, &key).await?;
            return Err(ApiError::internal());
        };
        if rparts.status.is_server_error() {
            store.idem_abandon(&api_key_id, &key).await?;
        } else if let Some(instead) = rparts.extensions.get::<ReplayInstead>() {
            store
                .idem_finish(
                    &api_key_id,
                    &key,
                    instead.status.as_u16(),
                    Some("application/json"),
                    &instead.body,
                )
                .await?;
        } else {
            let ct = rparts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            store
                .idem_finish(&api_key_id, &key, rparts.status.as_u16(), ct, &rbytes)
                .await?;
        }
        Ok(Response::from_parts(rparts, Body::from(rbytes)))
    };
    let task = REQUEST_ID.scope(
        crate::error::current_request_id(),
        work.instrument(tracing::Span::current()),
    );
    tokio::spawn(task).await.map_err(|_| ApiError::internal())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_header_parses() {
        let f = parse_fault("status=503").unwrap();
        assert_eq!(f.status, Some(StatusCode::SERVICE_UNAVAILABLE));
        let f = parse_fault("delay=150ms, drop").unwrap();
        assert_eq!(f.delay, Some(Duration::from_millis(150)));
        assert!(f.drop_after_commit);
        assert!(parse_fault("status=200").is_err());
        assert_eq!(parse_fault("drop,times=1").unwrap().times, Some(1));
        assert!(parse_fault("drop,times=0").is_err());
        assert!(parse_fault("explode").is_err());
    }

    #[test]
    fn rate_limits_parse() {
        let r = RateLimits::parse("scans_write=3, read=10").unwrap();
        assert_eq!((r.scans_write, r.read, r.write), (3, 10, 300));
        assert!(RateLimits::parse("bogus=1").is_err());
        assert!(RateLimits::parse("read=0").is_err());
    }
}
