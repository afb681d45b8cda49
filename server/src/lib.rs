//! `postq-server`: the postq reference server — scans, managed hybrid signing keys,
//! sign/verify and a hash-chained audit ledger, on axum + SQLite.
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

pub mod artifacts;
pub mod auth;
pub mod cli;
pub mod error;
pub mod ids;
pub mod kek;
pub mod keystore;
pub mod ledger;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod store;
pub mod store_rollover;
pub mod store_vault;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{Method, Uri};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::error::ApiError;
use crate::kek::Kek;
pub use crate::middleware::RateLimits;
use crate::middleware::{DropConnection, Limiters};
pub use crate::store::{NewApiKey, Store};

/// Everything the server can be told. `Default` is the binary's defaults.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on (`--listen`, default `127.0.0.1:8787`; tests use port 0).
    pub listen: SocketAddr,
    /// Data directory holding `postq.db` and `kek.key` (`--data-dir`, default `.postq/`).
    pub data_dir: PathBuf,
    /// Keep everything in memory; nothing survives a stop (`--memory`).
    pub memory: bool,
    /// Honour the `X-PostQ-Fault` header (`--faults`).
    pub faults: bool,
    /// Base of the dashboard permalinks in scan `url`s.
    pub dashboard_url: String,
    /// Largest accepted request body in bytes; larger is a 413.
    pub max_body_bytes: usize,
    /// Requests per minute per API key and route class.
    pub rate_limits: RateLimits,
    /// The KEK in text form (`POSTQ_KEK`); `None` = the data dir's `kek.key` (or a
    /// random one for `--memory`).
    pub kek: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("memory", &self.memory)
            .field("faults", &self.faults)
            .field("dashboard_url", &self.dashboard_url)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rate_limits", &self.rate_limits)
            .field("kek", &self.kek.as_ref().map(|_| "<set>"))
            .finish()
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
pub const DEFAULT_DATA_DIR: &str = ".postq";
pub const DEFAULT_DASHBOARD_URL: &str = "https://postq.dev";
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            memory: false,
            faults: false,
            dashboard_url: DEFAULT_DASHBOARD_URL.to_owned(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            rate_limits: RateLimits::default(),
            kek: None,
        }
    }
}

impl Config {
    /// In memory, on `127.0.0.1:0` (an ephemeral port): the usual test server.
    pub fn in_memory() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            memory: true,
            ..Self::default()
        }
    }

    /// Durable, in `dir`, on `127.0.0.1:0`.
    pub fn with_data_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: dir.into(),
            ..Self::default()
        }
    }

    /// The SQLite file of a durable server.
    pub fn db_path(&self) -> PathBuf {
        db_path(&self.data_dir)
    }
}

pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("postq.db")
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("key encryption key: {0}")]
    Kek(#[from] kek::KekError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the KEK does not open this data dir's keys (POSTQ_KEK changed?)")]
    KekMismatch,
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub kek: Arc<Kek>,
    pub limiters: Arc<Limiters>,
}

/// A running server.
pub struct Running {
    /// The bound address (the real port when started on port 0).
    pub addr: SocketAddr,
    /// An all-scopes admin key, present only when this start created the data dir's
    /// first organisation. Shown once; only its hash is stored.
    pub bootstrap_key: Option<String>,
    /// The bootstrap organisation's id (`org_…`), when it was created by this start.
    pub bootstrap_org_id: Option<String>,
    store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Running {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Mint an API key in organisation `org` (an `org_…` id, or a name, created if new).
    /// `scopes` empty means the default read scopes.
    pub async fn create_api_key(
        &self,
        org: &str,
        scopes: &[&str],
    ) -> Result<NewApiKey, StartError> {
        let scopes: Vec<String> = if scopes.is_empty() {
            auth::DEFAULT_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            auth::parse_scopes(&scopes.join(","))
                .map_err(|e| StartError::Io(std::io::Error::other(e)))?
        };
        let org_id = self.store.ensure_org(org).await?;
        Ok(self.store.create_api_key(&org_id, "test", &scopes).await?)
    }

    /// The running server's store (benchmarks seed data through it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Revoke an API key by id (`ak_…`); later requests with it are 401.
    pub async fn revoke_api_key(&self, id: &str) -> Result<bool, StartError> {
        Ok(self.store.revoke_api_key(id).await?)
    }

    /// Stop accepting, finish in-flight requests (up to 5 s) and close the database.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Open the store of a config (creating the data dir with mode 0700 when durable).
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    if config.memory {
        return Ok(Store::open_memory().await?);
    }
    create_private_dir(&config.data_dir)?;
    Ok(Store::open_file(&config.db_path()).await?)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

async fn load_kek(config: &Config, store: &Store) -> Result<Kek, StartError> {
    let kek = match (&config.kek, config.memory) {
        (Some(text), _) => Kek::from_text(text)?,
        (None, true) => Kek::random()?,
        (None, false) => Kek::load_or_create_file(&config.data_dir.join("kek.key"))?,
    };
    // A sealed check value tells a wrong KEK at start, not at the first sign.
    const CHECK_AAD: &str = "postq:kek-check";
    match store.meta_get("kek_check").await? {
        Some(sealed) => {
            kek.open(CHECK_AAD, &sealed)
                .map_err(|_| StartError::KekMismatch)?;
        }
        None => {
            store
                .meta_set("kek_check", &kek.seal(CHECK_AAD, b"ok")?)
                .await?
        }
    }
    Ok(kek)
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(&format!("Route {method} {}", uri.path()))
}

/// The application: routes and middleware, without a listener.
pub fn router(state: AppState) -> Router {
    use routes::{audit, health, keys, rollover, scans, sign, vault};
    let v1 = Router::new()
        .route("/v1/scans", post(scans::create_scan).get(scans::list_scans))
        .route("/v1/scans/{id}", get(scans::get_scan))
        .route("/v1/keys", post(keys::create_key).get(keys::list_keys))
        .route("/v1/keys/{id}", get(keys::get_key).patch(keys::update_key))
        .route("/v1/keys/{id}/public", get(keys::get_public_key))
        .route("/v1/keys/{id}/rotate", post(keys::rotate_key))
        .route("/v1/sign", post(sign::sign))
        .route("/v1/verify", post(sign::verify))
        .route("/v1/audit", get(audit::list_audit))
        .route(
            "/v1/vault/credentials",
            post(vault::seal_credential).get(vault::list_credentials),
        )
        .route(
            "/v1/vault/credentials/{id}",
            get(vault::unseal_credential).delete(vault::delete_credential),
        )
        .route(
            "/v1/vault/credentials/{id}/rotate",
            post(vault::rotate_credential),
        )
        .route(
            "/v1/mitigations/tls-rollover",
            post(rollover::create_rollover).get(rollover::list_rollovers),
        )
        .route(
            "/v1/mitigations/tls-rollover/{id}",
            get(rollover::get_rollover),
        )
        .route(
            "/v1/mitigations/tls-rollover/{id}/download",
            get(rollover::download_artifact),
        )
        .route(
            "/v1/mitigations/tls-rollover/{id}/transition",
            post(rollover::transition_rollover),
        )
        .route(
            "/v1/mitigations/tls-rollover/{id}/rollback",
            post(rollover::rollback_rollover),
        )
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed on this route.",
            )
        })
        .layer(from_fn_with_state(state.clone(), middleware::fault_delay))
        .layer(from_fn_with_state(state.clone(), middleware::idempotency))
        .layer(from_fn_with_state(state.clone(), middleware::faults))
        .layer(from_fn_with_state(state.clone(), middleware::rate_limit))
        .layer(from_fn_with_state(state.clone(), auth::require_api_key));
    Router::new()
        .route("/health", get(health::health))
        .route("/openapi.json", get(openapi::serve))
        .merge(v1)
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), middleware::body_limit))
        .layer(from_fn(middleware::request_id))
        .with_state(state)
}

#[derive(Debug)]
struct DropConn;
impl std::fmt::Display for DropConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}
impl std::error::Error for DropConn {}

async fn serve(listener: TcpListener, app: Router, mut stop: oneshot::Receiver<()>, store: Store) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let app = app.clone();
                    async move {
                        let resp = match app.oneshot(req.map(axum::body::Body::new)).await {
                            Ok(r) => r,
                            Err(never) => match never {},
                        };
                        if resp.extensions().get::<DropConnection>().is_some() {
                            Err(DropConn)
                        } else {
                            Ok(resp)
                        }
                    }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
    store.close().await;
    tracing::info!("server stopped");
}

/// A server on a runtime of its own, for synchronous callers: `#[test]` functions that
/// run the `postq` CLI as a subprocess, FFI and binding test harnesses.
pub struct BackgroundServer {
    /// The bound address.
    pub addr: SocketAddr,
    /// As [`Running::bootstrap_key`].
    pub bootstrap_key: Option<String>,
    /// As [`Running::bootstrap_org_id`].
    pub bootstrap_org_id: Option<String>,
    running: Option<Running>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for BackgroundServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Start a server on its own two-thread runtime and return once it listens. Do not call
/// from inside an async runtime (use [`spawn`] there).
pub fn spawn_background(config: Config) -> Result<BackgroundServer, StartError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("postq-server")
        .enable_all()
        .build()?;
    let running = runtime.block_on(spawn(config))?;
    Ok(BackgroundServer {
        addr: running.addr,
        bootstrap_key: running.bootstrap_key.clone(),
        bootstrap_org_id: running.bootstrap_org_id.clone(),
        running: Some(running),
        runtime: Some(runtime),
    })
}

impl BackgroundServer {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// As [`Running::create_api_key`], blocking.
    pub fn create_api_key(&self, org: &str, scopes: &[&str]) -> Result<NewApiKey, StartError> {
        match (&self.runtime, &self.running) {
            (Some(rt), Some(running)) => rt.block_on(running.create_api_key(org, scopes)),
            _ => Err(StartError::Io(std::io::Error::other("server stopped"))),
        }
    }

    /// Stop gracefully and wait for it.
    pub fn shutdown(mut self) {
        if let (Some(rt), Some(running)) = (self.runtime.take(), self.running.take()) {
            rt.block_on(running.shutdown());
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        drop(self.running.take());
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Start the server: open (or create) the store, load the KEK, bootstrap the first
/// organisation and admin key on a fresh data dir, bind, and serve in the background.
pub async fn spawn(config: Config) -> Result<Running, StartError> {
    let store = open_store(&config).await?;
    let kek = load_kek(&config, &store).await?;
    let (bootstrap_key, bootstrap_org_id) = if store.org_count().await? == 0 {
        let org_id = store.ensure_org("default").await?;
        let scopes: Vec<String> = auth::ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect();
        let key = store
            .create_api_key(&org_id, "bootstrap admin", &scopes)
            .await?;
        tracing::info!(org_id = %org_id, api_key = %key.id, "bootstrapped the first organisation");
        (Some(key.key), Some(org_id))
    } else {
        (None, None)
    };
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let state = AppState {
        store: store.clone(),
        limiters: Arc::new(Limiters::new(config.rate_limits)),
        config: Arc::new(config),
        kek: Arc::new(kek),
    };
    let app = router(state);
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(serve(listener, app, rx, store.clone()));
    tracing::info!(%addr, "postq-server listening");
    Ok(Running {
        addr,
        bootstrap_key,
        bootstrap_org_id,
        store,
        shutdown: Some(tx),
        task: Some(task),
    })
}
