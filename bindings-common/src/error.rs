//! [`ErrorInfo`]: what every binding learns about a failure, built from
//! [`postq::Error`] in this one place. Each binding maps [`ErrorInfo::kind`] to one
//! exception class (a table per language) and copies the other fields onto it.

use postq::error::{ErrorCode, ErrorKind};
use serde::{Deserialize, Serialize};

/// A failure as the bindings report it. Messages never contain secret material: core
/// errors do not carry any, and argument errors have string values redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    /// What kind of failure: decides the exception class.
    pub kind: ErrorKind,
    /// The stable machine-readable code (`insufficient_scope`, `invalid_signature`, …).
    pub code: String,
    /// Human-readable: the server's message for API errors.
    pub message: String,
    /// The HTTP status, when the API answered.
    pub status: Option<u16>,
    /// `X-Request-Id` of the failed request, for support.
    pub request_id: Option<String>,
    /// Seconds the server asked to wait (429/503).
    pub retry_after: Option<f64>,
}

impl From<&postq::Error> for ErrorInfo {
    fn from(err: &postq::Error) -> Self {
        ErrorInfo {
            kind: err.kind(),
            code: err.code().to_owned(),
            message: err.message(),
            status: err.status(),
            request_id: err.request_id().map(str::to_owned),
            retry_after: err.retry_after().map(|d| d.as_secs_f64()),
        }
    }
}

impl From<postq::Error> for ErrorInfo {
    fn from(err: postq::Error) -> Self {
        ErrorInfo::from(&err)
    }
}

impl std::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        match (self.status, &self.request_id) {
            (Some(status), Some(id)) => write!(f, " (HTTP {status}, {}, request {id})", self.code),
            (Some(status), None) => write!(f, " (HTTP {status}, {})", self.code),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for ErrorInfo {}

impl ErrorInfo {
    /// Bad input caught by the binding layer (`validation` / `invalid_input`).
    pub fn invalid(what: &str, reason: impl std::fmt::Display) -> Self {
        ErrorInfo::local(
            ErrorKind::Validation,
            ErrorCode::InvalidInput,
            format!("invalid {what}: {reason}"),
        )
    }

    /// A failure that never reached the server.
    pub fn local(kind: ErrorKind, code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorInfo {
            kind,
            code: code.as_str().to_owned(),
            message: message.into(),
            status: None,
            request_id: None,
            retry_after: None,
        }
    }

    /// Arguments that did not deserialize. serde quotes offending string values in its
    /// messages (`invalid type: string "…"`); those may be secrets (a vault value), so
    /// they are cut out.
    pub fn bad_arguments(what: &str, err: &serde_json::Error) -> Self {
        ErrorInfo::invalid(what, redact_string_values(&err.to_string()))
    }

    /// The JSON form (`{"kind", "code", "message", …}`), what a C ABI hands over.
    pub fn to_json(&self) -> String {
        // A struct of strings and numbers always serializes.
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"kind":"api","code":"error","message":"unserializable error"}"#.to_owned()
        })
    }
}

/// `… string "abc", expected …` → `… string "…", expected …`.
fn redact_string_values(message: &str) -> String {
    const MARK: &str = "string \"";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at + MARK.len()]);
        rest = &rest[at + MARK.len()..];
        // serde's quoting escapes inner quotes, so the value ends at the next `", ` or
        // at the last quote of the message.
        let end = rest
            .find("\", ")
            .or_else(|| rest.rfind('"'))
            .unwrap_or(rest.len());
        out.push('…');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_status_code_request_id_and_retry_after() {
        let info = ErrorInfo::from(postq::Error::Api {
            status: 429,
            code: "rate_limited".into(),
            message: "Slow down.".into(),
            request_id: Some("req_1".into()),
            retry_after: Some(std::time::Duration::from_secs(3)),
        });
        assert_eq!(info.kind, ErrorKind::RateLimit);
        assert_eq!(
            (info.code.as_str(), info.message.as_str()),
            ("rate_limited", "Slow down.")
        );
        assert_eq!(
            (info.status, info.request_id.as_deref(), info.retry_after),
            (Some(429), Some("req_1"), Some(3.0))
        );
        let json: serde_json::Value = serde_json::from_str(&info.to_json()).unwrap_or_default();
        assert_eq!(json["kind"], "rate_limit");
        assert_eq!(json["requestId"], "req_1");
    }

    #[test]
    fn local_errors_have_a_kind_and_no_status() {
        let timeout = ErrorInfo::from(postq::Error::Timeout("slow".into()));
        assert_eq!(
            (timeout.kind, timeout.code.as_str()),
            (ErrorKind::Timeout, "timeout")
        );
        assert_eq!(timeout.status, None);
        let sealed = ErrorInfo::from(postq::Error::SealOpenFailed);
        assert_eq!(sealed.kind, ErrorKind::Crypto);
        let config = ErrorInfo::from(postq::Error::Config("x".into()));
        assert_eq!(
            (config.kind, config.code.as_str()),
            (ErrorKind::Validation, "invalid_config")
        );
    }

    #[test]
    fn string_values_are_cut_from_argument_errors() {
        let err = serde_json::from_str::<std::collections::BTreeMap<String, String>>(
            r#""sk_live_secret""#,
        )
        .err();
        let text = err.map(|e| ErrorInfo::bad_arguments("vault.seal", &e).message);
        let text = text.unwrap_or_default();
        assert!(!text.contains("sk_live_secret"), "{text}");
        assert!(
            text.starts_with("invalid vault.seal: invalid type: string"),
            "{text}"
        );
        assert_eq!(
            redact_string_values(r#"invalid value: string "a\"b", expected x"#),
            r#"invalid value: string "…", expected x"#
        );
    }
}
