//! The async API client: configuration, a transport that retries safely, and typed
//! access to every resource (`crate::api`).
//!
//! ```no_run
//! # async fn run() -> postq::Result<()> {
//! let pq = postq::Client::from_env()?; // POSTQ_API_KEY, POSTQ_BASE_URL
//! let key = pq.hybrid_keys().create(&postq::api::CreateKeyRequest::named("release-signing")).await?;
//! let sig = pq.sign(&key.id, b"ship it").await?;
//! assert!(pq.verify_with_key(&key.id, b"ship it", &sig.signature).await?.ok);
//! # Ok(()) }
//! ```

mod config;
mod pagination;
mod retry;
mod transport;

pub use config::{ClientConfig, DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENT_REQUESTS, RequestOptions};
pub use pagination::Page;
pub(crate) use pagination::paginate;
pub(crate) use transport::{Call, Transport};

use std::sync::Arc;

use crate::Result;

/// The postq API client. Cheap to clone; clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) transport: Arc<Transport>,
    pub(crate) options: RequestOptions,
}

impl Client {
    /// A client from explicit configuration.
    pub fn new(config: ClientConfig) -> Result<Self> {
        Ok(Client {
            transport: Arc::new(Transport::new(config)?),
            options: RequestOptions::default(),
        })
    }

    /// A client configured from `POSTQ_API_KEY` and `POSTQ_BASE_URL`.
    pub fn from_env() -> Result<Self> {
        Self::new(ClientConfig::from_env())
    }

    /// The same client with per-call overrides (retries, timeout, idempotency key).
    #[must_use]
    pub fn with_options(&self, options: RequestOptions) -> Self {
        Client {
            transport: Arc::clone(&self.transport),
            options,
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }
}
