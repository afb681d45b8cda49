//! Client configuration. The API key is never printed.

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

/// Where requests go unless configured otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.postq.dev";

/// Everything the client needs; build with [`ClientConfig::new`] or
/// [`ClientConfig::from_env`] and adjust fields.
#[derive(Clone)]
pub struct ClientConfig {
    /// `pq_live_…`. Sent as `Authorization: Bearer`.
    pub api_key: Option<Zeroizing<String>>,
    /// Default [`DEFAULT_BASE_URL`].
    pub base_url: String,
    /// Time to establish a connection (default 10 s).
    pub connect_timeout: Duration,
    /// One attempt, from sending to the last byte of the body (default 60 s).
    pub attempt_timeout: Duration,
    /// The whole call including retries and backoff (default 180 s).
    pub total_timeout: Duration,
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// Longest `Retry-After` honoured; longer waits fail fast (default 60 s).
    pub max_retry_after: Duration,
    /// First backoff step (default 500 ms; doubles per retry, capped at 8 s, jittered).
    pub initial_backoff: Duration,
    /// Appended to the `postq-rust/<version>` user agent, e.g. `postq-python/0.1.0`.
    pub user_agent_prefix: Option<String>,
    /// Requests this client has on the wire at once (default
    /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`]); further calls wait for a free slot inside
    /// their deadline. Each request in flight holds a connection, and servers cap
    /// connections per peer: a burst of a thousand calls must queue here, not open a
    /// thousand sockets and be turned away.
    pub max_concurrent_requests: usize,
}

/// Default [`ClientConfig::max_concurrent_requests`]: well under the reference server's
/// per-peer connection cap, and enough to keep a remote server busy.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_retries", &self.max_retries)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .finish_non_exhaustive()
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(60),
            total_timeout: Duration::from_secs(180),
            max_retries: 2,
            max_retry_after: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(500),
            user_agent_prefix: None,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
        }
    }
}

impl ClientConfig {
    /// Defaults with this API key.
    pub fn new(api_key: impl Into<String>) -> Self {
        ClientConfig {
            api_key: Some(Zeroizing::new(api_key.into())),
            ..Self::default()
        }
    }

    /// Defaults overridden by `POSTQ_API_KEY` and `POSTQ_BASE_URL`.
    pub fn from_env() -> Self {
        let mut config = ClientConfig::default();
        if let Ok(key) = std::env::var("POSTQ_API_KEY")
            && !key.is_empty()
        {
            config.api_key = Some(Zeroizing::new(key));
        }
        if let Ok(url) = std::env::var("POSTQ_BASE_URL")
            && !url.is_empty()
        {
            config.base_url = url;
        }
        config
    }

    /// Builder-style base URL.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }
}

/// Per-call overrides, applied with [`crate::Client::with_options`].
#[derive(Clone, Debug, Default)]
pub struct RequestOptions {
    /// Retries for this call.
    pub max_retries: Option<u32>,
    /// Whole-call timeout for this call.
    pub timeout: Option<Duration>,
    /// Use this `Idempotency-Key` instead of a generated one (POST only).
    pub idempotency_key: Option<String>,
    /// Extra request headers (tracing ids, the reference server's `X-PostQ-Fault`).
    pub headers: Vec<(String, String)>,
}
