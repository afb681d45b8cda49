//! One scanned target's report: status, findings, assets and the computed risk. This is
//! the `--json` document, the input of the SARIF and CBOM writers, and (converted) the
//! scan submitted to `POST /v1/scans`.

use serde::{Deserialize, Serialize};

use super::risk::{risk_level, risk_score};
use super::{CryptoAsset, Finding, Severity};

/// What was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanKind {
    /// A TLS endpoint.
    Url,
    /// A directory tree.
    Repo,
    /// Kubernetes objects (manifests or a cluster).
    K8s,
}

impl ScanKind {
    /// `url` / `repo` (the scan's `type`).
    pub fn as_str(self) -> &'static str {
        match self {
            ScanKind::Url => "url",
            ScanKind::Repo => "repo",
            ScanKind::K8s => "k8s",
        }
    }
}

/// Whether the target could be scanned, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    /// Scanned; the findings are complete.
    Scanned,
    /// DNS failed or the network is unreachable.
    Unreachable,
    /// The port refused the connection.
    Refused,
    /// A connect or handshake did not finish in time.
    Timeout,
    /// Something other than TLS answered.
    NotTls,
    /// TLS was spoken but no version or parameters we offer were accepted.
    TlsError,
    /// A path could not be read.
    IoError,
    /// The target itself is malformed (not a host, host:port or https URL).
    Invalid,
}

impl TargetStatus {
    /// `scanned`, `refused`, …
    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Scanned => "scanned",
            TargetStatus::Unreachable => "unreachable",
            TargetStatus::Refused => "refused",
            TargetStatus::Timeout => "timeout",
            TargetStatus::NotTls => "not_tls",
            TargetStatus::TlsError => "tls_error",
            TargetStatus::IoError => "io_error",
            TargetStatus::Invalid => "invalid",
        }
    }
}

/// What the TLS probe saw (also submitted as the scan's `metadata.tls`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsSummary {
    /// The address connected to.
    pub address: String,
    /// Highest protocol negotiated, e.g. `TLSv1.3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Negotiated cipher suite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher_suite: Option<String>,
    /// Group chosen when offered hybrid + classical groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_exchange: Option<String>,
    /// Post-quantum groups the server accepts when offered alone.
    pub pq_groups_accepted: Vec<String>,
    /// Legacy versions accepted (`1.0`, `1.1`).
    pub legacy_versions_accepted: Vec<String>,
    /// Fingerprint of the leaf certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// The leaf's sidecar verified (`None`: no sidecar).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hybrid_bound: Option<bool>,
    /// The Strict-Transport-Security value (https:// targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hsts: Option<String>,
    /// What plain HTTP answered (https:// targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plain_http: Option<String>,
    /// Anything a check could not determine.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What the repository walk saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepoSummary {
    /// Files read and classified.
    pub files_scanned: u64,
    /// Files skipped as binary (and not a known key/certificate format).
    pub files_skipped_binary: u64,
    /// Files skipped for size.
    pub files_skipped_large: u64,
    /// Unreadable entries.
    pub errors: Vec<String>,
}

/// One target's report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    /// `url` or `repo`.
    #[serde(rename = "type")]
    pub kind: ScanKind,
    /// The target as displayed (`host:port`, the https URL, or the path).
    pub target: String,
    /// Scanned, or why not.
    pub status: TargetStatus,
    /// The reason, when not scanned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// 0–100 (`docs/scanning.md`).
    pub risk_score: f64,
    /// The highest finding severity.
    pub risk_level: Severity,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// Inventory.
    pub assets: Vec<CryptoAsset>,
    /// TLS details (url scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSummary>,
    /// Walk details (repo scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<RepoSummary>,
    /// Objects seen (k8s scans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s: Option<super::k8s::K8sSummary>,
    /// Wall time.
    pub duration_ms: u64,
}

impl ScanReport {
    /// An empty report.
    pub fn new(kind: ScanKind, target: impl Into<String>) -> Self {
        ScanReport {
            kind,
            target: target.into(),
            status: TargetStatus::Scanned,
            error: None,
            risk_score: 0.0,
            risk_level: Severity::Info,
            findings: Vec::new(),
            assets: Vec::new(),
            tls: None,
            repo: None,
            k8s: None,
            duration_ms: 0,
        }
    }

    /// Sort findings (worst first, then by place) and compute the risk.
    pub fn finish(&mut self, started: std::time::Instant) {
        self.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.location.cmp(&b.location))
                .then_with(|| a.code.cmp(&b.code))
        });
        self.risk_score = risk_score(&self.findings);
        self.risk_level = risk_level(&self.findings);
        self.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    }

    /// True when any finding is at or above `threshold`.
    pub fn reaches(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }

    /// The `POST /v1/scans` body: type, target, risk, findings, `source` and metadata.
    #[cfg(feature = "client")]
    pub fn to_scan_request(&self, source: &str) -> crate::api::CreateScanRequest {
        let level = self.risk_level.into();
        let mut request = crate::api::CreateScanRequest::new(
            self.kind.as_str(),
            self.target.clone(),
            self.risk_score,
            level,
        );
        request.source = Some(source.to_owned());
        // Findings are sorted worst first: past the API's limit the least severe go.
        let max = crate::api::CreateScanRequest::MAX_FINDINGS;
        request.findings = self.findings.iter().take(max).map(Into::into).collect();
        let omitted = self.findings.len().saturating_sub(max);
        let mut metadata = serde_json::Map::new();
        metadata.insert(
            "scanner".into(),
            serde_json::Value::String(format!("postq {}", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(tls) = &self.tls {
            metadata.insert("tls".into(), serde_json::to_value(tls).unwrap_or_default());
        }
        if let Some(repo) = &self.repo {
            metadata.insert(
                "repo".into(),
                serde_json::to_value(repo).unwrap_or_default(),
            );
        }
        if let Some(k8s) = &self.k8s {
            metadata.insert("k8s".into(), serde_json::to_value(k8s).unwrap_or_default());
        }
        if omitted > 0 {
            metadata.insert("findingsOmitted".into(), omitted.into());
        }
        request.metadata = Some(metadata);
        request
    }
}
