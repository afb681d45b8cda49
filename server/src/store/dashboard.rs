//! The dashboard's aggregate reads: targets and their newest scans, findings of those
//! scans by severity and code, risk over time, and tallies of keys and rollovers.
//!
//! Each is an index range (migration 0004: `scans(org_id, type, target, id)`,
//! `scans(org_id, created_at, risk_score)`), never a load of every scan: the overview
//! of an organisation with 100 000 scans stays within its benchmark budget.

use postq::api::{RiskLevel, RolloverStatus, Severity};

use super::scans::{SCAN_COLUMNS, ScanRow};
use super::{ScanRecord, Store, StoreResult, json_text, stored_enum};

/// A target (one `type` + `target` pair) with its newest scan.
#[derive(Debug, Clone)]
pub(crate) struct TargetSummary {
    pub(crate) scan_type: String,
    pub(crate) target: String,
    /// Scans of this target in all.
    pub(crate) scans: u64,
    pub(crate) latest_id: String,
    pub(crate) latest_risk_score: f64,
    pub(crate) latest_risk_level: RiskLevel,
    pub(crate) latest_at: String,
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    id: String,
    scan_type: String,
    target: String,
    risk_score: f64,
    risk_level: String,
    created_at: String,
    scans: i64,
}

impl TargetRow {
    fn into_summary(self) -> StoreResult<TargetSummary> {
        Ok(TargetSummary {
            latest_risk_level: stored_enum("scans", &self.id, "risk_level", &self.risk_level)?,
            scan_type: self.scan_type,
            target: self.target,
            scans: u64::try_from(self.scans).unwrap_or(0),
            latest_id: self.id,
            latest_risk_score: self.risk_score,
            latest_at: self.created_at,
        })
    }
}

/// Findings of one severity and code among a set of scans.
#[derive(Debug, Clone)]
pub(crate) struct FindingTally {
    pub(crate) severity: Severity,
    pub(crate) code: Option<String>,
    pub(crate) findings: u64,
}

#[derive(sqlx::FromRow)]
struct TallyRow {
    severity: String,
    code: Option<String>,
    findings: i64,
}

/// Scans submitted in one time bucket.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RiskBucket {
    /// The bucket's first characters of `createdAt` (a day, an hour or a minute).
    pub(crate) bucket: String,
    pub(crate) scans: u64,
    pub(crate) mean_risk: f64,
}

#[derive(sqlx::FromRow)]
struct BucketRow {
    bucket: String,
    scans: i64,
    mean_risk: f64,
}

/// Each target's newest scan and scan count: one pass over `scans_org_target`.
const LATEST_PER_TARGET: &str = "WITH latest AS (
     SELECT MAX(id) AS id, COUNT(*) AS scans FROM scans
     WHERE org_id = ? GROUP BY type, target)";

/// Findings of a set of scans by severity and code (`findings_scan` per scan).
const TALLY_FINDINGS: &str = "SELECT severity, code, COUNT(*) AS findings
     FROM findings WHERE scan_id IN (SELECT value FROM json_each(?))
     GROUP BY severity, code";

/// Scans per time bucket: a covering range of `scans_org_created`.
const RISK_BUCKETS: &str = "SELECT substr(created_at, 1, ?) AS bucket, COUNT(*) AS scans,
        AVG(risk_score) AS mean_risk
     FROM scans WHERE org_id = ? AND created_at >= ?
     GROUP BY bucket ORDER BY bucket";

const TARGET_SELECT: &str =
    "SELECT s.id, s.type AS scan_type, s.target, s.risk_score, s.risk_level,
        s.created_at, latest.scans
 FROM latest JOIN scans s ON s.id = latest.id";

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Every target of an organisation with its newest scan (one pass over the
    /// `(org_id, type, target, id)` index).
    pub(crate) async fn latest_per_target(&self, org_id: &str) -> StoreResult<Vec<TargetSummary>> {
        let rows: Vec<TargetRow> = sqlx::query_as(&format!("{LATEST_PER_TARGET} {TARGET_SELECT}"))
        .bind(org_id)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(TargetRow::into_summary).collect()
    }

    /// One page of targets ordered by `(type, target)`, after `after` (keyset: the page
    /// at any depth is one index range). Up to `limit + 1` rows.
    pub(crate) async fn targets_page(
        &self,
        org_id: &str,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> StoreResult<Vec<TargetSummary>> {
        let rows: Vec<TargetRow> = match after {
            Some((scan_type, target)) => {
                sqlx::query_as(&format!(
                    "WITH latest AS (
                         SELECT MAX(id) AS id, COUNT(*) AS scans FROM scans
                         WHERE org_id = ? AND (type, target) > (?, ?)
                         GROUP BY type, target ORDER BY type, target LIMIT ?)
                     {TARGET_SELECT} ORDER BY s.type, s.target"
                ))
                .bind(org_id)
                .bind(scan_type)
                .bind(target)
                .bind(super::page_rows(limit))
                .fetch_all(&self.reader)
                .await?
            }
            None => {
                sqlx::query_as(&format!(
                    "WITH latest AS (
                         SELECT MAX(id) AS id, COUNT(*) AS scans FROM scans
                         WHERE org_id = ? GROUP BY type, target ORDER BY type, target LIMIT ?)
                     {TARGET_SELECT} ORDER BY s.type, s.target"
                ))
                .bind(org_id)
                .bind(super::page_rows(limit))
                .fetch_all(&self.reader)
                .await?
            }
        };
        rows.into_iter().map(TargetRow::into_summary).collect()
    }

    /// Scans of one target, newest first, before `before` (an id); up to `limit + 1`.
    pub(crate) async fn target_history(
        &self,
        org_id: &str,
        scan_type: &str,
        target: &str,
        before: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ScanRecord>> {
        let rows: Vec<ScanRow> = sqlx::query_as(&format!(
            "SELECT {SCAN_COLUMNS} FROM scans
             WHERE org_id = ? AND type = ? AND target = ? AND id < ?
             ORDER BY id DESC LIMIT ?"
        ))
        .bind(org_id)
        .bind(scan_type)
        .bind(target)
        // Ids are `scan_` + ULID: every one sorts below `scan_~`.
        .bind(before.unwrap_or("scan_~"))
        .bind(super::page_rows(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(ScanRow::into_record).collect()
    }

    /// Findings of the given scans, counted by severity and code.
    pub(crate) async fn tally_findings(&self, scan_ids: &[&str]) -> StoreResult<Vec<FindingTally>> {
        let rows: Vec<TallyRow> = sqlx::query_as(TALLY_FINDINGS)
        .bind(json_text(&scan_ids))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(FindingTally {
                    severity: stored_enum("findings", "(tally)", "severity", &r.severity)?,
                    code: r.code,
                    findings: count(r.findings),
                })
            })
            .collect()
    }

    /// How many of the given scans hold a finding with one of `any_of` codes, and how
    /// many of those hold one with one of `good` codes.
    pub(crate) async fn scans_with_codes(
        &self,
        scan_ids: &[&str],
        any_of: &[&str],
        good: &[&str],
    ) -> StoreResult<(u64, u64)> {
        let (all, good): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(DISTINCT scan_id),
                    COUNT(DISTINCT CASE WHEN code IN (SELECT value FROM json_each(?)) THEN scan_id END)
             FROM findings
             WHERE scan_id IN (SELECT value FROM json_each(?))
               AND code IN (SELECT value FROM json_each(?))",
        )
        .bind(json_text(&good))
        .bind(json_text(&scan_ids))
        .bind(json_text(&any_of))
        .fetch_one(&self.reader)
        .await?;
        Ok((count(all), count(good)))
    }

    /// When the organisation's first scan at or after `since` was submitted.
    pub(crate) async fn first_scan_since(
        &self,
        org_id: &str,
        since: &str,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(created_at) FROM scans WHERE org_id = ? AND created_at >= ?",
        )
        .bind(org_id)
        .bind(since)
        .fetch_one(&self.reader)
        .await?)
    }

    /// Scans since `since`, bucketed by the first `prefix_len` characters of their
    /// `createdAt` (10 = day, 13 = hour, 16 = minute), oldest bucket first.
    pub(crate) async fn risk_buckets(
        &self,
        org_id: &str,
        since: &str,
        prefix_len: u32,
    ) -> StoreResult<Vec<RiskBucket>> {
        let rows: Vec<BucketRow> = sqlx::query_as(RISK_BUCKETS)
        .bind(i64::from(prefix_len))
        .bind(org_id)
        .bind(since)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| RiskBucket {
                bucket: r.bucket,
                scans: count(r.scans),
                mean_risk: r.mean_risk,
            })
            .collect())
    }

    /// Managed keys in all, and those of `algorithm`.
    pub(crate) async fn key_tally(&self, org_id: &str, algorithm: &str) -> StoreResult<(u64, u64)> {
        let (all, matching): (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), SUM(algorithm = ?) FROM hybrid_keys WHERE org_id = ?")
                .bind(algorithm)
                .bind(org_id)
                .fetch_one(&self.reader)
                .await?;
        Ok((count(all), count(matching.unwrap_or(0))))
    }

    /// Rollovers by status.
    pub(crate) async fn rollover_tally(
        &self,
        org_id: &str,
    ) -> StoreResult<Vec<(RolloverStatus, u64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM tls_rollovers WHERE org_id = ? GROUP BY status",
        )
        .bind(org_id)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(|(status, n)| {
                Ok((
                    stored_enum("tls_rollovers", "(tally)", "status", &status)?,
                    count(n),
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan SQLite chooses for `sql` with `binds`, one line per step.
    async fn plan(store: &Store, sql: &str, binds: &[&str]) -> String {
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(&store.reader)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.3)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The overview's aggregates are index ranges, never a scan of the table: what the
    /// benchmark's budget rests on.
    #[tokio::test]
    async fn aggregates_read_indexes() {
        let store = Store::open_memory().await.unwrap();
        let p = plan(&store, &format!("{LATEST_PER_TARGET} {TARGET_SELECT}"), &["org"]).await;
        assert!(p.contains("USING COVERING INDEX scans_org_target (org_id=?)"), "{p}");
        let p = plan(&store, TALLY_FINDINGS, &["[]"]).await;
        assert!(p.contains("USING INDEX findings_scan (scan_id=?)"), "{p}");
        let p = plan(&store, RISK_BUCKETS, &["10", "org", "2026"]).await;
        assert!(
            p.contains("USING COVERING INDEX scans_org_created (org_id=? AND created_at>?)"),
            "{p}"
        );
        for sql in [TALLY_FINDINGS, RISK_BUCKETS] {
            let p = plan(&store, sql, &["10", "org", "2026"]).await;
            assert!(!p.contains("SCAN scans") && !p.contains("SCAN findings"), "{p}");
        }
    }
}
