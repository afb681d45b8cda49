//! The audit ledger: one SHA-256 hash chain per organisation, in core's row format
//! (`postq::ledger::LedgerEntry`, docs/formats.md §6), so clients verify what
//! `GET /v1/audit` returns offline with `postq::ledger::verify_chain`.
//!
//! Rows are appended inside the caller's write transaction (the single writer connection
//! serialises appends), so a resource change and its ledger row commit together. Every
//! resource type appends here: keys, sign/verify today; vault and rollovers next.

use std::collections::BTreeMap;

use postq::ledger::{GENESIS_HASH, LedgerEntry};
use sqlx::{Row, Sqlite, Transaction};

use crate::ids;
use crate::store::Store;

/// One event to append.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub org_id: &'a str,
    pub event_type: &'a str,
    pub actor: &'a str,
    pub resource_id: Option<&'a str>,
    pub details: BTreeMap<String, String>,
}

/// Append `event` to its organisation's chain within `tx`.
pub async fn append(
    tx: &mut Transaction<'static, Sqlite>,
    event: Event<'_>,
) -> Result<LedgerEntry, sqlx::Error> {
    let last =
        sqlx::query("SELECT seq, hash FROM ledger WHERE org_id = ? ORDER BY seq DESC LIMIT 1")
            .bind(event.org_id)
            .fetch_optional(&mut **tx)
            .await?;
    let (seq, prev_hash) = match last {
        Some(r) => (
            u64::try_from(r.get::<i64, _>("seq")).unwrap_or(0) + 1,
            r.get::<String, _>("hash"),
        ),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = LedgerEntry {
        seq,
        id: ids::new_id("evt"),
        org_id: event.org_id.to_owned(),
        event_type: postq::ledger::EventType::parse(event.event_type),
        actor: event.actor.to_owned(),
        resource_id: event.resource_id.map(str::to_owned),
        occurred_at: ids::now(),
        details: event.details,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    sqlx::query(
        "INSERT INTO ledger (org_id, seq, id, event_type, actor, resource_id, occurred_at, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&entry.org_id)
    .bind(i64::try_from(entry.seq).unwrap_or(i64::MAX))
    .bind(&entry.id)
    .bind(entry.event_type.as_str())
    .bind(&entry.actor)
    .bind(&entry.resource_id)
    .bind(&entry.occurred_at)
    .bind(serde_json::to_string(&entry.details).unwrap_or_else(|_| "{}".into()))
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut **tx)
    .await?;
    Ok(entry)
}

/// Filters of `GET /v1/audit`.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub event_type: Option<String>,
    /// Inclusive lower bound, canonical RFC 3339.
    pub since: Option<String>,
    /// Exclusive upper bound, canonical RFC 3339.
    pub until: Option<String>,
    /// Only rows with `seq` greater than this (the cursor).
    pub after_seq: Option<u64>,
}

fn entry_from_row(r: &sqlx::sqlite::SqliteRow) -> LedgerEntry {
    LedgerEntry {
        seq: u64::try_from(r.get::<i64, _>("seq")).unwrap_or(0),
        id: r.get("id"),
        org_id: r.get("org_id"),
        event_type: postq::ledger::EventType::parse(r.get::<&str, _>("event_type")),
        actor: r.get("actor"),
        resource_id: r.get("resource_id"),
        occurred_at: r.get("occurred_at"),
        details: serde_json::from_str(&r.get::<String, _>("details")).unwrap_or_default(),
        prev_hash: r.get("prev_hash"),
        hash: r.get("hash"),
    }
}

impl Store {
    /// Append one event in its own transaction.
    pub async fn append_event(&self, event: Event<'_>) -> Result<LedgerEntry, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let entry = append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Rows of one organisation in ascending `seq`, filtered; up to `limit + 1` rows.
    pub async fn list_ledger(
        &self,
        org_id: &str,
        filter: &AuditFilter,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, sqlx::Error> {
        let after = i64::try_from(filter.after_seq.unwrap_or(0)).unwrap_or(i64::MAX);
        let rows = sqlx::query(
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
        .bind(&filter.event_type)
        .bind(&filter.event_type)
        .bind(&filter.since)
        .bind(&filter.since)
        .bind(&filter.until)
        .bind(&filter.until)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(entry_from_row).collect())
    }
}
