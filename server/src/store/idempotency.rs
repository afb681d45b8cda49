//! `Idempotency-Key` records (`idempotency`): per API key, the request fingerprint and
//! the stored response, kept 24 hours.

use super::unit::WriteTx;
use super::{Store, StoreResult};
use crate::ids;

/// The answer stored for an `Idempotency-Key` and replayed to its retries.
#[derive(Debug)]
pub(crate) struct StoredResponse<'a> {
    pub(crate) status: u16,
    pub(crate) content_type: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

/// A stored idempotent response, or the state of its key.
#[derive(Debug)]
pub(crate) enum IdemState {
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

#[derive(sqlx::FromRow)]
struct IdemRow {
    fingerprint: String,
    state: String,
    status: Option<i64>,
    content_type: Option<String>,
    response_body: Option<Vec<u8>>,
}

impl Store {
    /// Drop records older than 24 hours, and pending ones a crash left behind. A pending
    /// record never has a committed write behind it (the write and the finished record
    /// commit together), so its retry must run afresh.
    pub(super) async fn expire_idempotency(&self) -> StoreResult<()> {
        let cutoff = ids::format_ts(time::OffsetDateTime::now_utc() - time::Duration::hours(24));
        sqlx::query("DELETE FROM idempotency WHERE created_at < ? OR state = 'pending'")
            .bind(cutoff)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub(crate) async fn idem_acquire(
        &self,
        api_key_id: &str,
        idem_key: &str,
        fingerprint: &str,
    ) -> StoreResult<IdemState> {
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
        let row: IdemRow = sqlx::query_as(
            "SELECT fingerprint, state, status, content_type, response_body FROM idempotency
             WHERE api_key_id = ? AND idem_key = ?",
        )
        .bind(api_key_id)
        .bind(idem_key)
        .fetch_one(&self.writer)
        .await?;
        if row.fingerprint != fingerprint {
            return Ok(IdemState::Mismatch);
        }
        if row.state != "done" {
            return Ok(IdemState::InProgress);
        }
        Ok(IdemState::Done {
            status: row
                .status
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(500),
            content_type: row.content_type,
            body: row.response_body.unwrap_or_default(),
        })
    }

    /// Store the answer of the request holding this key, in the transaction that holds
    /// the request's writes (`writes`, from its [`WriteUnit`](super::WriteUnit)), and
    /// commit both at once: the write and its record exist together or not at all.
    pub(crate) async fn idem_finish(
        &self,
        writes: Option<WriteTx>,
        api_key_id: &str,
        idem_key: &str,
        response: &StoredResponse<'_>,
    ) -> StoreResult<()> {
        let mut tx = match writes {
            Some(tx) => tx,
            None => self.writer.begin().await?,
        };
        sqlx::query(
            "UPDATE idempotency SET state = 'done', status = ?, content_type = ?, response_body = ?
             WHERE api_key_id = ? AND idem_key = ?",
        )
        .bind(i64::from(response.status))
        .bind(response.content_type)
        .bind(response.body)
        .bind(api_key_id)
        .bind(idem_key)
        .execute(&mut *tx)
        .await?;
        super::commit_now(tx).await?;
        Ok(())
    }

    pub(crate) async fn idem_abandon(&self, api_key_id: &str, idem_key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM idempotency WHERE api_key_id = ? AND idem_key = ?")
            .bind(api_key_id)
            .bind(idem_key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
