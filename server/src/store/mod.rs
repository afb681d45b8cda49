//! Storage: every SQL statement of the server lives under this module, one file per
//! table group, so a PostgreSQL backend is a second implementation of these functions,
//! not a rewrite. Rows are read with `#[derive(sqlx::FromRow)]` + `query_as`: a column
//! that drifts is an error, never a panic. Stored values that must be one of a fixed
//! set (risk level, severity, rollover status) are read into core's enums; an unknown
//! one is a [`StoreError::Corrupt`] naming the row, never a silent default.
//!
//! SQLite runs in WAL mode with two pools: one *writer* connection (so writes are
//! serialised inside the process, ids are issued in commit order and the ledger's
//! `seq`/`prevHash` are computed without races) and a few *reader* connections.
//! `--memory` uses one private in-memory connection for both.

mod dashboard;
mod idempotency;
mod keys;
mod ledger;
mod ledger_tree;
mod org_keks;
mod orgs;
mod rollovers;
mod scans;
mod sessions;
mod unit;
mod vault;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::de::DeserializeOwned;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub(crate) use dashboard::{BucketWidth, RiskBucket, TargetSummary};
pub(crate) use idempotency::{IdemState, StoredResponse};
pub(crate) use keys::{KeyRow, NewVersion, RotateOutcome, StoredKey, private_aad};
pub(crate) use ledger::{AuditFilter, Event};
pub use orgs::NewApiKey;
pub(crate) use rollovers::{Move, NewRollover};
pub(crate) use scans::ScanRecord;
pub(crate) use sessions::SessionRecord;
use unit::WriteTx;
pub(crate) use unit::WriteUnit;
pub(crate) use vault::{Lookup, NewCredential, NewSealed, SealedCredential, seed_aad};

use crate::ids;

/// The database, behind its two pools.
#[derive(Clone)]
pub(crate) struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

/// Why a storage call failed. The text is for the server log only.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A stored value is not one the server writes (a hand-edited row, a newer
    /// server's value): named by table, row and column.
    #[error("{table} row {id}: column {column} holds {value:?}, which this server does not know")]
    Corrupt {
        table: &'static str,
        id: String,
        column: &'static str,
        value: String,
    },
    /// Key generation, sealing or opening failed (details never leave the server).
    #[error("sealing failed")]
    Crypto,
    /// A write this server must never make (an event type it does not know).
    #[error("refused to write: {0}")]
    Refused(String),
}

pub(crate) type StoreResult<T> = Result<T, StoreError>;

/// A stored text column read into a wire enum (`"High"` → `RiskLevel::High`).
fn stored_enum<T: DeserializeOwned>(
    table: &'static str,
    id: &str,
    column: &'static str,
    value: &str,
) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).map_err(|_| {
        StoreError::Corrupt {
            table,
            id: id.to_owned(),
            column,
            value: value.to_owned(),
        }
    })
}

/// A stored JSON text column read into its type.
fn stored_json<T: DeserializeOwned>(
    table: &'static str,
    id: &str,
    column: &'static str,
    value: &str,
) -> StoreResult<T> {
    serde_json::from_str(value).map_err(|_| StoreError::Corrupt {
        table,
        id: id.to_owned(),
        column,
        value: value.chars().take(80).collect(),
    })
}

/// JSON text for a column; the types written here always serialise.
fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A count or version as SQLite stores it.
fn int(v: u32) -> i64 {
    i64::from(v)
}

/// `limit + 1`: stores fetch one extra row so the caller knows there is a next page.
fn page_rows(limit: u32) -> i64 {
    i64::from(limit) + 1
}

fn connect_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        // Freed pages are zeroed: a rotated or deleted vault envelope leaves no copy.
        .pragma("secure_delete", "ON")
}

/// The database and its `-wal`/`-shm` companions are readable by the owner only,
/// whatever the data dir's mode or the umask: SQLite gives the companions the main
/// file's mode, so the main file is created 0600 before SQLite opens it, and files
/// left by an older start are narrowed.
fn make_db_files_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = Path::new(&name);
            if file.exists() {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Commit a write transaction — or, inside a request's [`WriteUnit`], park it there to
/// be committed together with the request's `Idempotency-Key` record. Every write
/// commits through here (clippy.toml refuses `Transaction::commit` elsewhere).
async fn commit(tx: WriteTx) -> Result<(), sqlx::Error> {
    match unit::park(tx) {
        Some(tx) => commit_now(tx).await,
        None => Ok(()),
    }
}

/// Commit for real: the one place that calls `Transaction::commit`.
#[allow(clippy::disallowed_methods)]
async fn commit_now(tx: WriteTx) -> Result<(), sqlx::Error> {
    tx.commit().await
}

impl Store {
    /// Open (creating if needed) the database file and run migrations.
    pub(crate) async fn open_file(path: &Path) -> StoreResult<Self> {
        make_db_files_private(path).map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect_options(path))
            .await?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(sqlx::Error::from)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(connect_options(path).read_only(true))
            .await?;
        let store = Self { writer, reader };
        store.after_open().await?;
        Ok(store)
    }

    /// A private in-memory database (lost when the server stops).
    pub(crate) async fn open_memory() -> StoreResult<Self> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(sqlx::Error::from)?;
        let store = Self {
            writer: pool.clone(),
            reader: pool,
        };
        store.after_open().await?;
        Ok(store)
    }

    async fn after_open(&self) -> StoreResult<()> {
        // Ids never go below what is stored, even if the clock stepped back.
        for sql in [
            "SELECT MAX(id) FROM scans",
            "SELECT MAX(id) FROM findings",
            "SELECT MAX(id) FROM hybrid_keys",
            "SELECT MAX(id) FROM ledger",
            "SELECT MAX(id) FROM vault_credentials",
            "SELECT MAX(id) FROM tls_rollovers",
        ] {
            let max: Option<String> = sqlx::query_scalar(sql).fetch_one(&self.writer).await?;
            if let Some(id) = max {
                ids::observe(&id);
            }
        }
        self.expire_idempotency().await?;
        self.backfill_finding_codes().await?;
        let filled = self.backfill_ledger_tree().await?;
        if filled > 0 {
            tracing::info!(
                rows = filled,
                "added the Merkle tree to existing ledger rows"
            );
        }
        Ok(())
    }

    pub(crate) async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// A write transaction; inside a request's [`WriteUnit`], the one its earlier
    /// writes are parked in.
    async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match unit::continue_parked() {
            Some(tx) => Ok(tx),
            None => self.writer.begin().await,
        }
    }

    // ---- meta: small server-wide values (the KEK check, one-time migrations) ----------

    pub(crate) async fn meta_get(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.writer)
            .await?)
    }

    pub(crate) async fn meta_set(&self, key: &str, value: &[u8]) -> StoreResult<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
