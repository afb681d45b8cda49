//! One HTTP exchange with retries: auth, idempotency keys reused across attempts,
//! per-attempt and whole-call timeouts (both include reading the body), error decoding.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use super::config::{ClientConfig, RequestOptions};
use super::retry::{backoff, is_retryable_status, retry_after};
use crate::{Error, Result};

/// Response bodies above this size are refused rather than buffered.
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// The shared HTTP machinery behind a [`crate::Client`].
pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: String,
    config: ClientConfig,
    /// One permit per request on the wire (`ClientConfig::max_concurrent_requests`).
    in_flight: Arc<Semaphore>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A request before it is sent: method, path, query and an optional JSON body.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'a str, String)>,
    pub body: Option<Vec<u8>>,
}

impl<'a> Call<'a> {
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    pub fn post(path: impl Into<String>, body: &impl Serialize) -> Result<Self> {
        let body =
            serde_json::to_vec(body).map_err(|e| Error::input("request body", e.to_string()))?;
        Ok(Call {
            method: Method::POST,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
        })
    }

    pub fn patch(path: impl Into<String>, body: &impl Serialize) -> Result<Self> {
        let mut call = Self::post(path, body)?;
        call.method = Method::PATCH;
        Ok(call)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Call {
            method: Method::DELETE,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    pub fn query(mut self, name: &'a str, value: Option<impl ToString>) -> Self {
        if let Some(v) = value {
            self.query.push((name, v.to_string()));
        }
        self
    }
}

/// A successful response's raw parts (for downloads that are not JSON).
pub(crate) struct RawResponse {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Transport {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("base URL `{base_url}`: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if url.host_str().is_some_and(is_loopback) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "refusing to send an API key over plain HTTP to `{}`; use https (plain http is allowed only for loopback)",
                    url.host_str().unwrap_or_default()
                )));
            }
            other => return Err(Error::Config(format!("unsupported URL scheme `{other}`"))),
        }
        let agent = match &config.user_agent_prefix {
            Some(prefix) => format!("{prefix} postq-rust/{}", env!("CARGO_PKG_VERSION")),
            None => format!("postq-rust/{}", env!("CARGO_PKG_VERSION")),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&agent).map_err(|_| Error::Config("bad user agent".into()))?,
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        let in_flight = Arc::new(Semaphore::new(config.max_concurrent_requests.max(1)));
        Ok(Transport {
            http,
            base_url,
            config,
            in_flight,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Send and decode JSON.
    pub async fn json<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
        options: &RequestOptions,
    ) -> Result<T> {
        let raw = self.send(call, options).await?;
        serde_json::from_slice(&raw.body).map_err(|e| Error::InvalidResponse {
            status: 200,
            reason: format!("body does not match the documented shape: {e}"),
            request_id: request_id(&raw.headers),
        })
    }

    /// Send with retries under the whole-call deadline.
    pub async fn send(&self, call: Call<'_>, options: &RequestOptions) -> Result<RawResponse> {
        let total = options.timeout.unwrap_or(self.config.total_timeout);
        tokio::time::timeout(total, self.send_with_retries(call, options))
            .await
            .unwrap_or_else(|_| {
                Err(Error::Timeout(format!(
                    "the call did not complete within {total:?}"
                )))
            })
    }

    async fn send_with_retries(
        &self,
        call: Call<'_>,
        options: &RequestOptions,
    ) -> Result<RawResponse> {
        // An empty key (an empty POSTQ_API_KEY, `--api-key ""`) is no key: fail here
        // rather than send it.
        let api_key = self
            .config
            .api_key
            .as_ref()
            .filter(|key| !key.trim().is_empty())
            .ok_or_else(|| Error::Config("no API key: pass one or set POSTQ_API_KEY".into()))?;
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", api_key.as_str())).map_err(|_| {
                Error::Config("the API key contains characters not allowed in a header".into())
            })?;
        auth.set_sensitive(true);
        // One key per call, reused by every retry, so a retried write (POST, PATCH,
        // DELETE) never runs twice and a replay gets the first answer.
        let idempotency_key = (call.method != Method::GET).then(|| {
            options
                .idempotency_key
                .clone()
                .unwrap_or_else(new_idempotency_key)
        });
        let max_retries = options.max_retries.unwrap_or(self.config.max_retries);
        let url = format!("{}{}", self.base_url, call.path);

        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .request(call.method.clone(), &url)
                .header(AUTHORIZATION, auth.clone())
                .timeout(self.config.attempt_timeout);
            if !call.query.is_empty() {
                request = request.query(&call.query);
            }
            for (name, value) in &options.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            if let Some(key) = &idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            if let Some(body) = &call.body {
                request = request
                    .header("Content-Type", "application/json")
                    .body(body.clone());
            }
            let err = match self.attempt(request).await {
                Ok(response) => return Ok(response),
                Err(err) => err,
            };
            let wait = if attempt < max_retries {
                self.retry_wait(&err, attempt)
            } else {
                None
            };
            let Some(wait) = wait else {
                return Err(err);
            };
            tracing::debug!(attempt, ?wait, path = %call.path, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// How long to wait before retrying after `err`, or `None` when it is final.
    fn retry_wait(&self, err: &Error, attempt: u32) -> Option<Duration> {
        match err {
            Error::Api {
                status,
                code,
                retry_after,
                ..
            } => {
                let status =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                if !is_retryable_status(status, Some(code)) {
                    return None;
                }
                match retry_after {
                    // A wait longer than we are willing to sit through: fail fast, and let
                    // the caller see `retry_after` on the error.
                    Some(after) if *after > self.config.max_retry_after => None,
                    Some(after) => Some(*after),
                    None => Some(backoff(self.config.initial_backoff, attempt)),
                }
            }
            Error::Connection(_) | Error::Timeout(_) => {
                Some(backoff(self.config.initial_backoff, attempt))
            }
            _ => None,
        }
    }

    /// One attempt: send, read the whole body (bounded), map errors.
    async fn attempt(&self, request: reqwest::RequestBuilder) -> Result<RawResponse> {
        // Held until the body is read: the connection is busy until then. Backoff
        // sleeps between attempts hold no permit.
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|_| Error::Connection("the client is shutting down".into()))?;
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_body(response).await?;
        if status.is_success() {
            return Ok(RawResponse { headers, body });
        }
        Err(api_error(status, &headers, &body))
    }
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(Error::InvalidResponse {
                status: response.status().as_u16(),
                reason: format!("response body exceeds {MAX_RESPONSE_BYTES} bytes"),
                request_id: request_id(response.headers()),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn transport_error(e: reqwest::Error) -> Error {
    // Never include the URL's query or headers: the message is user-facing.
    let what = e.without_url();
    if what.is_timeout() {
        Error::Timeout(what.to_string())
    } else {
        Error::Connection(what.to_string())
    }
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[derive(serde::Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    code: serde_json::Value,
    message: Option<String>,
    request_id: Option<String>,
}

fn api_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    let envelope = serde_json::from_slice::<ErrorEnvelope>(body).ok();
    let (code, message, body_request_id) = match envelope {
        Some(ErrorEnvelope { error }) => (
            match error.code {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            },
            error.message.unwrap_or_default(),
            error.request_id,
        ),
        None => (
            crate::error::ErrorCode::for_status(status.as_u16())
                .as_str()
                .to_owned(),
            status.canonical_reason().unwrap_or("error").to_owned(),
            None,
        ),
    };
    Error::Api {
        status: status.as_u16(),
        code,
        message,
        request_id: request_id(headers).or(body_request_id),
        retry_after: retry_after(headers),
    }
}

fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    // Fall back to time if the OS RNG fails: uniqueness, not secrecy, matters here.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes.copy_from_slice(&nanos.to_le_bytes());
    }
    format!("pq_idem_{}", hex::encode(bytes))
}
