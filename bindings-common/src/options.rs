//! Client and per-call options: one shape and one set of rules for every binding.
//! Durations are seconds as numbers (Python's idiom; Node converts its `…Ms` options,
//! .NET its `TimeSpan`s) and are checked here, once.

use std::collections::BTreeMap;
use std::time::Duration;

use postq::{ClientConfig, RequestOptions};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::ErrorInfo;

/// How to build a client. Unset fields come from `POSTQ_API_KEY` / `POSTQ_BASE_URL`
/// and the core's defaults.
#[derive(Default, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// `pq_live_…` (default `POSTQ_API_KEY`). Never printed.
    #[cfg_attr(feature = "schema", schema(format = Password))]
    pub api_key: Option<String>,
    /// Default `POSTQ_BASE_URL`, else `https://api.postq.dev`. Plain `http://` only
    /// for loopback.
    pub base_url: Option<String>,
    /// Retries after the first attempt (default 2): connection errors, timeouts, 408,
    /// 429 and 5xx.
    pub max_retries: Option<u32>,
    /// Seconds for a whole call including retries (default 180). An attempt never
    /// outlives its call: the attempt timeout is clamped to this.
    pub timeout: Option<f64>,
    /// Seconds for one attempt including the body (default 60).
    pub attempt_timeout: Option<f64>,
    /// Seconds to establish a connection (default 10).
    pub connect_timeout: Option<f64>,
    /// Seconds of the first backoff step (default 0.5; doubles, jittered).
    pub initial_backoff: Option<f64>,
    /// Longest `Retry-After` honoured, in seconds (default 60); longer fails fast.
    pub max_retry_after: Option<f64>,
    /// Headers sent with every request.
    #[serde(default)]
    pub default_headers: BTreeMap<String, String>,
    /// The binding's product token (`postq-python/0.1.0`), sent before the core's.
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Per-call overrides (`with_options` in Python, the `options` argument in Node).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallOptions {
    /// Retries for this call.
    pub max_retries: Option<u32>,
    /// Seconds for this whole call.
    pub timeout: Option<f64>,
    /// Use this `Idempotency-Key` instead of a generated one (writes).
    pub idempotency_key: Option<String>,
    /// Extra request headers (added to the client's default headers).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// Seconds → a duration, refusing negative, NaN and absurd values.
pub fn duration(what: &str, seconds: f64) -> Result<Duration, ErrorInfo> {
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| ErrorInfo::invalid(what, "must be a non-negative number of seconds"))
}

fn optional(what: &str, seconds: Option<f64>) -> Result<Option<Duration>, ErrorInfo> {
    seconds.map(|s| duration(what, s)).transpose()
}

impl ClientOptions {
    /// Parse the JSON form (what the C ABI and the Python and Node layers pass).
    pub fn from_json(text: &str) -> Result<Self, ErrorInfo> {
        if text.trim().is_empty() {
            return Ok(ClientOptions::default());
        }
        serde_json::from_str(text).map_err(|e| ErrorInfo::bad_arguments("client options", &e))
    }

    /// The core configuration and the request options every call starts from. The one
    /// place the rules live: environment first, then these fields; the attempt timeout
    /// never exceeds the whole-call timeout.
    pub fn build(self) -> Result<(ClientConfig, RequestOptions), ErrorInfo> {
        let mut config = ClientConfig::from_env();
        if let Some(key) = self.api_key {
            config.api_key = Some(Zeroizing::new(key));
        }
        if let Some(url) = self.base_url {
            config.base_url = url;
        }
        if let Some(n) = self.max_retries {
            config.max_retries = n;
        }
        if let Some(t) = optional("attemptTimeout", self.attempt_timeout)? {
            config.attempt_timeout = t;
        }
        if let Some(t) = optional("timeout", self.timeout)? {
            config.total_timeout = t;
        }
        config.attempt_timeout = config.attempt_timeout.min(config.total_timeout);
        if let Some(t) = optional("connectTimeout", self.connect_timeout)? {
            config.connect_timeout = t;
        }
        if let Some(t) = optional("initialBackoff", self.initial_backoff)? {
            config.initial_backoff = t;
        }
        if let Some(t) = optional("maxRetryAfter", self.max_retry_after)? {
            config.max_retry_after = t;
        }
        config.user_agent_prefix = self.user_agent;
        let request = RequestOptions {
            headers: self.default_headers.into_iter().collect(),
            ..RequestOptions::default()
        };
        Ok((config, request))
    }
}

impl CallOptions {
    /// Parse the JSON form; empty text is no overrides.
    pub fn from_json(text: &str) -> Result<Self, ErrorInfo> {
        if text.trim().is_empty() {
            return Ok(CallOptions::default());
        }
        serde_json::from_str(text).map_err(|e| ErrorInfo::bad_arguments("call options", &e))
    }

    /// `base` with these overrides on top: set fields replace, headers are added.
    pub fn apply(&self, base: &RequestOptions) -> Result<RequestOptions, ErrorInfo> {
        let timeout = optional("timeout", self.timeout)?.or(base.timeout);
        let mut headers = base.headers.clone();
        headers.extend(self.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(RequestOptions {
            max_retries: self.max_retries.or(base.max_retries),
            timeout,
            idempotency_key: self
                .idempotency_key
                .clone()
                .or_else(|| base.idempotency_key.clone()),
            headers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_timeout_is_clamped_to_the_call_timeout() {
        let options = ClientOptions {
            base_url: Some("http://127.0.0.1:1".into()),
            timeout: Some(0.3),
            ..ClientOptions::default()
        };
        let (config, _) = options.build().unwrap();
        assert_eq!(config.total_timeout, Duration::from_millis(300));
        assert_eq!(config.attempt_timeout, Duration::from_millis(300));

        let explicit = ClientOptions::from_json(r#"{"timeout": 5, "attemptTimeout": 9}"#)
            .unwrap()
            .build()
            .unwrap()
            .0;
        assert_eq!(explicit.attempt_timeout, Duration::from_secs(5));
    }

    #[test]
    fn bad_options_are_validation_errors() {
        let negative = ClientOptions {
            timeout: Some(-1.0),
            ..ClientOptions::default()
        };
        let err = negative.build().err().unwrap();
        assert_eq!(err.kind, postq::error::ErrorKind::Validation);
        assert!(err.message.contains("timeout"), "{}", err.message);
        let unknown = ClientOptions::from_json(r#"{"apiKey": "k", "colour": 1}"#).err();
        assert!(unknown.unwrap().message.contains("colour"));
        let secret = ClientOptions::from_json(r#"{"apiKey": 12}"#).err().unwrap();
        assert_eq!(secret.code, "invalid_input");
    }

    #[test]
    fn call_options_add_headers_and_replace_the_rest() {
        let base = RequestOptions {
            max_retries: Some(1),
            headers: vec![("x-a".into(), "1".into())],
            ..RequestOptions::default()
        };
        let call = CallOptions::from_json(
            r#"{"timeout": 0.25, "headers": {"x-b": "2"}, "idempotencyKey": "k1"}"#,
        )
        .unwrap();
        let merged = call.apply(&base).unwrap();
        assert_eq!(merged.max_retries, Some(1));
        assert_eq!(merged.timeout, Some(Duration::from_millis(250)));
        assert_eq!(merged.idempotency_key.as_deref(), Some("k1"));
        assert_eq!(merged.headers.len(), 2);
        let bad = CallOptions {
            timeout: Some(f64::NAN),
            ..CallOptions::default()
        };
        assert!(bad.apply(&base).is_err());
    }
}
