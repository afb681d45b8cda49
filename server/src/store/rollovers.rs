//! Hybrid TLS rollovers (`tls_rollovers`): public material only — the certificate, its
//! binding, serial, plan, status and history. Every state change appends its ledger row
//! in the same transaction; which changes are allowed is core's state machine
//! (`RolloverStatus::can_move_to`).

use std::collections::BTreeMap;

use postq::api::{ARTIFACTS, HistoryEntry, PlanStage, Rollover, RolloverStatus};
use postq::ledger::EventType;

use super::ledger::{Event, append};
use super::{Store, StoreResult, int, json_text, page_rows, stored_enum, stored_json};
use crate::ids;

#[derive(sqlx::FromRow)]
struct RolloverRow {
    id: String,
    finding_id: String,
    scan_id: String,
    hostname: String,
    status: String,
    serial: String,
    not_before: String,
    not_after: String,
    certificate_pem: String,
    binding: String,
    pq_public_key_fingerprint: String,
    observation_window_hours: u32,
    plan: String,
    history: String,
    created_at: String,
    updated_at: String,
}

const COLUMNS: &str = "id, finding_id, scan_id, hostname, status, serial, not_before, not_after,
    certificate_pem, binding, pq_public_key_fingerprint, observation_window_hours, plan, history,
    created_at, updated_at";

const TABLE: &str = "tls_rollovers";

impl RolloverRow {
    fn into_rollover(self) -> StoreResult<Rollover> {
        Ok(Rollover {
            status: stored_enum(TABLE, &self.id, "status", &self.status)?,
            plan: stored_json(TABLE, &self.id, "plan", &self.plan)?,
            history: stored_json(TABLE, &self.id, "history", &self.history)?,
            id: self.id,
            hostname: self.hostname,
            finding_id: self.finding_id,
            scan_id: self.scan_id,
            serial: self.serial,
            not_before: self.not_before,
            not_after: self.not_after,
            certificate_pem: self.certificate_pem,
            binding: self.binding,
            pq_public_key_fingerprint: self.pq_public_key_fingerprint,
            observation_window_hours: self.observation_window_hours,
            artifacts: ARTIFACTS.iter().map(|a| (*a).to_owned()).collect(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// What a create stores (no private key: there is no field for one).
#[derive(Debug, Clone)]
pub(crate) struct NewRollover {
    pub(crate) finding_id: String,
    pub(crate) scan_id: String,
    pub(crate) hostname: String,
    pub(crate) serial: String,
    pub(crate) not_before: String,
    pub(crate) not_after: String,
    pub(crate) certificate_pem: String,
    pub(crate) binding: String,
    pub(crate) pq_public_key_fingerprint: String,
    pub(crate) observation_window_hours: u32,
    pub(crate) plan: Vec<PlanStage>,
}

/// The outcome of a transition or rollback.
#[derive(Debug)]
pub(crate) enum Move {
    Done(Box<Rollover>),
    NotFound,
    /// Not allowed from the current status.
    Invalid(RolloverStatus),
}

fn details(pairs: [(&str, &str); 2]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

impl Store {
    /// Store a new rollover in `planned` with its `rollover.create` ledger row.
    pub(crate) async fn insert_rollover(
        &self,
        org_id: &str,
        actor: &str,
        new: NewRollover,
    ) -> StoreResult<Rollover> {
        let now = ids::now();
        let status = RolloverStatus::Planned;
        let mut tx = self.begin_write().await?;
        let id = ids::new_id("tlsr");
        let history = vec![HistoryEntry {
            from: None,
            to: status,
            at: now.clone(),
        }];
        sqlx::query(&format!(
            "INSERT INTO tls_rollovers (org_id, {COLUMNS})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(org_id)
        .bind(&id)
        .bind(&new.finding_id)
        .bind(&new.scan_id)
        .bind(&new.hostname)
        .bind(status.as_str())
        .bind(&new.serial)
        .bind(&new.not_before)
        .bind(&new.not_after)
        .bind(&new.certificate_pem)
        .bind(&new.binding)
        .bind(&new.pq_public_key_fingerprint)
        .bind(int(new.observation_window_hours))
        .bind(json_text(&new.plan))
        .bind(json_text(&history))
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
            ("to", status.as_str().to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        append(
            &mut tx,
            Event {
                org_id,
                event_type: EventType::RolloverCreate,
                actor,
                resource_id: Some(&id),
                details,
            },
        )
        .await?;
        super::commit(tx).await?;
        Ok(Rollover {
            id,
            status,
            hostname: new.hostname,
            finding_id: new.finding_id,
            scan_id: new.scan_id,
            serial: new.serial,
            not_before: new.not_before,
            not_after: new.not_after,
            certificate_pem: new.certificate_pem,
            binding: new.binding,
            pq_public_key_fingerprint: new.pq_public_key_fingerprint,
            observation_window_hours: new.observation_window_hours,
            plan: new.plan,
            artifacts: ARTIFACTS.iter().map(|a| (*a).to_owned()).collect(),
            history,
            created_at: now.clone(),
            updated_at: now,
        })
    }

    pub(crate) async fn get_rollover(
        &self,
        org_id: &str,
        id: &str,
    ) -> StoreResult<Option<Rollover>> {
        let row: Option<RolloverRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM tls_rollovers WHERE org_id = ? AND id = ?"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        row.map(RolloverRow::into_rollover).transpose()
    }

    /// Newest first, keyset-paginated by id; up to `limit + 1` rows.
    pub(crate) async fn list_rollovers(
        &self,
        org_id: &str,
        before: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Rollover>> {
        let rows: Vec<RolloverRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM tls_rollovers WHERE org_id = ? AND (? IS NULL OR id < ?)
             ORDER BY id DESC LIMIT ?"
        ))
        .bind(org_id)
        .bind(before)
        .bind(before)
        .bind(page_rows(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(RolloverRow::into_rollover).collect()
    }

    /// Move a rollover to `to` if core's state machine allows it from the current
    /// status; one ledger row (`rollover.rollback` for a rollback, else
    /// `rollover.transition`, details `from` and `to`) in the same transaction.
    pub(crate) async fn move_rollover(
        &self,
        org_id: &str,
        actor: &str,
        id: &str,
        to: RolloverStatus,
    ) -> StoreResult<Move> {
        let now = ids::now();
        let mut tx = self.begin_write().await?;
        let row: Option<RolloverRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM tls_rollovers WHERE org_id = ? AND id = ?"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Move::NotFound);
        };
        let mut rollover = row.into_rollover()?;
        let from = rollover.status;
        if !from.can_move_to(to) {
            return Ok(Move::Invalid(from));
        }
        rollover.status = to;
        rollover.history.push(HistoryEntry {
            from: Some(from),
            to,
            at: now.clone(),
        });
        rollover.updated_at = now.clone();
        sqlx::query(
            "UPDATE tls_rollovers SET status = ?, history = ?, updated_at = ?
             WHERE id = ? AND org_id = ? AND status = ?",
        )
        .bind(to.as_str())
        .bind(json_text(&rollover.history))
        .bind(&now)
        .bind(id)
        .bind(org_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        let event_type = if to == RolloverStatus::RolledBack {
            EventType::RolloverRollback
        } else {
            EventType::RolloverTransition
        };
        append(
            &mut tx,
            Event {
                org_id,
                event_type,
                actor,
                resource_id: Some(id),
                details: details([("from", from.as_str()), ("to", to.as_str())]),
            },
        )
        .await?;
        super::commit(tx).await?;
        Ok(Move::Done(Box::new(rollover)))
    }
}
