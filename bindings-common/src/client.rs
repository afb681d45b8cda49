//! [`BindingClient`]: a configured core client as a binding holds it — safe to share
//! between threads, cheap to derive with per-call options, and rebuilt in a forked
//! child (the parent's pooled connections belong to the parent's runtime).

use std::sync::{Arc, Mutex, PoisonError};

use postq::error::{ErrorCode, ErrorKind};
use postq::{Client, ClientConfig, RequestOptions};

use crate::{CallOptions, ClientOptions, ErrorInfo};

/// The core client of this process.
struct PerProcess {
    pid: u32,
    /// Always `Some` until dropped.
    client: Option<Client>,
}

impl Drop for PerProcess {
    fn drop(&mut self) {
        // In a forked child that never made a call the client is still the parent's:
        // dropping it would touch the parent's runtime (locks possibly held by threads
        // that do not exist here). Leak it instead.
        if self.pid != std::process::id() {
            std::mem::forget(self.client.take());
        }
    }
}

struct Shared {
    config: ClientConfig,
    state: Mutex<PerProcess>,
}

/// A configured client plus the request options its calls use.
#[derive(Clone)]
pub struct BindingClient {
    shared: Arc<Shared>,
    request: RequestOptions,
}

impl std::fmt::Debug for BindingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BindingClient")
            .field("base_url", &self.shared.config.base_url)
            .finish_non_exhaustive()
    }
}

impl BindingClient {
    /// Build from options (environment first, then the options; see
    /// [`ClientOptions::build`]). Needs no runtime; bad configuration fails here.
    pub fn new(options: ClientOptions) -> Result<Self, ErrorInfo> {
        let (config, request) = options.build()?;
        let client = Client::new(config.clone())?;
        Ok(BindingClient {
            shared: Arc::new(Shared {
                config,
                state: Mutex::new(PerProcess {
                    pid: std::process::id(),
                    client: Some(client),
                }),
            }),
            request,
        })
    }

    /// The same client (same connection pool) with per-call overrides on top of this
    /// one's.
    pub fn with_options(&self, options: &CallOptions) -> Result<Self, ErrorInfo> {
        Ok(BindingClient {
            shared: Arc::clone(&self.shared),
            request: options.apply(&self.request)?,
        })
    }

    /// The core client to run a call with.
    pub fn client(&self) -> Result<Client, ErrorInfo> {
        let pid = std::process::id();
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if state.pid != pid {
            // The config was accepted once, so this cannot fail; if it did, the old
            // client is kept rather than failing every call.
            if let Ok(fresh) = Client::new(self.shared.config.clone()) {
                let inherited = state.client.replace(fresh);
                std::mem::forget(inherited);
                state.pid = pid;
            }
        }
        state
            .client
            .as_ref()
            .map(|client| client.with_options(self.request.clone()))
            // Only `Drop` takes the client, so this is not reached.
            .ok_or_else(|| {
                ErrorInfo::local(
                    ErrorKind::Validation,
                    ErrorCode::InvalidConfig,
                    "the client is closed",
                )
            })
    }

    /// Where requests go.
    pub fn base_url(&self) -> &str {
        &self.shared.config.base_url
    }

    /// Whether an API key is configured (never the key itself).
    pub fn has_api_key(&self) -> bool {
        self.shared.config.api_key.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_reach_the_core_client_and_derive_cheaply() {
        let client = BindingClient::new(ClientOptions {
            api_key: Some("pq_live_x".into()),
            base_url: Some("http://127.0.0.1:9".into()),
            ..ClientOptions::default()
        })
        .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9");
        assert!(client.has_api_key());
        assert!(!format!("{client:?}").contains("pq_live_x"));
        let derived = client
            .with_options(&CallOptions {
                max_retries: Some(0),
                ..CallOptions::default()
            })
            .unwrap();
        assert!(Arc::ptr_eq(&client.shared, &derived.shared));
        assert_eq!(derived.request.max_retries, Some(0));
    }

    #[test]
    fn a_key_over_plain_http_to_another_host_is_refused() {
        let err = BindingClient::new(ClientOptions {
            api_key: Some("pq_live_x".into()),
            base_url: Some("http://example.com".into()),
            ..ClientOptions::default()
        })
        .err()
        .unwrap();
        assert_eq!(err.code, "invalid_config");
    }
}
