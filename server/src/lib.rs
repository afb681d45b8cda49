//! `postq-server`: the postq reference server — scans, managed hybrid signing keys,
//! sign/verify, a post-quantum credential vault, hybrid TLS rollovers and a
//! hash-chained audit ledger, on axum + SQLite. The module map is in docs/server.md.
//!
//! Start it in-process (tests, other crates):
//!
//! ```no_run
//! # async fn demo() -> Result<(), postq_server::StartError> {
//! let running = postq_server::spawn(postq_server::Config::in_memory()).await?;
//! let url = running.base_url();              // http://127.0.0.1:<port>
//! let admin = running.bootstrap_key.clone(); // Some("pq_live_…") on a fresh data dir
//! let reader = running.create_api_key("acme", &["scans:read"]).await?;
//! running.shutdown().await;
//! # Ok(()) }
//! ```

mod app;
mod artifacts;
mod auth;
pub mod cli;
mod config;
mod dashboard;
mod error;
mod finding_codes;
#[doc(hidden)]
pub mod fuzzing;
mod ids;
mod kek;
mod middleware;
mod openapi;
mod routes;
mod serve;
mod startup;
mod store;

pub use auth::Scope;
pub use config::{
    Config, ConnectionLimits, DEFAULT_BODY_TIMEOUT, DEFAULT_DATA_DIR, DEFAULT_HEADER_TIMEOUT,
    DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_UNAUTHENTICATED_PER_MINUTE, RateLimits,
};
pub use kek::KekError;
pub use startup::{BackgroundServer, Running, StartError, spawn, spawn_background};
pub use store::NewApiKey;
