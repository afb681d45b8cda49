//! Scans: `POST /v1/scans`, `GET /v1/scans`, `GET /v1/scans/{id}`.

use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{check_text, path_id, whole_number};
use crate::client::Call;
use crate::client::{Client, Page, paginate};
use crate::{Error, Result};

/// Aggregate risk of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FindingInput {
    /// Severity.
    pub severity: Severity,
    /// Short label, e.g. "RSA-2048 public key".
    pub title: String,
    /// Machine-readable code, e.g. `TLS-1.0-MIN` or `PQ-KEX-MISSING` (postq's scanners
    /// set one from `docs/scanning.md`; your own scanner may use its own). Rollover
    /// eligibility is decided by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Longer detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Supporting data (cert excerpt, file path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// `POST /v1/scans` body. Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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

impl FindingInput {
    /// A finding with a severity and title.
    pub fn new(severity: Severity, title: impl Into<String>) -> Self {
        FindingInput {
            severity,
            title: title.into(),
            code: None,
            description: None,
            evidence: None,
        }
    }

    /// The same finding with a machine-readable code.
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
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

    /// The rules of a scan, checked by the client before sending and by the reference
    /// server on receipt: `type` 1–64 characters, `target` 1–2048, `riskScore` a number
    /// 0–100, `source` 1–64 when given, at most [`Self::MAX_FINDINGS`] findings (title
    /// 1–512, description ≤ 8192, evidence ≤ 16384, code 1–64 of `[A-Za-z0-9._-]`),
    /// `metadata` at most 16 KiB as JSON. The error's reason names the field.
    pub fn validate(&self) -> Result<()> {
        const WHAT: &str = "scan";
        check_text(WHAT, "type", &self.scan_type, 64)?;
        check_text(WHAT, "target", &self.target, 2048)?;
        if !self.risk_score.is_finite() || !(0.0..=100.0).contains(&self.risk_score) {
            return Err(Error::input(WHAT, "riskScore must be between 0 and 100"));
        }
        if let Some(source) = &self.source {
            check_text(WHAT, "source", source, 64)?;
        }
        if self.findings.len() > Self::MAX_FINDINGS {
            return Err(Error::input(
                WHAT,
                format!("findings may hold at most {} items", Self::MAX_FINDINGS),
            ));
        }
        if let Some(metadata) = &self.metadata {
            let size = serde_json::to_vec(metadata).map_or(usize::MAX, |v| v.len());
            if size > Self::MAX_METADATA_BYTES {
                return Err(Error::input(
                    WHAT,
                    "metadata must be at most 16 KiB as JSON",
                ));
            }
        }
        for (i, f) in self.findings.iter().enumerate() {
            f.validate(i)?;
        }
        Ok(())
    }

    /// Most findings one scan may carry.
    pub const MAX_FINDINGS: usize = 1000;
    /// Largest `metadata`, as compact JSON.
    pub const MAX_METADATA_BYTES: usize = 16 * 1024;
}

impl FindingInput {
    /// The rules of the finding at `index` of a scan (see [`CreateScanRequest::validate`]).
    fn validate(&self, index: usize) -> Result<()> {
        const WHAT: &str = "finding";
        check_text(WHAT, &format!("findings[{index}].title"), &self.title, 512)?;
        // Description and evidence are free-form (excerpts, paths): only their size.
        for (field, value, max) in [
            ("description", &self.description, 8192),
            ("evidence", &self.evidence, 16384),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > max) {
                return Err(Error::input(
                    WHAT,
                    format!("findings[{index}].{field} must be at most {max} characters"),
                ));
            }
        }
        if let Some(code) = &self.code {
            let ok = !code.is_empty()
                && code.len() <= 64
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
            if !ok {
                return Err(Error::input(
                    WHAT,
                    format!("findings[{index}].code must be 1-64 characters of [A-Za-z0-9._-]"),
                ));
            }
        }
        Ok(())
    }
}

/// A stored finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// `fnd_…`; TLS rollovers reference findings by this id.
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// Title.
    pub title: String,
    /// Machine-readable code (see [`FindingInput::code`]).
    #[serde(default)]
    pub code: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Evidence.
    pub evidence: Option<String>,
}

/// A stored scan with findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
    /// 0–100; a whole number is written without a fraction (`85`).
    #[serde(serialize_with = "whole_number")]
    pub risk_score: f64,
    /// Aggregate level.
    pub risk_level: RiskLevel,
    /// Where it came from.
    #[serde(default)]
    pub source: Option<String>,
    /// Free-form metadata.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub metadata: Value,
    /// Findings (present on create and get).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub findings: Vec<Finding>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// A scan in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
    /// 0–100; a whole number is written without a fraction (`85`).
    #[serde(serialize_with = "whole_number")]
    pub risk_score: f64,
    /// Aggregate level.
    pub risk_level: RiskLevel,
    /// Where it came from.
    #[serde(default)]
    pub source: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// With [`Include::Metadata`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// With [`Include::Findings`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<Finding>>,
}

/// Paging parameters of list calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListQuery {
    /// 1–100 (server default 50).
    #[serde(default)]
    pub limit: Option<u32>,
    /// From a previous page's `next_cursor`; where a `list_all` stream starts.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Extra fields per item (`?include=`): scans take `findings` and `metadata`, keys
    /// take `versions`; other lists take none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<Include>,
}

impl ListQuery {
    /// Pages of this size.
    pub fn limit(limit: u32) -> Self {
        ListQuery {
            limit: Some(limit),
            ..Self::default()
        }
    }

    /// The same query from another cursor.
    #[must_use]
    pub fn at(&self, cursor: Option<String>) -> Self {
        ListQuery {
            cursor,
            ..self.clone()
        }
    }

    /// Refuse a bad limit or an `include` field the list does not support: checked by
    /// the client before sending and by the reference server on receipt.
    pub fn validate(&self, supported: &[Include]) -> Result<()> {
        super::check_limit(self.limit)?;
        match self.include.iter().find(|i| !supported.contains(i)) {
            Some(bad) => Err(Error::input(
                "list query",
                format!(
                    "include: this list does not support `{}` (supported: {})",
                    bad.as_str(),
                    supported
                        .iter()
                        .map(|i| i.as_str())
                        .chain(["all"])
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            None => Ok(()),
        }
    }

    /// The `include` query value, comma-separated.
    pub(crate) fn include_param(&self) -> Option<String> {
        (!self.include.is_empty()).then(|| {
            self.include
                .iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
    }
}

/// Optional fields a list can hydrate (`?include=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Include {
    /// A scan's findings.
    Findings,
    /// A scan's metadata.
    Metadata,
    /// Every version of a key.
    Versions,
}

impl Include {
    /// Every field a list can hydrate.
    pub const ALL: [Include; 3] = [Include::Findings, Include::Metadata, Include::Versions];

    /// The query token.
    pub fn as_str(self) -> &'static str {
        match self {
            Include::Findings => "findings",
            Include::Metadata => "metadata",
            Include::Versions => "versions",
        }
    }

    /// The field named by a query token, if any.
    pub fn from_token(token: &str) -> Option<Include> {
        Include::ALL.into_iter().find(|i| i.as_str() == token)
    }
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
        query.validate(&[Include::Findings, Include::Metadata])?;
        let call = Call::get("/v1/scans")
            .query("limit", query.limit)
            .query("cursor", query.cursor.as_deref())
            .query("include", query.include_param());
        self.client.transport.json(call, &self.client.options).await
    }

    /// Every scan from `query.cursor` on, newest first, fetched page by page as the
    /// stream is read. The stream owns a handle to the client: it may outlive `self`.
    pub fn list_all(
        &self,
        query: ListQuery,
    ) -> impl Stream<Item = Result<ScanSummary>> + Send + 'static {
        let client = self.client.clone();
        paginate(query, move |q| {
            let client = client.clone();
            async move { client.scans().list(&q).await }
        })
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
