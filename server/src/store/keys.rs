//! Managed hybrid signing keys and their versions (`hybrid_keys`, `hybrid_key_versions`).

use std::collections::BTreeMap;

use postq::api::{HybridKey, KeyVersion};
use postq::ledger::EventType;

use super::ledger::{Event, append};
use super::unit::WriteTx;
use super::{Store, StoreError, StoreResult, int};
use crate::ids;

/// A key as stored (its latest version's public key is in `hybrid_key_versions`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct KeyRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) algorithm: String,
    pub(crate) backend: String,
    pub(crate) latest_version: u32,
    pub(crate) min_version: u32,
    pub(crate) created_at: String,
    pub(crate) rotated_at: Option<String>,
}

const VERSIONS_OF_KEY: &str = "SELECT version, public_key, fingerprint, created_at
     FROM hybrid_key_versions WHERE key_id = ? ORDER BY version";

const KEY_COLUMNS: &str =
    "id, name, algorithm, backend, latest_version, min_version, created_at, rotated_at";

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: u32,
    public_key: String,
    fingerprint: String,
    created_at: String,
}

impl From<VersionRow> for KeyVersion {
    fn from(v: VersionRow) -> Self {
        KeyVersion {
            version: v.version,
            public_key: v.public_key,
            fingerprint: v.fingerprint,
            created_at: v.created_at,
        }
    }
}

impl KeyRow {
    /// The wire form; `versions` must hold the latest version (else `None`: the row and
    /// its versions disagree).
    pub(crate) fn into_key(
        self,
        versions: Vec<KeyVersion>,
        with_versions: bool,
    ) -> Option<HybridKey> {
        let latest = versions
            .iter()
            .find(|v| v.version == self.latest_version)?
            .clone();
        Some(HybridKey {
            id: self.id,
            name: self.name,
            algorithm: self.algorithm,
            backend: self.backend,
            pq_ready: true,
            version: self.latest_version,
            min_version: self.min_version,
            public_key: latest.public_key,
            fingerprint: latest.fingerprint,
            created_at: self.created_at,
            rotated_at: self.rotated_at,
            versions: with_versions.then_some(versions),
        })
    }
}

/// A key and every version of it, as a write left them (read inside the write's
/// transaction: see `store/unit.rs`).
#[derive(Debug)]
pub(crate) struct StoredKey {
    pub(crate) row: KeyRow,
    pub(crate) versions: Vec<KeyVersion>,
}

/// A version's private half, sealed under the KEK (never leaves the server).
#[derive(sqlx::FromRow)]
pub(crate) struct SealedVersion {
    pub(crate) version: u32,
    pub(crate) sealed_private: Vec<u8>,
}

impl std::fmt::Debug for SealedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedVersion")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// What a new version stores.
pub(crate) struct NewVersion {
    pub(crate) version: u32,
    pub(crate) public_key: String,
    pub(crate) fingerprint: String,
    pub(crate) sealed_private: Vec<u8>,
}

/// The associated data binding a sealed private key to its key id and version.
pub(crate) fn private_aad(key_id: &str, version: u32) -> String {
    format!("postq:hybrid-key:{key_id}:v{version}")
}

/// Result of a rotation attempt.
#[derive(Debug)]
pub(crate) enum RotateOutcome {
    Rotated(StoredKey),
    /// Another rotation got there first; retry with the new latest version.
    Raced,
    NotFound,
}

#[derive(sqlx::FromRow)]
struct Versions {
    latest_version: u32,
    min_version: u32,
}

fn details(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

impl Store {
    /// Store a new key with its version 1, and its ledger row, in one transaction.
    pub(crate) async fn insert_hybrid_key(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        name: &str,
        algorithm: &str,
        v1: NewVersion,
    ) -> StoreResult<StoredKey> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO hybrid_keys (id, org_id, name, algorithm, backend, latest_version, min_version, created_at)
             VALUES (?, ?, ?, ?, 'software', 1, 1, ?)",
        )
        .bind(id)
        .bind(org_id)
        .bind(name)
        .bind(algorithm)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        insert_version(&mut tx, id, &v1, &now).await?;
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::KeyCreate,
                actor,
                resource_id: Some(id),
                details: details(&[
                    ("algorithm", algorithm.to_owned()),
                    ("version", "1".to_owned()),
                    ("fingerprint", v1.fingerprint.clone()),
                ]),
            },
        )
        .await?;
        let stored = stored_key(&mut tx, org_id, id).await?;
        super::commit(tx).await?;
        stored.ok_or_else(|| StoreError::Refused(format!("key {id} vanished while being created")))
    }

    /// Add version `new.version` if the latest is still `new.version - 1`.
    pub(crate) async fn rotate_hybrid_key(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        new: NewVersion,
        min_version: Option<u32>,
    ) -> StoreResult<RotateOutcome> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let current: Option<Versions> = sqlx::query_as(
            "SELECT latest_version, min_version FROM hybrid_keys WHERE org_id = ? AND id = ?",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(current) = current else {
            return Ok(RotateOutcome::NotFound);
        };
        if current.latest_version + 1 != new.version {
            return Ok(RotateOutcome::Raced);
        }
        let min = min_version.unwrap_or(current.min_version);
        sqlx::query(
            "UPDATE hybrid_keys SET latest_version = ?, min_version = ?, rotated_at = ? WHERE id = ?",
        )
        .bind(int(new.version))
        .bind(int(min))
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        insert_version(&mut tx, id, &new, &now).await?;
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::KeyRotate,
                actor,
                resource_id: Some(id),
                details: details(&[
                    ("version", new.version.to_string()),
                    ("minVersion", min.to_string()),
                    ("fingerprint", new.fingerprint.clone()),
                ]),
            },
        )
        .await?;
        let stored = stored_key(&mut tx, org_id, id).await?;
        super::commit(tx).await?;
        Ok(match stored {
            Some(k) => RotateOutcome::Rotated(k),
            None => RotateOutcome::NotFound,
        })
    }

    /// Set the minimum version that still verifies (1..=latest). `None` if no such key;
    /// `Some(Err(latest))` if out of range.
    pub(crate) async fn set_min_version(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        min_version: u32,
    ) -> StoreResult<Option<Result<StoredKey, u32>>> {
        let mut tx = self.begin_write().await?;
        let latest: Option<u32> = sqlx::query_scalar(
            "SELECT latest_version FROM hybrid_keys WHERE org_id = ? AND id = ?",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(latest) = latest else {
            return Ok(None);
        };
        if min_version < 1 || min_version > latest {
            return Ok(Some(Err(latest)));
        }
        sqlx::query("UPDATE hybrid_keys SET min_version = ? WHERE id = ?")
            .bind(int(min_version))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::KeyUpdate,
                actor,
                resource_id: Some(id),
                details: details(&[("minVersion", min_version.to_string())]),
            },
        )
        .await?;
        let stored = stored_key(&mut tx, org_id, id).await?;
        super::commit(tx).await?;
        Ok(stored.map(Ok))
    }

    pub(crate) async fn get_hybrid_key(
        &self,
        org_id: &str,
        id: &str,
    ) -> StoreResult<Option<KeyRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {KEY_COLUMNS} FROM hybrid_keys WHERE org_id = ? AND id = ?"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.reader)
        .await?)
    }

    /// Newest first, keyset-paginated by id; up to `limit + 1` rows.
    pub(crate) async fn list_hybrid_keys(
        &self,
        org_id: &str,
        before: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<KeyRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {KEY_COLUMNS} FROM hybrid_keys WHERE org_id = ? AND (? IS NULL OR id < ?)
             ORDER BY id DESC LIMIT ?"
        ))
        .bind(org_id)
        .bind(before)
        .bind(before)
        .bind(super::page_rows(limit))
        .fetch_all(&self.reader)
        .await?)
    }

    /// Every version of a key, oldest first.
    pub(crate) async fn key_versions(&self, key_id: &str) -> StoreResult<Vec<KeyVersion>> {
        let rows: Vec<VersionRow> = sqlx::query_as(VERSIONS_OF_KEY)
            .bind(key_id)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.into_iter().map(KeyVersion::from).collect())
    }

    pub(crate) async fn key_version(
        &self,
        key_id: &str,
        version: u32,
    ) -> StoreResult<Option<KeyVersion>> {
        let row: Option<VersionRow> = sqlx::query_as(
            "SELECT version, public_key, fingerprint, created_at FROM hybrid_key_versions
             WHERE key_id = ? AND version = ?",
        )
        .bind(key_id)
        .bind(int(version))
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(KeyVersion::from))
    }

    pub(crate) async fn sealed_version(
        &self,
        key_id: &str,
        version: u32,
    ) -> StoreResult<Option<SealedVersion>> {
        Ok(sqlx::query_as(
            "SELECT version, sealed_private FROM hybrid_key_versions WHERE key_id = ? AND version = ?",
        )
        .bind(key_id)
        .bind(int(version))
        .fetch_optional(&self.reader)
        .await?)
    }
}

/// A key and its versions, read through the write transaction.
async fn stored_key(tx: &mut WriteTx, org_id: &str, id: &str) -> StoreResult<Option<StoredKey>> {
    let row: Option<KeyRow> = sqlx::query_as(&format!(
        "SELECT {KEY_COLUMNS} FROM hybrid_keys WHERE org_id = ? AND id = ?"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let versions: Vec<VersionRow> = sqlx::query_as(VERSIONS_OF_KEY)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(Some(StoredKey {
        row,
        versions: versions.into_iter().map(KeyVersion::from).collect(),
    }))
}

async fn insert_version(
    tx: &mut WriteTx,
    key_id: &str,
    v: &NewVersion,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO hybrid_key_versions (key_id, version, public_key, fingerprint, sealed_private, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(key_id)
    .bind(int(v.version))
    .bind(&v.public_key)
    .bind(&v.fingerprint)
    .bind(&v.sealed_private)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
