//! Storage of hybrid TLS rollovers (issue 4): public material only — the certificate,
//! its binding, serial, plan, status and history. Every state change appends its ledger
//! row in the same transaction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::ids;
use crate::ledger::{self, Event};
use crate::store::Store;

/// One plan stage, as stored and returned.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanStage {
    pub status: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_hours: Option<u32>,
}

/// One transition in a rollover's history.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub from: Option<String>,
    pub to: String,
    pub at: String,
}

#[derive(Debug, Clone)]
pub struct RolloverRow {
    pub id: String,
    pub finding_id: String,
    pub scan_id: String,
    pub hostname: String,
    pub status: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub certificate_pem: String,
    pub binding: String,
    pub pq_public_key_fingerprint: String,
    pub observation_window_hours: u32,
    pub plan: Vec<PlanStage>,
    pub history: Vec<HistoryEntry>,
    pub created_at: String,
    pub updated_at: String,
}

/// What a create stores (no private key: there is no field for one).
#[derive(Debug, Clone)]
pub struct NewRollover {
    pub finding_id: String,
    pub scan_id: String,
    pub hostname: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub certificate_pem: String,
    pub binding: String,
    pub pq_public_key_fingerprint: String,
    pub observation_window_hours: u32,
    pub plan: Vec<PlanStage>,
}

/// The outcome of a transition or rollback.
#[derive(Debug)]
pub enum Move {
    Done(Box<RolloverRow>),
    NotFound,
    /// Not allowed from the current status (named).
    Invalid(String),
}

/// The forward step from a status, if any.
pub fn next_status(status: &str) -> Option<&'static str> {
    match status {
        "planned" => Some("observation"),
        "observation" => Some("cutover"),
        "cutover" => Some("completed"),
        _ => None,
    }
}

/// `completed` and `rolled_back` are terminal.
pub fn is_terminal(status: &str) -> bool {
    matches!(status, "completed" | "rolled_back")
}

const COLUMNS: &str = "id, finding_id, scan_id, hostname, status, serial, not_before, not_after,
    certificate_pem, binding, pq_public_key_fingerprint, observation_window_hours, plan, history,
    created_at, updated_at";

fn row_of(r: &sqlx::sqlite::SqliteRow) -> RolloverRow {
    RolloverRow {
        id: r.get("id"),
        finding_id: r.get("finding_id"),
        scan_id: r.get("scan_id"),
        hostname: r.get("hostname"),
        status: r.get("status"),
        serial: r.get("serial"),
        not_before: r.get("not_before"),
        not_after: r.get("not_after"),
        certificate_pem: r.get("certificate_pem"),
        binding: r.get("binding"),
        pq_public_key_fingerprint: r.get("pq_public_key_fingerprint"),
        observation_window_hours: u32::try_from(r.get::<i64, _>("observation_window_hours"))
            .unwrap_or(0),
        plan: serde_json::from_str(&r.get::<String, _>("plan")).unwrap_or_default(),
        history: serde_json::from_str(&r.get::<String, _>("history")).unwrap_or_default(),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// Store a new rollover in `planned` with its `rollover.create` ledger row.
    pub async fn insert_rollover(
        &self,
        org_id: &str,
        actor: &str,
        new: NewRollover,
    ) -> Result<RolloverRow, sqlx::Error> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let id = ids::new_id("tlsr");
        let history = vec![HistoryEntry {
            from: None,
            to: "planned".to_owned(),
            at: now.clone(),
        }];
        let sql = format!(
            "INSERT INTO tls_rollovers (org_id, {COLUMNS})
             VALUES (?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        );
        sqlx::query(&sql)
            .bind(org_id)
            .bind(&id)
            .bind(&new.finding_id)
            .bind(&new.scan_id)
            .bind(&new.hostname)
            .bind(&new.serial)
            .bind(&new.not_before)
            .bind(&new.not_after)
            .bind(&new.certificate_pem)
            .bind(&new.binding)
            .bind(&new.pq_public_key_fingerprint)
            .bind(i64::from(new.observation_window_hours))
            .bind(json(&new.plan))
            .bind(json(&history))
            .bind(&now)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        let details: BTreeMap<String, String> = [
            ("hostname", new.hostname.clone()),
            ("findingId", new.finding_id.clone()),
            ("serial", new.serial.clone()),
            (
                "pqPublicKeyFingerprint",
                new.pq_public_key_fingerprint.clone(),
            ),
            ("to", "planned".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type: "rollover.create",
                actor,
                resource_id: Some(&id),
                details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(RolloverRow {
            id,
            finding_id: new.finding_id,
            scan_id: new.scan_id,
            hostname: new.hostname,
            status: "planned".to_owned(),
            serial: new.serial,
            not_before: new.not_before,
            not_after: new.not_after,
            certificate_pem: new.certificate_pem,
            binding: new.binding,
            pq_public_key_fingerprint: new.pq_public_key_fingerprint,
            observation_window_hours: new.observation_window_hours,
            plan: new.plan,
            history,
            created_at: now.clone(),
            updated_at: now,
        })
    }

    pub async fn get_rollover(
        &self,
        org_id: &str,
        id: &str,
    ) -> Result<Option<RolloverRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM tls_rollovers WHERE org_id = ? AND id = ?");
        Ok(sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(row_of))
    }

    /// Newest first, keyset-paginated by id; up to `limit + 1` rows.
    pub async fn list_rollovers(
        &self,
        org_id: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<RolloverRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tls_rollovers WHERE org_id = ? AND (? IS NULL OR id < ?)
             ORDER BY id DESC LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(before)
            .bind(before)
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.iter().map(row_of).collect())
    }

    /// Move a rollover to `to` if `allowed(current)`; one ledger row (`event_type`,
    /// details `from`, `to`) in the same transaction.
    pub async fn move_rollover(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        to: &str,
        event_type: &str,
        allowed: impl FnOnce(&str) -> bool,
    ) -> Result<Move, sqlx::Error> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {COLUMNS} FROM tls_rollovers WHERE org_id = ? AND id = ?");
        let Some(r) = sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(Move::NotFound);
        };
        let mut row = row_of(&r);
        if !allowed(&row.status) {
            return Ok(Move::Invalid(row.status));
        }
        let from = std::mem::replace(&mut row.status, to.to_owned());
        row.history.push(HistoryEntry {
            from: Some(from.clone()),
            to: to.to_owned(),
            at: now.clone(),
        });
        row.updated_at = now.clone();
        sqlx::query(
            "UPDATE tls_rollovers SET status = ?, history = ?, updated_at = ?
             WHERE id = ? AND org_id = ? AND status = ?",
        )
        .bind(to)
        .bind(json(&row.history))
        .bind(&now)
        .bind(id)
        .bind(org_id)
        .bind(&from)
        .execute(&mut *tx)
        .await?;
        let details: BTreeMap<String, String> = [("from", from), ("to", to.to_owned())]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        ledger::append(
            &mut tx,
            Event {
                org_id,
                event_type,
                actor,
                resource_id: Some(id),
                details,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Move::Done(Box::new(row)))
    }
}
