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

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(e: &napi::Error) -> serde_json::Value {
        let text = e.reason.strip_prefix(MARKER).expect("marker");
        serde_json::from_str(text).expect("json")
    }

    #[test]
    fn api_errors_carry_status_code_request_id_and_retry_after() {
        let e = to_js(postq::Error::Api {
            status: 429,
            code: "rate_limited".into(),
            message: "Slow down.".into(),
            request_id: Some("req_1".into()),
            retry_after: Some(std::time::Duration::from_secs(3)),
        });
        let v = decode(&e);
        assert_eq!(v["kind"], "api");
        assert_eq!(v["status"], 429);
        assert_eq!(v["code"], "rate_limited");
        assert_eq!(v["message"], "Slow down.");
        assert_eq!(v["requestId"], "req_1");
        assert_eq!(v["retryAfter"], 3.0);
    }

    #[test]
    fn local_errors_have_no_status() {
        let v = decode(&to_js(postq::Error::SealOpenFailed));
        assert_eq!(v["kind"], "local");
        assert_eq!(v["code"], "seal_open_failed");
        assert!(v["status"].is_null());
        let v = decode(&to_js(postq::Error::Timeout("slow".into())));
        assert_eq!(v["kind"], "timeout");
        assert_eq!(v["code"], "timeout");
    }
}
