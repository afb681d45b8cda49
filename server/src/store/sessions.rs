//! Dashboard sessions and one-time sign-in links (`dashboard_sessions`,
//! `dashboard_signin_links`). Only SHA-256 hashes of the tokens are stored. Times are
//! canonical RFC 3339 text, so comparing them as strings compares instants.

use super::orgs::ActiveKeyRow;
use super::{Store, StoreResult};
use crate::auth::AuthContext;

/// A live session's caller and its clock.
#[derive(Debug, Clone)]
pub(crate) struct SessionRecord {
    /// The API key's caller, with the key's current scopes.
    pub(crate) caller: AuthContext,
    pub(crate) last_seen_at: String,
    pub(crate) expires_at: String,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    key: ActiveKeyRow,
    last_seen_at: String,
    expires_at: String,
}

impl Store {
    /// Store a new session for an API key.
    pub(crate) async fn insert_session(
        &self,
        token_hash: &str,
        api_key_id: &str,
        now: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO dashboard_sessions (token_hash, api_key_id, created_at, last_seen_at, expires_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(api_key_id)
        .bind(now)
        .bind(now)
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The session of a token hash, if it exists and its API key is still active
    /// (expiry is the caller's decision: it knows the idle limit).
    pub(crate) async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT k.id, k.org_id, k.scopes, s.last_seen_at, s.expires_at
             FROM dashboard_sessions s JOIN api_keys k ON k.id = s.api_key_id
             WHERE s.token_hash = ? AND k.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(SessionRecord {
                caller: r.key.into_context()?,
                last_seen_at: r.last_seen_at,
                expires_at: r.expires_at,
            })
        })
        .transpose()
    }

    /// Record activity (the idle clock restarts).
    pub(crate) async fn touch_session(&self, token_hash: &str, now: &str) -> StoreResult<()> {
        sqlx::query("UPDATE dashboard_sessions SET last_seen_at = ? WHERE token_hash = ?")
            .bind(now)
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// End a session (sign-out, expiry, or rotation at sign-in).
    pub(crate) async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM dashboard_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Drop sessions past their absolute expiry or idle since before `idle_cutoff`, and
    /// sign-in links past theirs.
    pub(crate) async fn purge_sessions(&self, now: &str, idle_cutoff: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM dashboard_sessions WHERE expires_at <= ? OR last_seen_at < ?")
            .bind(now)
            .bind(idle_cutoff)
            .execute(&self.writer)
            .await?;
        sqlx::query("DELETE FROM dashboard_signin_links WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Store a one-time sign-in link for an API key.
    pub(crate) async fn insert_signin_link(
        &self,
        token_hash: &str,
        api_key_id: &str,
        expires_at: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO dashboard_signin_links (token_hash, api_key_id, expires_at) VALUES (?, ?, ?)",
        )
        .bind(token_hash)
        .bind(api_key_id)
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Use a sign-in link: delete it and return its API key's id, if it existed and had
    /// not expired. A second use finds nothing.
    pub(crate) async fn take_signin_link(
        &self,
        token_hash: &str,
        now: &str,
    ) -> StoreResult<Option<String>> {
        let mut tx = self.begin_write().await?;
        let key: Option<(String, String)> = sqlx::query_as(
            "SELECT api_key_id, expires_at FROM dashboard_signin_links WHERE token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM dashboard_signin_links WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        super::commit(tx).await?;
        Ok(key.and_then(|(id, expires_at)| (expires_at.as_str() > now).then_some(id)))
    }

    /// The caller of an active API key by id (a sign-in link names its key by id).
    pub(crate) async fn active_key(&self, api_key_id: &str) -> StoreResult<Option<AuthContext>> {
        let row: Option<ActiveKeyRow> = sqlx::query_as(
            "SELECT id, org_id, scopes FROM api_keys WHERE id = ? AND revoked_at IS NULL",
        )
        .bind(api_key_id)
        .fetch_optional(&self.reader)
        .await?;
        row.map(ActiveKeyRow::into_context).transpose()
    }
}
