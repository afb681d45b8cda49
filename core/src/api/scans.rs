//! Scans: `POST /v1/scans`, `GET /v1/scans`, `GET /v1/scans/{id}`.

use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{check_limit, path_id};
use crate::client::Call;
use crate::client::{Client, Page, paginate};
use crate::{Error, Result};

/// Aggregate risk of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RiskLevel {
    /// Critical.
    Critical,
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
    /// Informational.
    Info,
}

/// Severity of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// critical
    Critical,
    /// high
    High,
    /// medium
    Medium,
    /// low
    Low,
    /// info
    Info,
}

/// A finding to submit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingInput {
    /// Severity.
    pub severity: Severity,
    /// Short label, e.g. "RSA-2048 public key".
    pub title: String,
    /// Longer detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Supporting data (cert excerpt, file path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// `POST /v1/scans` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateScanRequest {
    /// `url`, `repo`, `k8s`, `cloud` or your own.
    #[serde(rename = "type")]
    pub scan_type: String,
    /// Hostname, repo URL, cluster.
    pub target: String,
    /// 0–100.
    pub risk_score: f64,
    /// Aggregate level.
    pub risk_level: RiskLevel,
    /// Findings.
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    /// Defaults to `sdk` on the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Free-form key/value object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl CreateScanRequest {
    /// A scan with no findings.
    pub fn new(
        scan_type: impl Into<String>,
        target: impl Into<String>,
        risk_score: f64,
        risk_level: RiskLevel,
    ) -> Self {
        CreateScanRequest {
            scan_type: scan_type.into(),
            target: target.into(),
            risk_score,
            risk_level,
            findings: Vec::new(),
            source: None,
            metadata: None,
        }
    }

    /// Catch what the server would refuse before sending.
    pub fn validate(&self) -> Result<()> {
        if self.scan_type.trim().is_empty() {
            return Err(Error::input("scan type", "must not be empty"));
        }
        if self.target.trim().is_empty() {
            return Err(Error::input("scan target", "must not be empty"));
        }
        if !(0.0..=100.0).contains(&self.risk_score) {
            return Err(Error::input("riskScore", "must be between 0 and 100"));
        }
        if self.findings.iter().any(|f| f.title.trim().is_empty()) {
            return Err(Error::input("finding title", "must not be empty"));
        }
        Ok(())
    }
}

/// A stored finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// `fnd_…`; TLS rollovers reference findings by this id.
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Evidence.
    pub evidence: Option<String>,
}

/// A stored scan with findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scan {
    /// `scan_…`, sortable by creation.
    pub id: String,
    /// Dashboard permalink.
    pub url: String,
    /// Scan type.
    #[serde(rename = "type")]
    pub scan_type: String,
    /// Target.
    pub target: String,
    /// 0–100.
    pub risk_score: f64,
    /// Aggregate level.
    pub risk_level: RiskLevel,
    /// Where it came from.
    #[serde(default)]
    pub source: Option<String>,
    /// Free-form metadata.
    #[serde(default)]
    pub metadata: Value,
    /// Findings (present on create and get).
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// A scan in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanSummary {
    /// `scan_…`.
    pub id: String,
    /// Dashboard permalink.
    #[serde(default)]
    pub url: Option<String>,
    /// Scan type.
    #[serde(rename = "type")]
    pub scan_type: String,
    /// Target.
    pub target: String,
    /// 0–100.
    pub risk_score: f64,
    /// Aggregate level.
    pub risk_level: RiskLevel,
    /// Where it came from.
    #[serde(default)]
    pub source: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// Paging parameters of list calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// 1–100 (server default 50).
    pub limit: Option<u32>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// `client.scans()`.
#[derive(Debug, Clone, Copy)]
pub struct Scans<'a> {
    client: &'a Client,
}

impl Client {
    /// Scans.
    pub fn scans(&self) -> Scans<'_> {
        Scans { client: self }
    }
}

impl Scans<'_> {
    /// Submit a scan. Retries reuse one idempotency key, so a retry never creates a
    /// second scan.
    pub async fn submit(&self, request: &CreateScanRequest) -> Result<Scan> {
        request.validate()?;
        self.client
            .transport
            .json(Call::post("/v1/scans", request)?, &self.client.options)
            .await
    }

    /// One page, newest first.
    pub async fn list(&self, query: &ListQuery) -> Result<Page<ScanSummary>> {
        check_limit(query.limit)?;
        let call = Call::get("/v1/scans")
            .query("limit", query.limit)
            .query("cursor", query.cursor.as_deref());
        self.client.transport.json(call, &self.client.options).await
    }

    /// Every scan, newest first, fetched page by page as the stream is read.
    pub fn list_all(&self, limit: Option<u32>) -> impl Stream<Item = Result<ScanSummary>> + '_ {
        paginate(move |cursor| async move { self.list(&ListQuery { limit, cursor }).await })
    }

    /// One scan with its findings.
    pub async fn get(&self, id: &str) -> Result<Scan> {
        let id = path_id("scan id", id)?;
        self.client
            .transport
            .json(Call::get(format!("/v1/scans/{id}")), &self.client.options)
            .await
    }
}
