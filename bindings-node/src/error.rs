//! [`ErrorInfo`] → a JavaScript `Error` whose message carries the info as JSON behind a
//! marker; `index.js` turns it into the class for its `kind` (one table). Messages never
//! contain secrets.

use postq_bindings_common::ErrorInfo;

/// Prefix of every error message thrown by the native addon; `index.js` looks for it.
pub const MARKER: &str = "POSTQ_ERROR:";

/// The JavaScript error for an [`ErrorInfo`].
pub fn to_js(info: &ErrorInfo) -> napi::Error {
    napi::Error::from_reason(format!("{MARKER}{}", info.to_json()))
}

/// `Result` in the core's or the common layer's error type → napi's.
pub trait IntoJs<T> {
    /// Map the error.
    fn js(self) -> napi::Result<T>;
}

impl<T> IntoJs<T> for postq::Result<T> {
    fn js(self) -> napi::Result<T> {
        self.map_err(|e| to_js(&ErrorInfo::from(e)))
    }
}

impl<T> IntoJs<T> for Result<T, ErrorInfo> {
    fn js(self) -> napi::Result<T> {
        self.map_err(|e| to_js(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_marker_and_the_error_info_json() {
        let e = to_js(&ErrorInfo::from(postq::Error::Timeout("slow".into())));
        let text = e.reason.strip_prefix(MARKER).expect("marker");
        let v: serde_json::Value = serde_json::from_str(text).expect("json");
        assert_eq!(v["kind"], "timeout");
        assert_eq!(v["code"], "timeout");
        assert!(v["status"].is_null());
    }
}
