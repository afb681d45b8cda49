//! `GET /v1/audit`: the hash-chained ledger, and its offline verification.

use futures_util::{Stream, TryStreamExt as _};

use super::check_limit;
use crate::Result;
use crate::client::{Call, Client, Page, paginate};
use crate::ledger::{ChainReport, EventType, LedgerEntry, verify_chain, verify_complete_chain};

/// A ledger row (docs/formats.md §6).
pub type AuditEntry = LedgerEntry;

/// Filters and paging for `GET /v1/audit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this event type.
    #[serde(default)]
    pub event_type: Option<EventType>,
    /// At or after this RFC 3339 time.
    pub since: Option<String>,
    /// Before this RFC 3339 time.
    pub until: Option<String>,
    /// 1–100.
    pub limit: Option<u32>,
    /// From a previous page.
    pub cursor: Option<String>,
}

/// `client.audit()`.
#[derive(Debug, Clone, Copy)]
pub struct AuditResource<'a> {
    client: &'a Client,
}

impl Client {
    /// The audit ledger.
    pub fn audit(&self) -> AuditResource<'_> {
        AuditResource { client: self }
    }
}

impl AuditResource<'_> {
    /// One page of rows, oldest first.
    pub async fn list(&self, query: &AuditQuery) -> Result<Page<AuditEntry>> {
        check_limit(query.limit)?;
        let call = Call::get("/v1/audit")
            .query("eventType", query.event_type.as_ref())
            .query("since", query.since.as_deref())
            .query("until", query.until.as_deref())
            .query("limit", query.limit)
            .query("cursor", query.cursor.as_deref());
        self.client.transport.json(call, &self.client.options).await
    }

    /// Every row matching the filters, from `query.cursor` on. The stream owns a
    /// handle to the client.
    pub fn list_all(
        &self,
        query: AuditQuery,
    ) -> impl Stream<Item = Result<AuditEntry>> + Send + 'static {
        let client = self.client.clone();
        paginate(query, move |q| {
            let client = client.clone();
            async move { client.audit().list(&q).await }
        })
    }

    /// Fetch rows and verify the hash chain offline. With no filters the export is
    /// complete, so a deleted row is detected too.
    pub async fn verify_chain(&self, query: AuditQuery) -> Result<ChainReport> {
        let complete = query.event_type.is_none() && query.since.is_none() && query.until.is_none();
        let rows: Vec<AuditEntry> = self.list_all(query).try_collect().await?;
        Ok(if complete {
            verify_complete_chain(&rows)
        } else {
            verify_chain(&rows)
        })
    }
}
