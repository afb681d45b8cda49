//! Storage of vault credentials (issue 4). Only sealed material is stored: the
//! per-credential seal key seed under the KEK and the `pqseal-v1` envelope of the values.
//! Every access appends its ledger row in the same transaction.

use std::collections::BTreeMap;

use sqlx::{Row, Sqlite, Transaction};

use crate::ids;
use crate::ledger::{self, Event};
use crate::store::Store;

/// Credential metadata as stored (no secrets).
#[derive(Debug, Clone)]
pub struct CredentialRow {
    pub id: String,
    pub name: String,
    pub credential_type: String,
    pub keys: Vec<String>,
    pub version: u32,
    pub seal_fingerprint: String,
    pub created_at: String,
    pub rotated_at: Option<String>,
    pub expires_at: Option<String>,
}

/// The sealed half of a credential: the KEK-sealed key seed and the envelope.
pub struct SealedCredential {
    pub version: u32,
    pub sealed_seed: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for SealedCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedCredential")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// What a seal or a rotation writes.
pub struct NewSealed {
    pub seal_fingerprint: String,
    pub sealed_seed: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for NewSealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSealed")
            .field("seal_fingerprint", &self.seal_fingerprint)
            .finish_non_exhaustive()
    }
}

/// A new credential's metadata.
#[derive(Debug, Clone)]
pub struct NewCredential {
    pub name: String,
    pub credential_type: String,
    pub keys: Vec<String>,
    pub expires_at: Option<String>,
}

/// Why a vault write did not happen.
#[derive(Debug)]
pub enum VaultFail {
    Db(sqlx::Error),
    /// Key generation, sealing or opening failed (details never leave the server).
    Crypto,
}

impl From<sqlx::Error> for VaultFail {
    fn from(e: sqlx::Error) -> Self {
        VaultFail::Db(e)
    }
}

/// The state of a credential named by a request.
#[derive(Debug)]
pub enum Lookup<T> {
    Found(T),
    /// No such credential in this organisation (unknown, deleted, another org's).
    Missing,
    /// Past its `expires_at`.
    Expired,
}

/// The associated data binding a sealed seed to its credential and version.
pub fn seed_aad(credential_id: &str, version: u32) -> String {
    format!("postq:vault-key:{credential_id}:v{version}")
}

const COLUMNS: &str = "id, name, credential_type, value_keys, version, seal_fingerprint, created_at, rotated_at, expires_at";

fn row_of(r: &sqlx::sqlite::SqliteRow) -> CredentialRow {
    CredentialRow {
        id: r.get("id"),
        name: r.get("name"),
        credential_type: r.get("credential_type"),
        keys: serde_json::from_str(&r.get::<String, _>("value_keys")).unwrap_or_default(),
        version: u32::try_from(r.get::<i64, _>("version")).unwrap_or(0),
        seal_fingerprint: r.get("seal_fingerprint"),
        created_at: r.get("created_at"),
        rotated_at: r.get("rotated_at"),
        expires_at: r.get("expires_at"),
    }
}

fn expired(row: &CredentialRow, now: &str) -> bool {
    row.expires_at.as_deref().is_some_and(|e| e <= now)
}

fn details(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// Delete the organisation's expired credentials (sealed seed and envelope), one
/// `vault.expire` ledger row each.
async fn purge_expired(
    tx: &mut Transaction<'static, Sqlite>,
    org_id: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM vault_credentials
         WHERE org_id = ? AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY id",
    )
    .bind(org_id)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    for id in ids {
        sqlx::query("DELETE FROM vault_credentials WHERE id = ?")
            .bind(&id)
            .execute(&mut **tx)
            .await?;
        ledger::append(
            tx,
            Event {
                org_id,
                event_type: "vault.expire",
                actor: "system:ttl",
                resource_id: Some(&id),
                details: BTreeMap::new(),
            },
        )
        .await?;
    }
    Ok(())
}

impl Store {
    /// Seal a new credential: the id is drawn while the writer is held (id order is
    /// commit order), `seal` makes the key and envelope for that id.
    pub async fn vault_insert(
        &self,
        org_id: &str,
        actor: &str,
        new: &NewCredential,
        seal: impl FnOnce(&str) -> Option<NewSealed>,
    ) -> Result<CredentialRow, VaultFail> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        purge_expired(&mut tx, org_id, &now).await?;
        let id = ids::new_id("cred");
        let sealed = seal(&id).ok_or(VaultFail::Crypto)?;
        sqlx::query(
            "INSERT INTO vault_credentials (id, org_id, name, credential_type, value_keys, version,
                 seal_fingerprint, sealed_seed, ciphertext, created_at, rotated_at, expires_at)
             VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, NULL, ?)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(&new.name)
        .bind(&new.credential_type)
        .bind(serde_json::to_string(&new.keys).unwrap_or_else(|_| "[]".into()))
        .bind(&sealed.seal_fingerprint)
        .bind(&sealed.sealed_seed)
        .bind(&sealed.ciphertext)
        .bind(&now)
        .bind(&new.expires_at)
        .execute(&mut *tx)
        .await?;
        let mut d = details(&[
            ("credentialType", new.credential_type.clone()),
            ("version", "1".to_owned()),
            ("sealPublicKeyFingerprint", sealed.seal_fingerprint.clone()),
        ]);
        if let Some(e) = &new.expires_at {
            d.insert("expiresAt".to_owned(), e.clone());
        }
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "vault.seal",
                actor,
                resource_id: Some(&id),
                details: d,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CredentialRow {
            id,
            name: new.name.clone(),
            credential_type: new.credential_type.clone(),
            keys: new.keys.clone(),
            version: 1,
            seal_fingerprint: sealed.seal_fingerprint,
            created_at: now,
            rotated_at: None,
            expires_at: new.expires_at.clone(),
        })
    }

    /// Unexpired credentials, newest first, keyset-paginated; up to `limit + 1` rows.
    pub async fn vault_list(
        &self,
        org_id: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CredentialRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM vault_credentials
             WHERE org_id = ? AND (? IS NULL OR id < ?) AND (expires_at IS NULL OR expires_at > ?)
             ORDER BY id DESC LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(before)
            .bind(before)
            .bind(ids::now())
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.iter().map(row_of).collect())
    }

    /// Read a credential for unsealing and record the access (`vault.unseal`) in the
    /// same transaction, so no values are handed out without a ledger row.
    pub async fn vault_unseal(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
    ) -> Result<Lookup<(CredentialRow, SealedCredential)>, sqlx::Error> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT {COLUMNS}, sealed_seed, ciphertext FROM vault_credentials WHERE org_id = ? AND id = ?"
        );
        let Some(r) = sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(Lookup::Missing);
        };
        let row = row_of(&r);
        if expired(&row, &now) {
            return Ok(Lookup::Expired);
        }
        let sealed = SealedCredential {
            version: row.version,
            sealed_seed: r.get("sealed_seed"),
            ciphertext: r.get("ciphertext"),
        };
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "vault.unseal",
                actor,
                resource_id: Some(id),
                details: details(&[("version", row.version.to_string())]),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Lookup::Found((row, sealed)))
    }

    /// Re-seal under a new key: `reseal` opens the old envelope and makes a new key and
    /// envelope; both columns are replaced (the old ones are gone), `version` + 1.
    pub async fn vault_rotate(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        reseal: impl FnOnce(&SealedCredential) -> Option<NewSealed>,
    ) -> Result<Lookup<CredentialRow>, VaultFail> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT {COLUMNS}, sealed_seed, ciphertext FROM vault_credentials WHERE org_id = ? AND id = ?"
        );
        let Some(r) = sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(Lookup::Missing);
        };
        let mut row = row_of(&r);
        if expired(&row, &now) {
            return Ok(Lookup::Expired);
        }
        let old = SealedCredential {
            version: row.version,
            sealed_seed: r.get("sealed_seed"),
            ciphertext: r.get("ciphertext"),
        };
        let new = reseal(&old).ok_or(VaultFail::Crypto)?;
        let version = row.version + 1;
        sqlx::query(
            "UPDATE vault_credentials SET version = ?, seal_fingerprint = ?, sealed_seed = ?,
                 ciphertext = ?, rotated_at = ? WHERE id = ? AND org_id = ?",
        )
        .bind(i64::from(version))
        .bind(&new.seal_fingerprint)
        .bind(&new.sealed_seed)
        .bind(&new.ciphertext)
        .bind(&now)
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "vault.rotate",
                actor,
                resource_id: Some(id),
                details: details(&[
                    ("version", version.to_string()),
                    ("sealPublicKeyFingerprint", new.seal_fingerprint.clone()),
                ]),
            },
        )
        .await?;
        tx.commit().await?;
        row.version = version;
        row.seal_fingerprint = new.seal_fingerprint;
        row.rotated_at = Some(now);
        Ok(Lookup::Found(row))
    }

    /// Delete a credential (its key seed and envelope with it).
    pub async fn vault_delete(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
    ) -> Result<Lookup<()>, sqlx::Error> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {COLUMNS} FROM vault_credentials WHERE org_id = ? AND id = ?");
        let Some(r) = sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(Lookup::Missing);
        };
        let row = row_of(&r);
        if expired(&row, &now) {
            return Ok(Lookup::Expired);
        }
        sqlx::query("DELETE FROM vault_credentials WHERE id = ? AND org_id = ?")
            .bind(id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "vault.delete",
                actor,
                resource_id: Some(id),
                details: details(&[("version", row.version.to_string())]),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Lookup::Found(()))
    }

    /// Record a refused vault access (`vault.denied`), purging expired credentials first.
    pub async fn vault_denied(
        &self,
        org_id: &str,
        actor: &str,
        resource_id: Option<&str>,
        operation: &str,
        reason: &str,
    ) -> Result<(), sqlx::Error> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        purge_expired(&mut tx, org_id, &now).await?;
        let resource: Option<String> = resource_id.map(|r| r.chars().take(128).collect());
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "vault.denied",
                actor,
                resource_id: resource.as_deref(),
                details: details(&[
                    ("operation", operation.to_owned()),
                    ("reason", reason.to_owned()),
                ]),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
