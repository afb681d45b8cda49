//! Fault injection (`--faults`): the `X-PostQ-Fault` request header makes the server
//! answer an error, stall, or drop the connection after the write, so every SDK's
//! retry and idempotency logic can be tested against the real server.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use postq::error::ErrorCode;

use crate::app::AppState;
use crate::auth::AuthContext;
use crate::error::ApiError;

/// Marker on a response whose connection must be dropped instead of answered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

const FAULT_HEADER: &str = "x-postq-fault";

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

/// How many requests per (API key, Idempotency-Key) carried a `times=N` fault.
#[derive(Default)]
pub(crate) struct FaultCounts {
    seen: Mutex<HashMap<(String, String), (u32, Instant)>>,
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

/// `X-PostQ-Fault: status=503` answers with that error before the handler runs (nothing
/// is written), with the status's usual code (core's `ErrorCode::for_status`); `drop`
/// runs the handler — so the write is committed and an `Idempotency-Key` response
/// stored — then drops the connection without answering; `delay=250` (ms) is applied by
/// [`fault_delay`], just before the handler, so a slow request holds its
/// `Idempotency-Key` like a slow handler would. Items combine: `delay=100,drop`.
/// `times=N` limits the fault to the first N requests carrying the same
/// `Idempotency-Key` (per API key), so `drop,times=1` fails the first attempt and lets
/// the retry replay; without an `Idempotency-Key`, `times` is ignored. Ignored unless
/// `--faults`.
pub(crate) async fn faults(
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
    let text = value.to_str().map_err(|_| {
        ApiError::bad_request(ErrorCode::InvalidFault, "Unreadable X-PostQ-Fault header.")
    })?;
    let fault = parse_fault(text).map_err(|e| {
        ApiError::bad_request(ErrorCode::InvalidFault, format!("X-PostQ-Fault: {e}."))
    })?;
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
            && state.fault_counts.bump(&api_key_id, &idem_key) > times
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
            ErrorCode::for_status(status.as_u16()),
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
pub(crate) async fn fault_delay(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if state.config.faults
        && let Some(ActiveDelay(d)) = req.extensions().get::<ActiveDelay>().copied()
    {
        tokio::time::sleep(d).await;
    }
    next.run(req).await
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
}
