//! `postq::Error` → a JavaScript `Error` whose message carries the error's fields as
//! JSON behind a marker. The JS layer (`index.js`) turns it into the right class
//! (`PostQAuthError`, `PostQRateLimitError`, …). Core messages never contain secrets.

use serde_json::json;

/// Prefix of every error message thrown by the native addon; `index.js` looks for it.
pub const MARKER: &str = "POSTQ_ERROR:";

/// Map a core error. `kind` tells the JS layer what happened locally vs on the server.
pub fn to_js(e: postq::Error) -> napi::Error {
    let kind = match &e {
        postq::Error::Api { .. } => "api",
        postq::Error::Connection(_) => "connection",
        postq::Error::Timeout(_) => "timeout",
        postq::Error::Config(_) => "config",
        postq::Error::InvalidResponse { .. } => "invalid_response",
        _ => "local",
    };
    let message = match &e {
        postq::Error::Api { message, .. } if !message.is_empty() => message.clone(),
        other => other.to_string(),
    };
    encode(
        kind,
        e.code(),
        &message,
        e.status(),
        e.request_id(),
        e.retry_after().map(|d| d.as_secs_f64()),
    )
}

/// An input the binding itself refuses (wrong shape from JS), as `invalid_input`.
pub fn invalid_input(what: &str, reason: impl std::fmt::Display) -> napi::Error {
    encode(
        "local",
        "invalid_input",
        &format!("invalid {what}: {reason}"),
        None,
        None,
        None,
    )
}

fn encode(
    kind: &str,
    code: &str,
    message: &str,
    status: Option<u16>,
    request_id: Option<&str>,
    retry_after: Option<f64>,
) -> napi::Error {
    let body = json!({
        "kind": kind,
        "code": code,
        "message": message,
        "status": status,
        "requestId": request_id,
        "retryAfter": retry_after,
    });
    napi::Error::from_reason(format!("{MARKER}{body}"))
}

/// `Result` in the core's error type → napi's.
pub trait IntoJs<T> {
    /// Map the error.
    fn js(self) -> napi::Result<T>;
}

impl<T> IntoJs<T> for postq::Result<T> {
    fn js(self) -> napi::Result<T> {
        self.map_err(to_js)
    }
}
