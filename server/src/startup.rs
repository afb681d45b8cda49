//! Starting and stopping: open the store, load the KEK, bootstrap a fresh data dir,
//! bind, serve, shut down.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use postq::api::CreateScanRequest;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::{AppState, router};
use crate::auth::Scope;
use crate::config::Config;
use crate::kek::{Kek, KekError};
use crate::routes::scans::store_scan;
use crate::serve::serve;
use crate::store::{NewApiKey, Store, StoreError};
use postq::hybrid::HybridSigningKey;

/// Why the server (or a call on a [`Running`] one) failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("storage: {0}")]
    Storage(String),
    #[error("key encryption key: {0}")]
    Kek(#[from] KekError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the KEK does not open this data dir's keys (POSTQ_KEK changed?)")]
    KekMismatch,
    #[error("{0}")]
    Invalid(String),
}

impl From<StoreError> for StartError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Db(e) => StartError::Db(e),
            other => StartError::Storage(other.to_string()),
        }
    }
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
    dashboard_base: String,
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

/// Scope names from callers (tests, harnesses); empty means the default read scopes.
fn scopes_of(names: &[&str]) -> Result<Vec<Scope>, StartError> {
    if names.is_empty() {
        Ok(Scope::DEFAULT.to_vec())
    } else {
        Scope::parse_list(&names.join(",")).map_err(StartError::Invalid)
    }
}

impl Running {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where the dashboard is (and scan permalinks point): `--dashboard-url`, or this
    /// server itself. No trailing slash.
    pub fn dashboard_url(&self) -> &str {
        &self.dashboard_base
    }

    /// A one-time link that signs a browser in to the dashboard as the holder of
    /// `api_key` (plaintext `pq_live_…`): `<dashboard>/signin/link?token=…`, good once,
    /// for 15 minutes. `postq demo` prints one.
    pub async fn signin_link(&self, api_key: &str) -> Result<String, StartError> {
        crate::dashboard::create_signin_link(&self.store, &self.dashboard_base, api_key)
            .await?
            .ok_or_else(|| StartError::Invalid("not an active API key".into()))
    }

    /// Mint an API key in organisation `org` (an `org_…` id, or a name, created if new).
    /// `scopes` empty means the default read scopes.
    pub async fn create_api_key(
        &self,
        org: &str,
        scopes: &[&str],
    ) -> Result<NewApiKey, StartError> {
        let scopes = scopes_of(scopes)?;
        let org_id = self.store.ensure_org(org).await?;
        Ok(self.store.create_api_key(&org_id, "test", &scopes).await?)
    }

    /// Revoke an API key by id (`ak_…`); later requests with it are 401.
    pub async fn revoke_api_key(&self, id: &str) -> Result<bool, StartError> {
        Ok(self.store.revoke_api_key(id).await?)
    }

    /// Store a scan in organisation `org_id` without HTTP — validated, defaulted and
    /// stored exactly as `POST /v1/scans` does; returns its id. Benchmarks seed deep
    /// lists with it.
    pub async fn insert_scan(
        &self,
        org_id: &str,
        scan: CreateScanRequest,
    ) -> Result<String, StartError> {
        let (record, _) = store_scan(&self.store, org_id, scan)
            .await
            .map_err(|e| StartError::Invalid(e.message))?;
        Ok(record.id)
    }

    /// Append one audit-ledger row to organisation `org_id` without HTTP, exactly as the
    /// routes do (chain hash and Merkle tree in one transaction); returns the row.
    /// Benchmarks and tests fill deep ledgers with it.
    pub async fn record_event(
        &self,
        org_id: &str,
        event_type: postq::ledger::EventType,
        resource_id: Option<&str>,
        details: std::collections::BTreeMap<String, String>,
    ) -> Result<postq::ledger::LedgerEntry, StartError> {
        Ok(self
            .store
            .append_event(crate::store::Event {
                org_id,
                event_type,
                actor: "test:record_event",
                resource_id,
                details,
            })
            .await?)
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
pub(crate) async fn open_store(config: &Config) -> Result<Store, StartError> {
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

/// The ledger's checkpoint signing key: a hybrid key whose 64-byte seed is sealed under
/// the KEK in `meta`, generated on first start. Used for nothing but checkpoints.
async fn load_ledger_key(
    config: &Config,
    kek: &Kek,
    store: &Store,
) -> Result<HybridSigningKey, StartError> {
    const AAD: &str = "postq:ledger-key:v1";
    postq::ledger::Origin::for_org(&config.ledger_name, "org_check")
        .map_err(|e| StartError::Invalid(format!("--ledger-name: {e}")))?;
    let seed = match store.meta_get("ledger_key").await? {
        Some(sealed) => kek
            .open(AAD, &sealed)
            .map_err(|_| StartError::KekMismatch)?,
        None => {
            let key = HybridSigningKey::generate("ledger", 1)
                .map_err(|e| StartError::Invalid(e.to_string()))?;
            let seed = key.seed_bytes();
            store
                .meta_set("ledger_key", &kek.seal(AAD, seed.as_ref())?)
                .await?;
            zeroize::Zeroizing::new(seed.to_vec())
        }
    };
    HybridSigningKey::from_seed(&seed, "ledger", 1)
        .map_err(|_| StartError::Storage("the stored ledger key is not a hybrid seed".into()))
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
    let ledger_key = load_ledger_key(&config, &kek, &store).await?;
    let rewrapped = store.migrate_org_keks(&kek).await?;
    if rewrapped > 0 {
        tracing::info!(
            rows = rewrapped,
            "rewrapped private keys under per-organisation KEKs"
        );
    }
    let (bootstrap_key, bootstrap_org_id) = if store.org_count().await? == 0 {
        let org_id = store.ensure_org("default").await?;
        let key = store
            .create_api_key(&org_id, "bootstrap admin", Scope::ALL)
            .await?;
        tracing::info!(org_id = %org_id, api_key = %key.id, "bootstrapped the first organisation");
        (Some(key.key), Some(org_id))
    } else {
        (None, None)
    };
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let dashboard_base = config.dashboard_base(addr);
    let limits = config.connection_limits;
    let state = AppState::new(
        store.clone(),
        config,
        kek,
        ledger_key,
        dashboard_base.clone(),
    );
    let limiters = state.limiters.clone();
    let app = router(state);
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(serve(listener, app, rx, store.clone(), limits, limiters));
    tracing::info!(%addr, "postq-server listening");
    Ok(Running {
        addr,
        bootstrap_key,
        bootstrap_org_id,
        dashboard_base,
        store,
        shutdown: Some(tx),
        task: Some(task),
    })
}
