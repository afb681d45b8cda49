//! Vault credentials (`vault_credentials`). Only sealed material is stored: the
//! per-credential seal key seed under the KEK and the `pqseal-v1` envelope of the values.
//! Every access appends its ledger row in the same transaction.

use std::collections::BTreeMap;

use postq::api::Credential;
use postq::ledger::EventType;
use sqlx::{Sqlite, Transaction};

use super::ledger::{Event, append};
use super::{Store, StoreError, StoreResult, int, json_text, page_rows, stored_json};
use crate::ids;

#[derive(sqlx::FromRow)]
struct CredentialRow {
    id: String,
    name: String,
    credential_type: String,
    value_keys: String,
    version: u32,
    seal_fingerprint: String,
    created_at: String,
    rotated_at: Option<String>,
    expires_at: Option<String>,
}

const COLUMNS: &str = "id, name, credential_type, value_keys, version, seal_fingerprint, created_at, rotated_at, expires_at";

impl CredentialRow {
    fn expired(&self, now: &str) -> bool {
        self.expires_at.as_deref().is_some_and(|e| e <= now)
    }

    fn into_credential(self) -> StoreResult<Credential> {
        Ok(Credential {
            keys: stored_json(
                "vault_credentials",
                &self.id,
                "value_keys",
                &self.value_keys,
            )?,
            id: self.id,
            name: self.name,
            credential_type: self.credential_type,
            created_at: self.created_at,
            rotated_at: self.rotated_at,
            expires_at: self.expires_at,
            version: self.version,
            seal_public_key_fingerprint: Some(self.seal_fingerprint),
        })
    }
}

/// Metadata and sealed material of one credential, read together.
#[derive(sqlx::FromRow)]
struct SealedRow {
    #[sqlx(flatten)]
    meta: CredentialRow,
    sealed_seed: Vec<u8>,
    ciphertext: Vec<u8>,
}

/// The sealed half of a credential: the KEK-sealed key seed and the envelope.
pub(crate) struct SealedCredential {
    pub(crate) version: u32,
    pub(crate) sealed_seed: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

impl std::fmt::Debug for SealedCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedCredential")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// What a seal or a rotation writes.
pub(crate) struct NewSealed {
    pub(crate) seal_fingerprint: String,
    pub(crate) sealed_seed: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
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
pub(crate) struct NewCredential {
    pub(crate) name: String,
    pub(crate) credential_type: String,
    pub(crate) keys: Vec<String>,
    pub(crate) expires_at: Option<String>,
}

/// The state of a credential named by a request.
#[derive(Debug)]
pub(crate) enum Lookup<T> {
    Found(T),
    /// No such credential in this organisation (unknown, deleted, another org's).
    Missing,
    /// Past its `expires_at`.
    Expired,
}

/// The associated data binding a sealed seed to its credential and version.
pub(crate) fn seed_aad(credential_id: &str, version: u32) -> String {
    format!("postq:vault-key:{credential_id}:v{version}")
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
) -> StoreResult<()> {
    let expired: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM vault_credentials
         WHERE org_id = ? AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY id",
    )
    .bind(org_id)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    for id in expired {
        sqlx::query("DELETE FROM vault_credentials WHERE id = ?")
            .bind(&id)
            .execute(&mut **tx)
            .await?;
        append(
            tx,
            Event {
                org_id,
                event_type: EventType::VaultExpire,
                actor: "system:ttl",
                resource_id: Some(&id),
                details: BTreeMap::new(),
            },
        )
        .await?;
    }
    Ok(())
}

/// One credential with its sealed material, within `tx`.
async fn sealed_row(
    tx: &mut Transaction<'static, Sqlite>,
    org_id: &str,
    id: &str,
) -> StoreResult<Option<SealedRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS}, sealed_seed, ciphertext FROM vault_credentials WHERE org_id = ? AND id = ?"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

impl Store {
    /// Seal a new credential: the id is drawn while the writer is held (id order is
    /// commit order), `seal` makes the key and envelope for that id.
    pub(crate) async fn vault_insert(
        &self,
        org_id: &str,
        actor: &str,
        new: &NewCredential,
        seal: impl FnOnce(&str) -> Option<NewSealed>,
    ) -> StoreResult<Credential> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        purge_expired(&mut tx, org_id, &now).await?;
        let id = ids::new_id("cred");
        let sealed = seal(&id).ok_or(StoreError::Crypto)?;
        sqlx::query(
            "INSERT INTO vault_credentials (id, org_id, name, credential_type, value_keys, version,
                 seal_fingerprint, sealed_seed, ciphertext, created_at, rotated_at, expires_at)
             VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, NULL, ?)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(&new.name)
        .bind(&new.credential_type)
        .bind(json_text(&new.keys))
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
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::VaultSeal,
                actor,
                resource_id: Some(&id),
                details: d,
            },
        )
        .await?;
        super::commit(tx).await?;
        Ok(Credential {
            id,
            name: new.name.clone(),
            credential_type: new.credential_type.clone(),
            keys: new.keys.clone(),
            created_at: now,
            rotated_at: None,
            expires_at: new.expires_at.clone(),
            version: 1,
            seal_public_key_fingerprint: Some(sealed.seal_fingerprint),
        })
    }

    /// Unexpired credentials, newest first, keyset-paginated; up to `limit + 1` rows.
    pub(crate) async fn vault_list(
        &self,
        org_id: &str,
        before: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Credential>> {
        let rows: Vec<CredentialRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM vault_credentials
             WHERE org_id = ? AND (? IS NULL OR id < ?) AND (expires_at IS NULL OR expires_at > ?)
             ORDER BY id DESC LIMIT ?"
        ))
        .bind(org_id)
        .bind(before)
        .bind(before)
        .bind(ids::now())
        .bind(page_rows(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(CredentialRow::into_credential)
            .collect()
    }

    /// Read a credential for unsealing and record the access (`vault.unseal`) in the
    /// same transaction, so no values are handed out without a ledger row.
    pub(crate) async fn vault_unseal(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
    ) -> StoreResult<Lookup<(Credential, SealedCredential)>> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let Some(row) = sealed_row(&mut tx, org_id, id).await? else {
            return Ok(Lookup::Missing);
        };
        if row.meta.expired(&now) {
            return Ok(Lookup::Expired);
        }
        let sealed = SealedCredential {
            version: row.meta.version,
            sealed_seed: row.sealed_seed,
            ciphertext: row.ciphertext,
        };
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::VaultUnseal,
                actor,
                resource_id: Some(id),
                details: details(&[("version", sealed.version.to_string())]),
            },
        )
        .await?;
        super::commit(tx).await?;
        Ok(Lookup::Found((row.meta.into_credential()?, sealed)))
    }

    /// Re-seal under a new key: `reseal` opens the old envelope and makes a new key and
    /// envelope; both columns are replaced (the old ones are gone), `version` + 1.
    pub(crate) async fn vault_rotate(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        reseal: impl FnOnce(&SealedCredential) -> Option<NewSealed>,
    ) -> StoreResult<Lookup<Credential>> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let Some(row) = sealed_row(&mut tx, org_id, id).await? else {
            return Ok(Lookup::Missing);
        };
        if row.meta.expired(&now) {
            return Ok(Lookup::Expired);
        }
        let old = SealedCredential {
            version: row.meta.version,
            sealed_seed: row.sealed_seed,
            ciphertext: row.ciphertext,
        };
        let new = reseal(&old).ok_or(StoreError::Crypto)?;
        let version = old.version + 1;
        sqlx::query(
            "UPDATE vault_credentials SET version = ?, seal_fingerprint = ?, sealed_seed = ?,
                 ciphertext = ?, rotated_at = ? WHERE id = ? AND org_id = ?",
        )
        .bind(int(version))
        .bind(&new.seal_fingerprint)
        .bind(&new.sealed_seed)
        .bind(&new.ciphertext)
        .bind(&now)
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::VaultRotate,
                actor,
                resource_id: Some(id),
                details: details(&[
                    ("version", version.to_string()),
                    ("sealPublicKeyFingerprint", new.seal_fingerprint.clone()),
                ]),
            },
        )
        .await?;
        super::commit(tx).await?;
        let mut meta = row.meta;
        meta.version = version;
        meta.seal_fingerprint = new.seal_fingerprint;
        meta.rotated_at = Some(now);
        Ok(Lookup::Found(meta.into_credential()?))
    }

    /// Delete a credential (its key seed and envelope with it).
    pub(crate) async fn vault_delete(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
    ) -> StoreResult<Lookup<()>> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let row: Option<CredentialRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM vault_credentials WHERE org_id = ? AND id = ?"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Lookup::Missing);
        };
        if row.expired(&now) {
            return Ok(Lookup::Expired);
        }
        sqlx::query("DELETE FROM vault_credentials WHERE id = ? AND org_id = ?")
            .bind(id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::VaultDelete,
                actor,
                resource_id: Some(id),
                details: details(&[("version", row.version.to_string())]),
            },
        )
        .await?;
        super::commit(tx).await?;
        Ok(Lookup::Found(()))
    }

    /// Record a refused vault access (`vault.denied`), purging expired credentials first.
    pub(crate) async fn vault_denied(
        &self,
        org_id: &str,
        actor: &str,
        resource_id: Option<&str>,
        operation: &str,
        reason: &str,
    ) -> StoreResult<()> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        purge_expired(&mut tx, org_id, &now).await?;
        let resource: Option<String> = resource_id.map(|r| r.chars().take(128).collect());
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::VaultDenied,
                actor,
                resource_id: resource.as_deref(),
                details: details(&[
                    ("operation", operation.to_owned()),
                    ("reason", reason.to_owned()),
                ]),
            },
        )
        .await?;
        super::commit(tx).await?;
        Ok(())
    }
}
