//! Scans and their findings (`scans`, `findings`).

use postq::api::{CreateScanRequest, Finding, RiskLevel, Scan, ScanSummary};
use serde_json::Value;

use super::{Store, StoreResult, page_rows, stored_enum, stored_json};
use crate::finding_codes::code_from_title;
use crate::ids;

/// A scan as stored, with its enums read.
#[derive(Debug, Clone)]
pub(crate) struct ScanRecord {
    pub(crate) id: String,
    pub(crate) scan_type: String,
    pub(crate) target: String,
    pub(crate) risk_score: f64,
    pub(crate) risk_level: RiskLevel,
    pub(crate) source: String,
    pub(crate) metadata: Value,
    pub(crate) created_at: String,
}

impl ScanRecord {
    /// The wire form with its findings.
    pub(crate) fn into_scan(self, url: String, findings: Vec<Finding>) -> Scan {
        Scan {
            id: self.id,
            url,
            scan_type: self.scan_type,
            target: self.target,
            risk_score: self.risk_score,
            risk_level: self.risk_level,
            source: Some(self.source),
            metadata: self.metadata,
            findings,
            created_at: self.created_at,
        }
    }

    /// The list form: metadata and findings only when asked for.
    pub(crate) fn into_summary(
        self,
        url: String,
        with_metadata: bool,
        findings: Option<Vec<Finding>>,
    ) -> ScanSummary {
        ScanSummary {
            id: self.id,
            url: Some(url),
            scan_type: self.scan_type,
            target: self.target,
            risk_score: self.risk_score,
            risk_level: self.risk_level,
            source: Some(self.source),
            created_at: self.created_at,
            metadata: with_metadata.then_some(self.metadata),
            findings,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ScanRow {
    id: String,
    scan_type: String,
    target: String,
    risk_score: f64,
    risk_level: String,
    source: String,
    metadata: String,
    created_at: String,
}

pub(super) const SCAN_COLUMNS: &str =
    "id, type AS scan_type, target, risk_score, risk_level, source, metadata, created_at";

impl ScanRow {
    pub(super) fn into_record(self) -> StoreResult<ScanRecord> {
        Ok(ScanRecord {
            risk_level: stored_enum("scans", &self.id, "risk_level", &self.risk_level)?,
            metadata: stored_json("scans", &self.id, "metadata", &self.metadata)?,
            id: self.id,
            scan_type: self.scan_type,
            target: self.target,
            risk_score: self.risk_score,
            source: self.source,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct FindingRow {
    id: String,
    severity: String,
    title: String,
    code: Option<String>,
    description: Option<String>,
    evidence: Option<String>,
}

const FINDING_COLUMNS: &str = "id, severity, title, code, description, evidence";

impl FindingRow {
    fn into_finding(self) -> StoreResult<Finding> {
        Ok(Finding {
            severity: stored_enum("findings", &self.id, "severity", &self.severity)?,
            id: self.id,
            title: self.title,
            code: self.code,
            description: self.description,
            evidence: self.evidence,
        })
    }
}

/// A finding with the scan it belongs to (the TLS rollover starts from one).
#[derive(sqlx::FromRow)]
struct FindingInScanRow {
    #[sqlx(flatten)]
    finding: FindingRow,
    scan_id: String,
    scan_type: String,
}

/// A finding, its scan's id and its scan's type.
#[derive(Debug, Clone)]
pub(crate) struct FindingInScan {
    pub(crate) finding: Finding,
    pub(crate) scan_id: String,
    pub(crate) scan_type: String,
}

/// The `meta` key recording that stored findings got their codes (once per database).
const CODES_BACKFILLED: &str = "finding_codes_backfilled";

impl Store {
    /// Insert a scan and its findings (as given: defaults and codes are the caller's
    /// business) in one transaction. The id is drawn while the single writer
    /// connection is held, so id order is commit order: a reader paging by id can never
    /// miss a scan that commits later with a smaller id.
    pub(crate) async fn insert_scan(
        &self,
        org_id: &str,
        scan: &CreateScanRequest,
    ) -> StoreResult<(ScanRecord, Vec<Finding>)> {
        let mut tx = self.begin_write().await?;
        let id = ids::new_id("scan");
        let created_at = ids::now();
        let metadata = Value::Object(scan.metadata.clone().unwrap_or_default());
        let source = scan.source.clone().unwrap_or_default();
        sqlx::query(
            "INSERT INTO scans (id, org_id, type, target, risk_score, risk_level, source, metadata, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(&scan.scan_type)
        .bind(&scan.target)
        .bind(scan.risk_score)
        .bind(wire_name(&scan.risk_level))
        .bind(&source)
        .bind(super::json_text(&metadata))
        .bind(&created_at)
        .execute(&mut *tx)
        .await?;
        let mut findings = Vec::with_capacity(scan.findings.len());
        for (pos, f) in scan.findings.iter().enumerate() {
            let fid = ids::new_id("fnd");
            sqlx::query(
                "INSERT INTO findings (id, scan_id, org_id, position, severity, title, code, description, evidence)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&fid)
            .bind(&id)
            .bind(org_id)
            .bind(i64::try_from(pos).unwrap_or(i64::MAX))
            .bind(wire_name(&f.severity))
            .bind(&f.title)
            .bind(&f.code)
            .bind(&f.description)
            .bind(&f.evidence)
            .execute(&mut *tx)
            .await?;
            findings.push(Finding {
                id: fid,
                severity: f.severity,
                title: f.title.clone(),
                code: f.code.clone(),
                description: f.description.clone(),
                evidence: f.evidence.clone(),
            });
        }
        super::dashboard::count_scan(&mut tx, org_id, scan, &id, &created_at).await?;
        super::commit(tx).await?;
        let record = ScanRecord {
            id,
            scan_type: scan.scan_type.clone(),
            target: scan.target.clone(),
            risk_score: scan.risk_score,
            risk_level: scan.risk_level,
            source,
            metadata,
            created_at,
        };
        Ok((record, findings))
    }

    /// Newest first; `before` is the last id of the previous page (keyset pagination:
    /// one index range scan, whatever the depth). Up to `limit + 1` rows.
    pub(crate) async fn list_scans(
        &self,
        org_id: &str,
        before: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ScanRecord>> {
        // Two statements rather than `(? IS NULL OR id < ?)`: each is one index range
        // scan on (org_id, id), which the benchmark holds to.
        let rows: Vec<ScanRow> = match before {
            Some(b) => {
                sqlx::query_as(&format!(
                    "SELECT {SCAN_COLUMNS} FROM scans WHERE org_id = ? AND id < ?
                     ORDER BY id DESC LIMIT ?"
                ))
                .bind(org_id)
                .bind(b)
                .bind(page_rows(limit))
                .fetch_all(&self.reader)
                .await?
            }
            None => {
                sqlx::query_as(&format!(
                    "SELECT {SCAN_COLUMNS} FROM scans WHERE org_id = ? ORDER BY id DESC LIMIT ?"
                ))
                .bind(org_id)
                .bind(page_rows(limit))
                .fetch_all(&self.reader)
                .await?
            }
        };
        rows.into_iter().map(ScanRow::into_record).collect()
    }

    pub(crate) async fn get_scan(
        &self,
        org_id: &str,
        id: &str,
    ) -> StoreResult<Option<(ScanRecord, Vec<Finding>)>> {
        let row: Option<ScanRow> = sqlx::query_as(&format!(
            "SELECT {SCAN_COLUMNS} FROM scans WHERE org_id = ? AND id = ?"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let findings = self.scan_findings(id).await?;
        Ok(Some((row.into_record()?, findings)))
    }

    /// The findings of one scan, in submission order.
    pub(crate) async fn scan_findings(&self, scan_id: &str) -> StoreResult<Vec<Finding>> {
        let rows: Vec<FindingRow> = sqlx::query_as(&format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE scan_id = ? ORDER BY position"
        ))
        .bind(scan_id)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(FindingRow::into_finding).collect()
    }

    /// A finding by its own id, with its scan, within one organisation.
    pub(crate) async fn get_finding(
        &self,
        org_id: &str,
        finding_id: &str,
    ) -> StoreResult<Option<FindingInScan>> {
        let row: Option<FindingInScanRow> = sqlx::query_as(
            "SELECT f.id, f.severity, f.title, f.code, f.description, f.evidence,
                    s.id AS scan_id, s.type AS scan_type
             FROM findings f JOIN scans s ON s.id = f.scan_id
             WHERE f.org_id = ? AND f.id = ?",
        )
        .bind(org_id)
        .bind(finding_id)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(FindingInScan {
                finding: r.finding.into_finding()?,
                scan_id: r.scan_id,
                scan_type: r.scan_type,
            })
        })
        .transpose()
    }

    /// Once per database: give findings stored before finding codes existed the code
    /// their title names (the compatibility rule of [`code_from_title`]), so rollover
    /// eligibility can look at codes only.
    pub(super) async fn backfill_finding_codes(&self) -> StoreResult<()> {
        if self.meta_get(CODES_BACKFILLED).await?.is_some() {
            return Ok(());
        }
        #[derive(sqlx::FromRow)]
        struct Untitled {
            id: String,
            title: String,
        }
        let mut tx = self.begin_write().await?;
        let rows: Vec<Untitled> =
            sqlx::query_as("SELECT id, title FROM findings WHERE code IS NULL")
                .fetch_all(&mut *tx)
                .await?;
        let mut coded = 0usize;
        for row in rows {
            if let Some(code) = code_from_title(&row.title) {
                sqlx::query("UPDATE findings SET code = ? WHERE id = ?")
                    .bind(code)
                    .bind(&row.id)
                    .execute(&mut *tx)
                    .await?;
                coded += 1;
            }
        }
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?)")
            .bind(CODES_BACKFILLED)
            .bind(b"1".as_slice())
            .execute(&mut *tx)
            .await?;
        super::commit(tx).await?;
        if coded > 0 {
            tracing::info!(
                findings = coded,
                "stored findings got codes from their titles"
            );
        }
        Ok(())
    }
}

/// The wire text of a unit enum (`RiskLevel::High` → `High`), as it is stored.
fn wire_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}
