//! Storage of managed hybrid signing keys and their versions.

use std::collections::BTreeMap;

use sqlx::Row;

use crate::ids;
use crate::ledger::{self, Event};
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub algorithm: String,
    pub backend: String,
    pub latest_version: u32,
    pub min_version: u32,
    pub created_at: String,
    pub rotated_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct KeyVersionRow {
    pub version: u32,
    pub public_key: String,
    pub fingerprint: String,
    pub created_at: String,
}

/// A version's private half, sealed under the KEK (never leaves the server).
pub struct SealedVersion {
    pub version: u32,
    pub sealed_private: Vec<u8>,
}

impl std::fmt::Debug for SealedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedVersion")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// What a new version stores.
pub struct NewVersion {
    pub version: u32,
    pub public_key: String,
    pub fingerprint: String,
    pub sealed_private: Vec<u8>,
}

/// The associated data binding a sealed private key to its key id and version.
pub fn private_aad(key_id: &str, version: u32) -> String {
    format!("postq:hybrid-key:{key_id}:v{version}")
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

fn key_from_row(r: &sqlx::sqlite::SqliteRow) -> KeyRow {
    KeyRow {
        id: r.get("id"),
        name: r.get("name"),
        algorithm: r.get("algorithm"),
        backend: r.get("backend"),
        latest_version: u32_of(r.get("latest_version")),
        min_version: u32_of(r.get("min_version")),
        created_at: r.get("created_at"),
        rotated_at: r.get("rotated_at"),
    }
}

/// Result of a rotation attempt.
#[derive(Debug)]
pub enum RotateOutcome {
    Rotated(KeyRow),
    /// Another rotation got there first; retry with the new latest version.
    Raced,
    NotFound,
}

impl Store {
    /// Store a new key with its version 1, and its ledger row, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_hybrid_key(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        name: &str,
        algorithm: &str,
        v1: NewVersion,
    ) -> Result<KeyRow, sqlx::Error> {
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
        let mut details = BTreeMap::new();
        details.insert("algorithm".to_owned(), algorithm.to_owned());
        details.insert("version".to_owned(), "1".to_owned());
        details.insert("fingerprint".to_owned(), v1.fingerprint.clone());
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "key.create",
                actor,
                resource_id: Some(id),
                details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(KeyRow {
            id: id.to_owned(),
            name: name.to_owned(),
            algorithm: algorithm.to_owned(),
            backend: "software".to_owned(),
            latest_version: 1,
            min_version: 1,
            created_at: now,
            rotated_at: None,
        })
    }

    /// Add version `new.version` if the latest is still `new.version - 1`.
    pub async fn rotate_hybrid_key(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        new: NewVersion,
        min_version: Option<u32>,
    ) -> Result<RotateOutcome, sqlx::Error> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "SELECT latest_version, min_version FROM hybrid_keys WHERE org_id = ? AND id = ?",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(RotateOutcome::NotFound);
        };
        if u32_of(row.get("latest_version")) + 1 != new.version {
            return Ok(RotateOutcome::Raced);
        }
        let min = min_version.unwrap_or_else(|| u32_of(row.get("min_version")));
        sqlx::query(
            "UPDATE hybrid_keys SET latest_version = ?, min_version = ?, rotated_at = ? WHERE id = ?",
        )
        .bind(i64::from(new.version))
        .bind(i64::from(min))
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        insert_version(&mut tx, id, &new, &now).await?;
        let mut details = BTreeMap::new();
        details.insert("version".to_owned(), new.version.to_string());
        details.insert("minVersion".to_owned(), min.to_string());
        details.insert("fingerprint".to_owned(), new.fingerprint.clone());
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "key.rotate",
                actor,
                resource_id: Some(id),
                details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(match self.get_hybrid_key(org_id, id).await? {
            Some(k) => RotateOutcome::Rotated(k),
            None => RotateOutcome::NotFound,
        })
    }

    /// Set the minimum version that still verifies (1..=latest). `None` if no such key;
    /// `Some(Err(latest))` if out of range.
    pub async fn set_min_version(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        min_version: u32,
    ) -> Result<Option<Result<KeyRow, u32>>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let Some(latest) = sqlx::query_scalar::<_, i64>(
            "SELECT latest_version FROM hybrid_keys WHERE org_id = ? AND id = ?",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let latest = u32_of(latest);
        if min_version < 1 || min_version > latest {
            return Ok(Some(Err(latest)));
        }
        sqlx::query("UPDATE hybrid_keys SET min_version = ? WHERE id = ?")
            .bind(i64::from(min_version))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let mut details = BTreeMap::new();
        details.insert("minVersion".to_owned(), min_version.to_string());
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "key.update",
                actor,
                resource_id: Some(id),
                details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(self.get_hybrid_key(org_id, id).await?.map(Ok))
    }

    pub async fn get_hybrid_key(
        &self,
        org_id: &str,
        id: &str,
    ) -> Result<Option<KeyRow>, sqlx::Error> {
        let sql = "SELECT id, name, algorithm, backend, latest_version, min_version, created_at, rotated_at
                   FROM hybrid_keys WHERE org_id = ? AND id = ?";
        Ok(sqlx::query(sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(key_from_row))
    }

    /// Newest first, keyset-paginated by id; up to `limit + 1` rows.
    pub async fn list_hybrid_keys(
        &self,
        org_id: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<KeyRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, name, algorithm, backend, latest_version, min_version, created_at, rotated_at
             FROM hybrid_keys WHERE org_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
        )
        .bind(org_id)
        .bind(before)
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(key_from_row).collect())
    }

    pub async fn key_versions(&self, key_id: &str) -> Result<Vec<KeyVersionRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT version, public_key, fingerprint, created_at FROM hybrid_key_versions
             WHERE key_id = ? ORDER BY version",
        )
        .bind(key_id)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|r| KeyVersionRow {
                version: u32_of(r.get("version")),
                public_key: r.get("public_key"),
                fingerprint: r.get("fingerprint"),
                created_at: r.get("created_at"),
            })
            .collect())
    }

    pub async fn key_version(
        &self,
        key_id: &str,
        version: u32,
    ) -> Result<Option<KeyVersionRow>, sqlx::Error> {
        Ok(sqlx::query(
            "SELECT version, public_key, fingerprint, created_at FROM hybrid_key_versions
             WHERE key_id = ? AND version = ?",
        )
        .bind(key_id)
        .bind(i64::from(version))
        .fetch_optional(&self.reader)
        .await?
        .map(|r| KeyVersionRow {
            version: u32_of(r.get("version")),
            public_key: r.get("public_key"),
            fingerprint: r.get("fingerprint"),
            created_at: r.get("created_at"),
        }))
    }

    pub async fn sealed_version(
        &self,
        key_id: &str,
        version: u32,
    ) -> Result<Option<SealedVersion>, sqlx::Error> {
        Ok(sqlx::query(
            "SELECT version, sealed_private FROM hybrid_key_versions WHERE key_id = ? AND version = ?",
        )
        .bind(key_id)
        .bind(i64::from(version))
        .fetch_optional(&self.reader)
        .await?
        .map(|r| SealedVersion {
            version: u32_of(r.get("version")),
            sealed_private: r.get("sealed_private"),
        }))
    }
}

async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    key_id: &str,
    v: &NewVersion,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO hybrid_key_versions (key_id, version, public_key, fingerprint, sealed_private, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(key_id)
    .bind(i64::from(v.version))
    .bind(&v.public_key)
    .bind(&v.fingerprint)
    .bind(&v.sealed_private)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
