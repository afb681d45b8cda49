//! Organisations and API keys (`orgs`, `api_keys`).

use super::{Store, StoreError, StoreResult};
use crate::auth::{AuthContext, Scope, generate_key, hash_key};
use crate::ids;

/// A freshly minted API key. The plaintext `key` is here once; `Debug` never shows it.
#[derive(Clone)]
pub struct NewApiKey {
    /// `ak_…`.
    pub id: String,
    /// `org_…`.
    pub org_id: String,
    /// `pq_live_…`: shown once, only its SHA-256 is stored.
    pub key: String,
    /// Granted scopes, e.g. `scans:read`.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiKey")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("key", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// An API key as listed (no secret: only its first characters).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ApiKeyInfo {
    pub(crate) id: String,
    pub(crate) org_id: String,
    pub(crate) org_name: String,
    pub(crate) name: String,
    pub(crate) key_prefix: String,
    pub(crate) scopes: String,
    pub(crate) revoked_at: Option<String>,
}

/// An active API key's caller columns (`id, org_id, scopes`).
#[derive(sqlx::FromRow)]
pub(super) struct ActiveKeyRow {
    id: String,
    org_id: String,
    scopes: String,
}

impl ActiveKeyRow {
    /// The caller this key row stands for. A scope this server does not know (a newer
    /// server's, a hand edit) is a storage error naming the key, not a silent grant.
    pub(super) fn into_context(self) -> StoreResult<AuthContext> {
        let scopes = self
            .scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|s| {
                Scope::parse(s).ok_or_else(|| StoreError::Corrupt {
                    table: "api_keys",
                    id: self.id.clone(),
                    column: "scopes",
                    value: s.to_owned(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(AuthContext {
            api_key_id: self.id,
            org_id: self.org_id,
            scopes,
        })
    }
}

fn scope_list(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    pub(crate) async fn org_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM orgs")
            .fetch_one(&self.writer)
            .await?)
    }

    /// The org with this id or name; created (by name) when it does not exist.
    pub(crate) async fn ensure_org(&self, id_or_name: &str) -> StoreResult<String> {
        let mut tx = self.begin_write().await?;
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
        super::commit(tx).await?;
        Ok(id)
    }

    /// Mint an API key for an existing org; the plaintext is in the result only.
    pub(crate) async fn create_api_key(
        &self,
        org_id: &str,
        name: &str,
        scopes: &[Scope],
    ) -> StoreResult<NewApiKey> {
        let key = generate_key().map_err(|_| StoreError::Crypto)?;
        let id = ids::new_id("ak");
        sqlx::query(
            "INSERT INTO api_keys (id, org_id, name, key_hash, key_prefix, scopes, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(name)
        .bind(hash_key(&key))
        .bind(key.get(..12).unwrap_or_default())
        .bind(scope_list(scopes))
        .bind(ids::now())
        .execute(&self.writer)
        .await?;
        Ok(NewApiKey {
            id,
            org_id: org_id.to_owned(),
            key,
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        })
    }

    /// The caller of an active key. A scope this server does not know (a newer
    /// server's, a hand edit) is a storage error naming the key, not a silent grant.
    pub(crate) async fn lookup_api_key(&self, key_hash: &str) -> StoreResult<Option<AuthContext>> {
        let row: Option<ActiveKeyRow> = sqlx::query_as(
            "SELECT id, org_id, scopes FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.map(ActiveKeyRow::into_context).transpose()
    }

    /// Every API key (never the key itself).
    pub(crate) async fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyInfo>> {
        Ok(sqlx::query_as(
            "SELECT k.id, k.org_id, o.name AS org_name, k.name, k.key_prefix, k.scopes,
                    k.revoked_at
             FROM api_keys k JOIN orgs o ON o.id = k.org_id ORDER BY k.id",
        )
        .fetch_all(&self.reader)
        .await?)
    }

    pub(crate) async fn revoke_api_key(&self, id: &str) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(ids::now())
                .bind(id)
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
