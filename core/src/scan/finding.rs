//! The scanner's own finding type: what was found, how bad, and where.

use serde::{Deserialize, Serialize};

use super::FindingCode;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational (good news, inventory).
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical: classically broken today.
    Critical,
}

impl Severity {
    /// `critical`, `high`, … (the wire spelling of findings).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// `Critical`, `High`, … (the wire spelling of a scan's risk level).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
            Severity::Info => "Info",
        }
    }

    /// Parse either spelling.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "critical" => Some(Severity::Critical),
            "high" => Some(Severity::High),
            "medium" => Some(Severity::Medium),
            "low" => Some(Severity::Low),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// Where a finding was made.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Location {
    /// A network endpoint.
    Endpoint {
        /// Hostname (A-label) or IP address.
        host: String,
        /// TCP port.
        port: u16,
    },
    /// A file (path relative to the scanned root, `/`-separated) and 1-based line.
    File {
        /// Relative path.
        path: String,
        /// 1-based line, when the material is text.
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<u32>,
    },
    /// A Kubernetes object, `namespace/Kind/name` (`Kind/name` when cluster-scoped), and
    /// the data key or spec field the finding is about.
    Object {
        /// Namespace; `None` for cluster-scoped objects (ClusterIssuer).
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
        /// `Secret`, `ConfigMap`, `Ingress`, `Certificate`, … (`objectKind` on the wire:
        /// `kind` tags the location).
        #[serde(rename = "objectKind")]
        kind: String,
        /// The object's name.
        name: String,
        /// A data key (`tls.crt`) or spec field (`spec.mtls.mode`).
        #[serde(skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// Anything else with a name.
    Named {
        /// The name.
        name: String,
    },
}

impl Location {
    /// `host:port`, `path:line` or the name.
    pub fn display(&self) -> String {
        match self {
            Location::Endpoint { host, port } if host.contains(':') => format!("[{host}]:{port}"),
            Location::Endpoint { host, port } => format!("{host}:{port}"),
            Location::File {
                path,
                line: Some(line),
            } => format!("{path}:{line}"),
            Location::File { path, line: None } => path.clone(),
            Location::Object {
                namespace,
                kind,
                name,
                field,
            } => {
                let mut text = Self::object_name(namespace.as_deref(), kind, name);
                if let Some(field) = field {
                    text.push(' ');
                    text.push_str(field);
                }
                text
            }
            Location::Named { name } => name.clone(),
        }
    }

    /// `namespace/Kind/name`, or `Kind/name` for a cluster-scoped object.
    pub fn object_name(namespace: Option<&str>, kind: &str, name: &str) -> String {
        match namespace {
            Some(ns) => format!("{ns}/{kind}/{name}"),
            None => format!("{kind}/{name}"),
        }
    }

    /// The same place, at another line (files only).
    pub fn at_line(&self, line: u32) -> Location {
        match self {
            Location::File { path, .. } => Location::File {
                path: path.clone(),
                line: Some(line),
            },
            other => other.clone(),
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable code from the catalogue.
    pub code: FindingCode,
    /// Severity (the code's default unless a check says otherwise).
    pub severity: Severity,
    /// Starts with the code, e.g. `TLS-1.0-MIN: TLS 1.0 accepted`.
    pub title: String,
    /// What exactly was seen and why it matters.
    pub description: String,
    /// Supporting data: versions, fingerprints, `path:line`. Never key material.
    pub evidence: String,
    /// Where.
    pub location: Location,
}

impl Finding {
    /// A finding with the catalogue's severity; `detail` follows the code in the title.
    pub fn new(
        code: FindingCode,
        detail: impl AsRef<str>,
        evidence: impl Into<String>,
        location: Location,
    ) -> Finding {
        let detail = detail.as_ref();
        let info = code.info();
        let title = if detail.is_empty() {
            code.title()
        } else if detail.starts_with(info.code) {
            detail.to_owned()
        } else {
            format!("{}: {detail}", info.code)
        };
        Finding {
            code,
            severity: info.severity,
            title,
            description: info.why.to_owned(),
            evidence: evidence.into(),
            location,
        }
    }
}

#[cfg(feature = "client")]
impl From<Severity> for crate::api::RiskLevel {
    /// A scan's risk level is its worst finding's severity.
    fn from(s: Severity) -> Self {
        use crate::api::RiskLevel;
        match s {
            Severity::Critical => RiskLevel::Critical,
            Severity::High => RiskLevel::High,
            Severity::Medium => RiskLevel::Medium,
            Severity::Low => RiskLevel::Low,
            Severity::Info => RiskLevel::Info,
        }
    }
}

#[cfg(feature = "client")]
impl From<&Finding> for crate::api::FindingInput {
    fn from(f: &Finding) -> Self {
        use crate::api::Severity as Wire;
        crate::api::FindingInput {
            severity: match f.severity {
                Severity::Critical => Wire::Critical,
                Severity::High => Wire::High,
                Severity::Medium => Wire::Medium,
                Severity::Low => Wire::Low,
                Severity::Info => Wire::Info,
            },
            title: f.title.clone(),
            code: Some(f.code.as_str().to_owned()),
            description: Some(f.description.clone()),
            evidence: Some(format!("{} — {}", f.location.display(), f.evidence)),
        }
    }
}
