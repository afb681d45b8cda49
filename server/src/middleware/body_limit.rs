//! The request body size limit (`--max-body-bytes`).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
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
/// soon as a streamed body passes the limit. Accepted bodies are handed on buffered.
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
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
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
