//! The audit ledger (`ledger`): one SHA-256 hash chain per organisation, in core's row
//! format (`postq::ledger::LedgerEntry`, docs/formats.md §6), so clients verify what
//! `GET /v1/audit` returns offline with `postq::ledger::verify_chain`.
//!
//! Rows are appended inside the caller's write transaction (the single writer connection
//! serialises appends), so a resource change and its ledger row commit together. Each
//! row also carries its part of the organisation's Merkle tree (`ledger_tree.rs`).

use std::collections::BTreeMap;

use postq::ledger::{EventType, GENESIS_HASH, LedgerEntry};
use sqlx::{Sqlite, Transaction};

use super::{Store, StoreError, StoreResult, json_text, page_rows, stored_json};
use crate::ids;

/// One event to append. Only the types core knows are written.
#[derive(Debug, Clone)]
pub(crate) struct Event<'a> {
    pub(crate) org_id: &'a str,
    pub(crate) event_type: EventType,
    pub(crate) actor: &'a str,
    pub(crate) resource_id: Option<&'a str>,
    pub(crate) details: BTreeMap<String, String>,
}

#[derive(sqlx::FromRow)]
struct Tip {
    seq: i64,
    hash: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct LedgerRow {
    org_id: String,
    seq: i64,
    id: String,
    event_type: String,
    actor: String,
    resource_id: Option<String>,
    occurred_at: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl LedgerRow {
    pub(super) fn into_entry(self) -> StoreResult<LedgerEntry> {
        Ok(LedgerEntry {
            seq: u64::try_from(self.seq).map_err(|_| StoreError::Corrupt {
                table: "ledger",
                id: self.id.clone(),
                column: "seq",
                value: self.seq.to_string(),
            })?,
            details: stored_json("ledger", &self.id, "details", &self.details)?,
            // A type written by a newer server is kept as text: the chain still verifies.
            event_type: EventType::parse(&self.event_type),
            id: self.id,
            org_id: self.org_id,
            actor: self.actor,
            resource_id: self.resource_id,
            occurred_at: self.occurred_at,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// Append `event` to its organisation's chain within `tx`.
pub(super) async fn append(
    tx: &mut Transaction<'static, Sqlite>,
    event: Event<'_>,
) -> StoreResult<LedgerEntry> {
    if EventType::known(event.event_type.as_str()).is_none() {
        return Err(StoreError::Refused(format!(
            "ledger event type `{}` is not one this server writes",
            event.event_type
        )));
    }
    let tip: Option<Tip> =
        sqlx::query_as("SELECT seq, hash FROM ledger WHERE org_id = ? ORDER BY seq DESC LIMIT 1")
            .bind(event.org_id)
            .fetch_optional(&mut **tx)
            .await?;
    let (seq, prev_hash) = match tip {
        Some(t) => (u64::try_from(t.seq).unwrap_or(0) + 1, t.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = LedgerEntry {
        seq,
        id: ids::new_id("evt"),
        org_id: event.org_id.to_owned(),
        event_type: event.event_type,
        actor: event.actor.to_owned(),
        resource_id: event.resource_id.map(str::to_owned),
        occurred_at: ids::now(),
        details: event.details,
        prev_hash,
        hash: String::new(),
    };
    let leaf = entry.fill_hash();
    let tree = super::ledger_tree::tree_column(tx, event.org_id, seq - 1, leaf).await?;
    sqlx::query(
        "INSERT INTO ledger (org_id, seq, id, event_type, actor, resource_id, occurred_at, details, prev_hash, hash, tree)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&entry.org_id)
    .bind(i64::try_from(entry.seq).unwrap_or(i64::MAX))
    .bind(&entry.id)
    .bind(entry.event_type.as_str())
    .bind(&entry.actor)
    .bind(&entry.resource_id)
    .bind(&entry.occurred_at)
    .bind(json_text(&entry.details))
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .bind(tree)
    .execute(&mut **tx)
    .await?;
    Ok(entry)
}

/// Filters of `GET /v1/audit`.
#[derive(Debug, Default, Clone)]
pub(crate) struct AuditFilter {
    pub(crate) event_type: Option<EventType>,
    /// Inclusive lower bound, canonical RFC 3339.
    pub(crate) since: Option<String>,
    /// Exclusive upper bound, canonical RFC 3339.
    pub(crate) until: Option<String>,
    /// Only rows with `seq` greater than this (the cursor).
    pub(crate) after_seq: Option<u64>,
}

impl Store {
    /// Append one event in its own transaction.
    pub(crate) async fn append_event(&self, event: Event<'_>) -> StoreResult<LedgerEntry> {
        let mut tx = self.begin_write().await?;
        let entry = append(&mut tx, event).await?;
        super::commit(tx).await?;
        Ok(entry)
    }

    /// Rows of one organisation in ascending `seq`, filtered; up to `limit + 1` rows.
    pub(crate) async fn list_ledger(
        &self,
        org_id: &str,
        filter: &AuditFilter,
        limit: u32,
    ) -> StoreResult<Vec<LedgerEntry>> {
        let after = i64::try_from(filter.after_seq.unwrap_or(0)).unwrap_or(i64::MAX);
        let event_type = filter.event_type.as_ref().map(EventType::as_str);
        let rows: Vec<LedgerRow> = sqlx::query_as(
            "SELECT org_id, seq, id, event_type, actor, resource_id, occurred_at, details, prev_hash, hash
             FROM ledger
             WHERE org_id = ? AND seq > ?
               AND (? IS NULL OR event_type = ?)
               AND (? IS NULL OR occurred_at >= ?)
               AND (? IS NULL OR occurred_at < ?)
             ORDER BY seq ASC LIMIT ?",
        )
        .bind(org_id)
        .bind(after)
        .bind(event_type)
        .bind(event_type)
        .bind(&filter.since)
        .bind(&filter.since)
        .bind(&filter.until)
        .bind(&filter.until)
        .bind(page_rows(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(LedgerRow::into_entry).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes use the types core knows; anything else is refused, not stored.
    #[tokio::test]
    async fn unknown_event_types_are_never_written() {
        let store = Store::open_memory().await.unwrap();
        let org = store.ensure_org("o").await.unwrap();
        let event = |event_type| Event {
            org_id: &org,
            event_type,
            actor: "test",
            resource_id: None,
            details: BTreeMap::new(),
        };
        let refused = store
            .append_event(event(EventType::Other("policy.change".into())))
            .await;
        assert!(
            matches!(refused, Err(StoreError::Refused(_))),
            "{refused:?}"
        );
        let written = store.append_event(event(EventType::Sign)).await.unwrap();
        assert_eq!((written.seq, written.event_type), (1, EventType::Sign));
        let rows = store
            .list_ledger(&org, &AuditFilter::default(), 10)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
    }

    /// The error a corrupt row becomes names table, row, column and value: the server
    /// log line an operator starts from.
    #[test]
    fn corrupt_rows_are_named() {
        let err = crate::store::stored_enum::<postq::api::RiskLevel>(
            "scans",
            "scan_1",
            "risk_level",
            "Extreme",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "scans row scan_1: column risk_level holds \"Extreme\", which this server does not know"
        );
    }
}
