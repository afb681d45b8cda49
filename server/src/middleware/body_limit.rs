//! The request body: at most `--max-body-bytes`, arriving within `--body-timeout`.
//! Runs after authentication and rate limiting, so nobody unknown makes the server
//! wait for (or buffer) a body.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use postq::error::ErrorCode;

use crate::app::AppState;
use crate::error::ApiError;

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
/// soon as a streamed body passes the limit; and bodies that do not arrive in time
/// (`408 timeout`). Both close the connection. Accepted bodies are handed on buffered.
pub(crate) async fn body_limit(
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
    let timeout = state.config.connection_limits.body_timeout;
    let read = tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await;
    let Ok(read) = read else {
        tracing::info!(timeout_ms = timeout.as_millis(), "request body too slow");
        return Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Timeout,
            format!(
                "The request body did not arrive within {} s.",
                timeout.as_secs_f64()
            ),
        )
        .with_header(header::CONNECTION, HeaderValue::from_static("close")));
    };
    let bytes = read.map_err(|e| {
        if is_length_limit(&e) {
            too_large()
        } else {
            ApiError::bad_request(
                ErrorCode::InvalidRequest,
                "Could not read the request body.",
            )
        }
    })?;
    Ok(next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await)
}
