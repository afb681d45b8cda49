//! The one error type of the server and its wire form, core's error envelope:
//! `{"error":{"code","message","requestId"}}` with the status the PostQ API reference
//! names. Codes are core's [`ErrorCode`] vocabulary, shared with the client.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use postq::api::{ErrorBody, ErrorEnvelope};
use postq::error::ErrorCode;

use crate::store::StoreError;

tokio::task_local! {
    /// The id of the request being served; set by the request-id middleware so that
    /// every error produced below it (handlers, extractors, middleware) carries it.
    pub(crate) static REQUEST_ID: String;
}

/// The request id of the current task, or an empty string outside a request.
pub(crate) fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// An error answer: status, code, message and extra headers.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
    headers: Vec<(HeaderName, HeaderValue)>,
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::ValidationError, message)
    }

    pub(crate) fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    pub(crate) fn insufficient_scope(scope: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InsufficientScope,
            format!("This API key lacks the `{scope}` scope."),
        )
    }

    /// The vault's one answer to every refusal (no enumeration).
    pub(crate) fn access_denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::AccessDenied,
            "Access denied.",
        )
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("{what} not found."),
        )
    }

    pub(crate) fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub(crate) fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("Request body exceeds the limit of {limit} bytes."),
        )
    }

    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Internal server error.",
        )
    }

    /// A request that breaks one of core's request rules (`CreateScanRequest::validate`
    /// and the like): the rule's reason names the field and becomes the message.
    pub(crate) fn from_rule(err: &postq::Error) -> Self {
        match err {
            postq::Error::InvalidInput { reason, .. } => Self::validation(format!("{reason}.")),
            other => Self::validation(format!("{other}.")),
        }
    }

    pub(crate) fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The envelope's JSON bytes, with the current request id.
    pub(crate) fn body_bytes(&self) -> Vec<u8> {
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code.as_str().to_owned(),
                message: self.message.clone(),
                request_id: Some(current_request_id()),
            },
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        Self::internal()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        // The details (which row, which column) go to the log only.
        tracing::error!(error = %err, "storage error");
        Self::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let bytes = self.body_bytes();
        let mut resp = (self.status, bytes).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in self.headers {
            resp.headers_mut().insert(name, value);
        }
        resp
    }
}
