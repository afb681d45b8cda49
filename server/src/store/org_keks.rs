//! Rewrapping organisations' sealed private material from the master KEK to each
//! organisation's own KEK (`kek.rs`), on start. Idempotent (only blobs still sealed under
//! the master KEK are touched) and crash-safe: each row is rewritten by one
//! compare-and-swap UPDATE, and readers open both forms, so every row stays openable
//! whenever the process stops.

use super::keys::private_aad;
use super::vault::seed_aad;
use super::{Store, StoreError, StoreResult};
use crate::kek::Kek;

/// A sealed blob and what it needs to be opened and rewrapped.
#[derive(sqlx::FromRow)]
struct Wrapped {
    org_id: String,
    id: String,
    version: u32,
    sealed: Vec<u8>,
}

fn rewrap(kek: &Kek, row: &Wrapped, aad: &str) -> StoreResult<Vec<u8>> {
    let secret = kek.open(aad, &row.sealed).map_err(|_| StoreError::Crypto)?;
    kek.seal_for_org(&row.org_id, aad, &secret)
        .map_err(|_| StoreError::Crypto)
}

impl Store {
    /// Rewrap every hybrid key version and vault seed still sealed under the master KEK;
    /// returns how many rows changed.
    pub(crate) async fn migrate_org_keks(&self, kek: &Kek) -> StoreResult<u64> {
        let mut changed = 0;
        let keys: Vec<Wrapped> = sqlx::query_as(
            "SELECT k.org_id AS org_id, v.key_id AS id, v.version AS version, v.sealed_private AS sealed
             FROM hybrid_key_versions v JOIN hybrid_keys k ON k.id = v.key_id",
        )
        .fetch_all(&self.writer)
        .await?;
        for row in keys.iter().filter(|r| Kek::is_master_sealed(&r.sealed)) {
            let new = rewrap(kek, row, &private_aad(&row.id, row.version))?;
            changed += sqlx::query(
                "UPDATE hybrid_key_versions SET sealed_private = ? WHERE key_id = ? AND version = ? AND sealed_private = ?",
            )
            .bind(new)
            .bind(&row.id)
            .bind(row.version)
            .bind(&row.sealed)
            .execute(&self.writer)
            .await?
            .rows_affected();
        }
        let seeds: Vec<Wrapped> = sqlx::query_as(
            "SELECT org_id, id, version, sealed_seed AS sealed FROM vault_credentials",
        )
        .fetch_all(&self.writer)
        .await?;
        for row in seeds.iter().filter(|r| Kek::is_master_sealed(&r.sealed)) {
            let new = rewrap(kek, row, &seed_aad(&row.id, row.version))?;
            changed += sqlx::query(
                "UPDATE vault_credentials SET sealed_seed = ? WHERE id = ? AND version = ? AND sealed_seed = ?",
            )
            .bind(new)
            .bind(&row.id)
            .bind(row.version)
            .bind(&row.sealed)
            .execute(&self.writer)
            .await?
            .rows_affected();
        }
        Ok(changed)
    }
}
