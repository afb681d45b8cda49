//! Storage: every SQL statement of the server lives in this module (and `ledger.rs`), so
//! a PostgreSQL backend is a second implementation of these functions, not a rewrite.
//!
//! SQLite runs in WAL mode with two pools: one *writer* connection (so writes are
//! serialised inside the process, ids are issued in commit order and the ledger's
//! `seq`/`prevHash` are computed without races) and a few *reader* connections.
//! `--memory` uses one private in-memory connection for both.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

use crate::auth::AuthContext;
use crate::ids;

#[derive(Clone)]
pub struct Store {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

/// A scan as stored.
#[derive(Debug, Clone)]
pub struct ScanRow {
    pub id: String,
    pub scan_type: String,
    pub target: String,
    pub risk_score: f64,
    pub risk_level: String,
    pub source: String,
    pub metadata: serde_json::Value,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct FindingRow {
    pub id: String,
    pub severity: String,
    pub title: String,
    pub description: Option<String>,
    pub evidence: Option<String>,
}

/// A new finding, before it has an id.
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub severity: String,
    pub title: String,
    pub description: Option<String>,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewScan {
    pub scan_type: String,
    pub target: String,
    pub risk_score: f64,
    pub risk_level: String,
    pub source: String,
    pub metadata: serde_json::Value,
    pub findings: Vec<NewFinding>,
}

/// A stored idempotent response, or the state of its key.
#[derive(Debug)]
pub enum IdemState {
    /// The key is new; the caller now owns it and must `finish` or `abandon` it.
    Acquired,
    /// Same key, different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
    /// Replay this.
    Done {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
}

/// An API key as listed (no secret: only its first characters).
#[derive(Debug, Clone)]
pub struct ApiKeyInfo {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub id: String,
    pub org_id: String,
    pub key: String,
    pub scopes: Vec<String>,
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

impl Store {
    /// Open (creating if needed) the database file and run migrations.
    pub async fn open_file(path: &Path) -> Result<Self, sqlx::Error> {
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect_options(path))
            .await?;
        sqlx::migrate!("./migrations").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(connect_options(path).read_only(true))
            .await?;
        let store = Self { writer, reader };
        store.after_open().await?;
        Ok(store)
    }

    /// A private in-memory database (lost when the server stops).
    pub async fn open_memory() -> Result<Self, sqlx::Error> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let store = Self {
            writer: pool.clone(),
            reader: pool,
        };
        store.after_open().await?;
        Ok(store)
    }

    async fn after_open(&self) -> Result<(), sqlx::Error> {
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
        // Idempotency records live 24 hours; pending ones left by a crash are dropped.
        let cutoff = ids::format_ts(time::OffsetDateTime::now_utc() - time::Duration::hours(24));
        sqlx::query("DELETE FROM idempotency WHERE created_at < ? OR state = 'pending'")
            .bind(cutoff)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    pub async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.writer.begin().await
    }

    // ---- meta ----------------------------------------------------------------------

    pub async fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.writer)
            .await
    }

    pub async fn meta_set(&self, key: &str, value: &[u8]) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    // ---- orgs and API keys -----------------------------------------------------------

    pub async fn org_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM orgs")
            .fetch_one(&self.writer)
            .await
    }

    /// The org with this id or name; created (by name) when it does not exist.
    pub async fn ensure_org(&self, id_or_name: &str) -> Result<String, sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM orgs WHERE id = ? OR name = ?")
                .bind(id_or_name)
                .bind(id_or_name)
                .fetch_optional(&mut *tx)
                .await?;
        let id = match found {
            Some(id) => id,
            None => {
                let id = ids::new_id("org");
                sqlx::query("INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)")
                    .bind(&id)
                    .bind(id_or_name)
                    .bind(ids::now())
                    .execute(&mut *tx)
                    .await?;
                id
            }
        };
        tx.commit().await?;
        Ok(id)
    }

    /// Mint an API key for an existing org; the plaintext is in the result only.
    pub async fn create_api_key(
        &self,
        org_id: &str,
        name: &str,
        scopes: &[String],
    ) -> Result<NewApiKey, sqlx::Error> {
        let key =
            crate::auth::generate_key().map_err(|e| sqlx::Error::Protocol(format!("rng: {e}")))?;
        let id = ids::new_id("ak");
        sqlx::query(
            "INSERT INTO api_keys (id, org_id, name, key_hash, key_prefix, scopes, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(name)
        .bind(crate::auth::hash_key(&key))
        .bind(&key[..12])
        .bind(scopes.join(" "))
        .bind(ids::now())
        .execute(&self.writer)
        .await?;
        Ok(NewApiKey {
            id,
            org_id: org_id.to_owned(),
            key,
            scopes: scopes.to_vec(),
        })
    }

    pub async fn lookup_api_key(&self, key_hash: &str) -> Result<Option<AuthContext>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, org_id, scopes FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|r| AuthContext {
            api_key_id: r.get("id"),
            org_id: r.get("org_id"),
            scopes: r
                .get::<String, _>("scopes")
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }))
    }

    /// Every API key (never the key itself): id, org id, org name, name, display prefix,
    /// scopes, created, revoked.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT k.id, k.org_id, o.name AS org_name, k.name, k.key_prefix, k.scopes,
                    k.created_at, k.revoked_at
             FROM api_keys k JOIN orgs o ON o.id = k.org_id ORDER BY k.id",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ApiKeyInfo {
                id: r.get("id"),
                org_id: r.get("org_id"),
                org_name: r.get("org_name"),
                name: r.get("name"),
                prefix: r.get("key_prefix"),
                scopes: r.get("scopes"),
                created_at: r.get("created_at"),
                revoked_at: r.get("revoked_at"),
            })
            .collect())
    }

    pub async fn revoke_api_key(&self, id: &str) -> Result<bool, sqlx::Error> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(ids::now())
                .bind(id)
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    // ---- scans -----------------------------------------------------------------------

    /// Insert a scan and its findings in one transaction. The id is drawn while the
    /// single writer connection is held, so id order is commit order: a reader paging
    /// by id can never miss a scan that commits later with a smaller id.
    pub async fn insert_scan(
        &self,
        org_id: &str,
        scan: NewScan,
    ) -> Result<(ScanRow, Vec<FindingRow>), sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        let id = ids::new_id("scan");
        let created_at = ids::now();
        let metadata = serde_json::to_string(&scan.metadata).unwrap_or_else(|_| "{}".into());
        sqlx::query(
            "INSERT INTO scans (id, org_id, type, target, risk_score, risk_level, source, metadata, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(&scan.scan_type)
        .bind(&scan.target)
        .bind(scan.risk_score)
        .bind(&scan.risk_level)
        .bind(&scan.source)
        .bind(&metadata)
        .bind(&created_at)
        .execute(&mut *tx)
        .await?;
        let mut findings = Vec::with_capacity(scan.findings.len());
        for (pos, f) in scan.findings.into_iter().enumerate() {
            let fid = ids::new_id("fnd");
            sqlx::query(
                "INSERT INTO findings (id, scan_id, org_id, position, severity, title, description, evidence)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&fid)
            .bind(&id)
            .bind(org_id)
            .bind(i64::try_from(pos).unwrap_or(i64::MAX))
            .bind(&f.severity)
            .bind(&f.title)
            .bind(&f.description)
            .bind(&f.evidence)
            .execute(&mut *tx)
            .await?;
            findings.push(FindingRow {
                id: fid,
                severity: f.severity,
                title: f.title,
                description: f.description,
                evidence: f.evidence,
            });
        }
        tx.commit().await?;
        Ok((
            ScanRow {
                id,
                scan_type: scan.scan_type,
                target: scan.target,
                risk_score: scan.risk_score,
                risk_level: scan.risk_level,
                source: scan.source,
                metadata: scan.metadata,
                created_at,
            },
            findings,
        ))
    }

    fn scan_from_row(r: &sqlx::sqlite::SqliteRow) -> ScanRow {
        ScanRow {
            id: r.get("id"),
            scan_type: r.get("type"),
            target: r.get("target"),
            risk_score: r.get("risk_score"),
            risk_level: r.get("risk_level"),
            source: r.get("source"),
            metadata: serde_json::from_str(&r.get::<String, _>("metadata"))
                .unwrap_or(serde_json::Value::Null),
            created_at: r.get("created_at"),
        }
    }

    /// Newest first; `before` is the last id of the previous page (keyset pagination:
    /// one index range scan, whatever the depth). Returns up to `limit + 1` rows so the
    /// caller knows whether there is a next page.
    pub async fn list_scans(
        &self,
        org_id: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ScanRow>, sqlx::Error> {
        let rows =
            match before {
                Some(b) => sqlx::query(
                    "SELECT id, type, target, risk_score, risk_level, source, metadata, created_at
                     FROM scans WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                )
                .bind(org_id)
                .bind(b)
                .bind(i64::from(limit) + 1)
                .fetch_all(&self.reader)
                .await?,
                None => sqlx::query(
                    "SELECT id, type, target, risk_score, risk_level, source, metadata, created_at
                     FROM scans WHERE org_id = ? ORDER BY id DESC LIMIT ?",
                )
                .bind(org_id)
                .bind(i64::from(limit) + 1)
                .fetch_all(&self.reader)
                .await?,
            };
        Ok(rows.iter().map(Self::scan_from_row).collect())
    }

    pub async fn get_scan(
        &self,
        org_id: &str,
        id: &str,
    ) -> Result<Option<(ScanRow, Vec<FindingRow>)>, sqlx::Error> {
        let Some(row) = sqlx::query(
            "SELECT id, type, target, risk_score, risk_level, source, metadata, created_at
             FROM scans WHERE org_id = ? AND id = ?",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let findings = self.scan_findings(id).await?;
        Ok(Some((Self::scan_from_row(&row), findings)))
    }

    /// The findings of one scan, in submission order.
    pub async fn scan_findings(&self, scan_id: &str) -> Result<Vec<FindingRow>, sqlx::Error> {
        Ok(sqlx::query(
            "SELECT id, severity, title, description, evidence FROM findings
             WHERE scan_id = ? ORDER BY position",
        )
        .bind(scan_id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| FindingRow {
            id: r.get("id"),
            severity: r.get("severity"),
            title: r.get("title"),
            description: r.get("description"),
            evidence: r.get("evidence"),
        })
        .collect())
    }

    /// A finding by its own id, with its scan, within one organisation (the TLS
    /// rollover routes start from a finding of a `cloud` scan).
    pub async fn get_finding(
        &self,
        org_id: &str,
        finding_id: &str,
    ) -> Result<Option<(FindingRow, ScanRow)>, sqlx::Error> {
        let Some(row) = sqlx::query(
            "SELECT f.id AS fid, f.severity, f.title, f.description, f.evidence, s.id, s.type,
                    s.target, s.risk_score, s.risk_level, s.source, s.metadata, s.created_at
             FROM findings f JOIN scans s ON s.id = f.scan_id
             WHERE f.org_id = ? AND f.id = ?",
        )
        .bind(org_id)
        .bind(finding_id)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let finding = FindingRow {
            id: row.get("fid"),
            severity: row.get("severity"),
            title: row.get("title"),
            description: row.get("description"),
            evidence: row.get("evidence"),
        };
        Ok(Some((finding, Self::scan_from_row(&row))))
    }

    // ---- idempotency -------------------------------------------------------------------

    pub async fn idem_acquire(
        &self,
        api_key_id: &str,
        idem_key: &str,
        fingerprint: &str,
    ) -> Result<IdemState, sqlx::Error> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency (api_key_id, idem_key, fingerprint, state, created_at)
             VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (api_key_id, idem_key) DO NOTHING",
        )
        .bind(api_key_id)
        .bind(idem_key)
        .bind(fingerprint)
        .bind(ids::now())
        .execute(&self.writer)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(IdemState::Acquired);
        }
        let row = sqlx::query(
            "SELECT fingerprint, state, status, content_type, response_body FROM idempotency
             WHERE api_key_id = ? AND idem_key = ?",
        )
        .bind(api_key_id)
        .bind(idem_key)
        .fetch_one(&self.writer)
        .await?;
        if row.get::<String, _>("fingerprint") != fingerprint {
            return Ok(IdemState::Mismatch);
        }
        if row.get::<String, _>("state") != "done" {
            return Ok(IdemState::InProgress);
        }
        Ok(IdemState::Done {
            status: u16::try_from(row.get::<i64, _>("status")).unwrap_or(500),
            content_type: row.get("content_type"),
            body: row
                .get::<Option<Vec<u8>>, _>("response_body")
                .unwrap_or_default(),
        })
    }

    pub async fn idem_finish(
        &self,
        api_key_id: &str,
        idem_key: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE idempotency SET state = 'done', status = ?, content_type = ?, response_body = ?
             WHERE api_key_id = ? AND idem_key = ?",
        )
        .bind(i64::from(status))
        .bind(content_type)
        .bind(body)
        .bind(api_key_id)
        .bind(idem_key)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn idem_abandon(&self, api_key_id: &str, idem_key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM idempotency WHERE api_key_id = ? AND idem_key = ?")
            .bind(api_key_id)
            .bind(idem_key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
