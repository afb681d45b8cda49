//! When to retry and how long to wait.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Statuses worth another attempt. A 409 is retried only while the first request with
/// the same idempotency key is still running; `idempotency_key_reused` is final.
pub(crate) fn is_retryable_status(status: StatusCode, code: Option<&str>) -> bool {
    match status.as_u16() {
        408 | 429 => true,
        409 => code == Some("idempotency_in_progress"),
        s => s >= 500,
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Exponential backoff with full jitter in [½·step, step], step = initial·2^attempt ≤ 8 s.
pub(crate) fn backoff(initial: Duration, attempt: u32) -> Duration {
    let step = initial
        .saturating_mul(1u32 << attempt.min(16))
        .min(Duration::from_secs(8));
    let mut byte = [0u8; 1];
    let fraction = if getrandom::fill(&mut byte).is_ok() {
        f64::from(byte[0]) / 255.0
    } else {
        1.0
    };
    step.mul_f64(0.5 + 0.5 * fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        let later = SystemTime::now() + Duration::from_secs(120);
        h.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let b0 = backoff(Duration::from_millis(100), 0);
        assert!(b0 >= Duration::from_millis(50) && b0 <= Duration::from_millis(100));
        assert!(backoff(Duration::from_millis(100), 30) <= Duration::from_secs(8));
    }

    #[test]
    fn retryable_statuses() {
        assert!(is_retryable_status(StatusCode::SERVICE_UNAVAILABLE, None));
        assert!(is_retryable_status(StatusCode::TOO_MANY_REQUESTS, None));
        assert!(is_retryable_status(
            StatusCode::CONFLICT,
            Some("idempotency_in_progress")
        ));
        assert!(!is_retryable_status(
            StatusCode::CONFLICT,
            Some("idempotency_key_reused")
        ));
        assert!(!is_retryable_status(StatusCode::BAD_REQUEST, None));
        assert!(!is_retryable_status(StatusCode::NOT_FOUND, None));
    }
}
