//! The dashboard's aggregates: targets and their newest scans, findings of those scans
//! by severity and code, risk over time, and tallies of keys and rollovers.
//!
//! Per-target and per-hour/minute counts are kept as scans are stored ([`count_scan`],
//! in the insert's transaction; tables from migration 0005), so the overview reads one
//! row per target and at most a few thousand per chart, never every scan: an
//! organisation with 100 000 scans renders within the benchmark's budget.

use postq::api::{CreateScanRequest, RiskLevel, RolloverStatus, Severity};
use sqlx::{Sqlite, Transaction};

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

/// Each target's newest scan and scan count: one row of `scan_targets` per target and
/// a primary-key lookup of its scan.
const TARGET_SELECT: &str =
    "SELECT s.id, s.type AS scan_type, s.target, s.risk_score, s.risk_level,
        s.created_at, t.scans
 FROM scan_targets t JOIN scans s ON s.id = t.latest_scan_id";

/// Findings of each target's newest scan by severity and code: the organisation's
/// `scan_targets` rows, then `findings_scan` per newest scan.
const TALLY_FINDINGS: &str = "SELECT f.severity, f.code, COUNT(*) AS findings
     FROM scan_targets t JOIN findings f ON f.scan_id = t.latest_scan_id
     WHERE t.org_id = ?
     GROUP BY f.severity, f.code";

/// Targets whose newest scan holds a finding with one of a list of codes (`?2`), and
/// how many of them hold one of a second list (`?1`).
const TARGETS_WITH_CODES: &str = "SELECT COUNT(DISTINCT f.scan_id),
        COUNT(DISTINCT CASE WHEN f.code IN (SELECT value FROM json_each(?)) THEN f.scan_id END)
     FROM scan_targets t JOIN findings f ON f.scan_id = t.latest_scan_id
     WHERE t.org_id = ? AND f.code IN (SELECT value FROM json_each(?))";

/// Risk levels that put a target at risk.
const AT_RISK: &str = "s.risk_level IN ('Critical', 'High')";

/// Scans per day from the hourly counts (at most 24 rows a day).
const RISK_BY_DAY: &str = "SELECT substr(hour, 1, 10) AS bucket, SUM(scans) AS scans,
        SUM(risk_sum) / SUM(scans) AS mean_risk
     FROM scan_risk_hourly WHERE org_id = ? AND hour >= ?
     GROUP BY bucket ORDER BY bucket";

/// Scans per hour.
const RISK_BY_HOUR: &str = "SELECT hour AS bucket, scans, risk_sum / scans AS mean_risk
     FROM scan_risk_hourly WHERE org_id = ? AND hour >= ? ORDER BY hour";

/// Scans per minute.
const RISK_BY_MINUTE: &str = "SELECT minute AS bucket, scans, risk_sum / scans AS mean_risk
     FROM scan_risk_minutely WHERE org_id = ? AND minute >= ? ORDER BY minute";

/// The width of a risk-over-time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BucketWidth {
    Day,
    Hour,
    Minute,
}

impl BucketWidth {
    /// How many leading characters of an RFC 3339 time name a bucket.
    fn chars(self) -> usize {
        match self {
            BucketWidth::Day => 10,
            BucketWidth::Hour => 13,
            BucketWidth::Minute => 16,
        }
    }

    pub(crate) fn unit(self) -> &'static str {
        match self {
            BucketWidth::Day => "day",
            BucketWidth::Hour => "hour",
            BucketWidth::Minute => "minute",
        }
    }
}

/// Count a newly stored scan into its target's row and its hour's and minute's risk
/// totals, inside the insert's transaction.
pub(super) async fn count_scan(
    tx: &mut Transaction<'static, Sqlite>,
    org_id: &str,
    scan: &CreateScanRequest,
    scan_id: &str,
    created_at: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO scan_targets (org_id, type, target, latest_scan_id, scans)
         VALUES (?, ?, ?, ?, 1)
         ON CONFLICT (org_id, type, target)
         DO UPDATE SET latest_scan_id = excluded.latest_scan_id, scans = scans + 1",
    )
    .bind(org_id)
    .bind(&scan.scan_type)
    .bind(&scan.target)
    .bind(scan_id)
    .execute(&mut **tx)
    .await?;
    for (table, column, width) in [
        ("scan_risk_hourly", "hour", BucketWidth::Hour),
        ("scan_risk_minutely", "minute", BucketWidth::Minute),
    ] {
        let bucket = created_at.get(..width.chars()).unwrap_or(created_at);
        sqlx::query(&format!(
            "INSERT INTO {table} (org_id, {column}, scans, risk_sum) VALUES (?, ?, 1, ?)
             ON CONFLICT (org_id, {column})
             DO UPDATE SET scans = scans + 1, risk_sum = risk_sum + excluded.risk_sum"
        ))
        .bind(org_id)
        .bind(bucket)
        .bind(scan.risk_score)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// How many targets the organisation has, and how many are at risk (newest scan
    /// Critical or High).
    pub(crate) async fn target_counts(&self, org_id: &str) -> StoreResult<(u64, u64)> {
        let (all, at_risk): (i64, Option<i64>) = sqlx::query_as(&format!(
            "SELECT COUNT(*), SUM({AT_RISK})
             FROM scan_targets t JOIN scans s ON s.id = t.latest_scan_id WHERE t.org_id = ?"
        ))
        .bind(org_id)
        .fetch_one(&self.reader)
        .await?;
        Ok((count(all), count(at_risk.unwrap_or(0))))
    }

    /// The `limit` riskiest targets at risk, riskiest (then newest) first.
    pub(crate) async fn riskiest_targets(
        &self,
        org_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<TargetSummary>> {
        let rows: Vec<TargetRow> = sqlx::query_as(&format!(
            "{TARGET_SELECT} WHERE t.org_id = ? AND {AT_RISK}
             ORDER BY s.risk_score DESC, s.id DESC LIMIT ?"
        ))
        .bind(org_id)
        .bind(i64::from(limit))
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
                    "{TARGET_SELECT} WHERE t.org_id = ? AND (t.type, t.target) > (?, ?)
                     ORDER BY t.type, t.target LIMIT ?"
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
                    "{TARGET_SELECT} WHERE t.org_id = ? ORDER BY t.type, t.target LIMIT ?"
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

    /// Findings of each target's newest scan ("open" findings), by severity and code.
    pub(crate) async fn tally_open_findings(&self, org_id: &str) -> StoreResult<Vec<FindingTally>> {
        let rows: Vec<TallyRow> = sqlx::query_as(TALLY_FINDINGS)
            .bind(org_id)
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

    /// How many targets' newest scans hold a finding with one of `any_of` codes, and how
    /// many of those hold one with one of `good` codes.
    pub(crate) async fn targets_with_codes(
        &self,
        org_id: &str,
        any_of: &[&str],
        good: &[&str],
    ) -> StoreResult<(u64, u64)> {
        let (all, good): (i64, i64) = sqlx::query_as(TARGETS_WITH_CODES)
            .bind(json_text(&good))
            .bind(org_id)
            .bind(json_text(&any_of))
            .fetch_one(&self.reader)
            .await?;
        Ok((count(all), count(good)))
    }

    /// The hour (`2026-11-22T06`) of the organisation's first scan at or after `since`.
    pub(crate) async fn first_scan_hour(
        &self,
        org_id: &str,
        since: &str,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(hour) FROM scan_risk_hourly WHERE org_id = ? AND hour >= ?",
        )
        .bind(org_id)
        .bind(since.get(..13).unwrap_or(since))
        .fetch_one(&self.reader)
        .await?)
    }

    /// Scans since `since`, in buckets of `width`, oldest first.
    pub(crate) async fn risk_buckets(
        &self,
        org_id: &str,
        since: &str,
        width: BucketWidth,
    ) -> StoreResult<Vec<RiskBucket>> {
        let (sql, chars) = match width {
            BucketWidth::Day => (RISK_BY_DAY, 13),
            BucketWidth::Hour => (RISK_BY_HOUR, 13),
            BucketWidth::Minute => (RISK_BY_MINUTE, 16),
        };
        let rows: Vec<BucketRow> = sqlx::query_as(sql)
            .bind(org_id)
            .bind(since.get(..chars).unwrap_or(since))
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

    /// The overview's aggregates read the count tables and indexes, never every scan:
    /// what the benchmark's budget rests on.
    #[tokio::test]
    async fn aggregates_read_indexes() {
        let store = Store::open_memory().await.unwrap();
        let p = plan(
            &store,
            &format!("{TARGET_SELECT} WHERE t.org_id = ?"),
            &["org"],
        )
        .await;
        assert!(
            p.contains("SEARCH t USING INDEX sqlite_autoindex_scan_targets_1 (org_id=?)"),
            "{p}"
        );
        assert!(
            p.contains("SEARCH s USING INDEX sqlite_autoindex_scans_1 (id=?)"),
            "{p}"
        );
        let p = plan(&store, TALLY_FINDINGS, &["[]"]).await;
        assert!(p.contains("USING INDEX findings_scan (scan_id=?)"), "{p}");
        for sql in [RISK_BY_DAY, RISK_BY_HOUR, RISK_BY_MINUTE] {
            let p = plan(&store, sql, &["org", "2026"]).await;
            assert!(p.contains("SEARCH scan_risk_"), "{p}");
            assert!(!p.contains("scans"), "{p}");
        }
    }

    /// The counts follow inserts: a target's newest scan and count, hour and minute sums.
    #[tokio::test]
    async fn counts_follow_inserts() {
        let store = Store::open_memory().await.unwrap();
        let org = store.ensure_org("o").await.unwrap();
        let scan =
            |target: &str, risk: f64| CreateScanRequest::new("url", target, risk, RiskLevel::High);
        store.insert_scan(&org, &scan("a", 80.0)).await.unwrap();
        let (newest, _) = store.insert_scan(&org, &scan("a", 40.0)).await.unwrap();
        store.insert_scan(&org, &scan("b", 30.0)).await.unwrap();
        let targets = store.targets_page(&org, None, 10).await.unwrap();
        assert_eq!(targets.len(), 2);
        assert_eq!(store.target_counts(&org).await.unwrap(), (2, 2));
        let a = targets.iter().find(|t| t.target == "a").unwrap();
        assert_eq!(
            (a.scans, a.latest_id.as_str(), a.latest_risk_score),
            (2, newest.id.as_str(), 40.0)
        );
        let minutes = store
            .risk_buckets(&org, "2000-01-01T00:00:00.000Z", BucketWidth::Minute)
            .await
            .unwrap();
        let total: u64 = minutes.iter().map(|b| b.scans).sum();
        assert_eq!(total, 3);
        let days = store
            .risk_buckets(&org, "2000-01-01T00:00:00.000Z", BucketWidth::Day)
            .await
            .unwrap();
        let scans: u64 = days.iter().map(|b| b.scans).sum();
        let risk: f64 = days.iter().map(|b| b.mean_risk * b.scans as f64).sum();
        assert_eq!(scans, 3);
        assert!((risk - 150.0).abs() < 1e-9);
        let first = store
            .first_scan_hour(&org, "2000-01-01T00:00:00.000Z")
            .await
            .unwrap()
            .unwrap();
        assert!(newest.created_at.starts_with(&first) || first < newest.created_at);
        assert!(
            store
                .first_scan_hour(&org, "2999-01-01T00:00:00.000Z")
                .await
                .unwrap()
                .is_none()
        );
    }
}
