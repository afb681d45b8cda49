//! Agent reports: `POST /v1/ingest/kubernetes`. One cluster report (cluster name, agent
//! version, findings with the objects they are about) becomes one scan of type `k8s`,
//! source `agent`, target the cluster name — all of it or nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CreateScanRequest, FindingInput, RiskLevel, Scan, Severity, check_text};
use crate::client::{Call, Client};
use crate::{Error, Result};

/// The Kubernetes object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubernetesObjectRef {
    /// Namespace; absent for cluster-scoped objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `Secret`, `ConfigMap`, `Ingress`, `Certificate`, `PeerAuthentication`, …
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The data key or spec field, e.g. `tls.crt` or `spec.mtls.mode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl KubernetesObjectRef {
    /// `namespace/Kind/name[ field]`.
    pub fn display(&self) -> String {
        let mut text = match &self.namespace {
            Some(ns) => format!("{ns}/{}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        };
        if let Some(field) = &self.field {
            text.push(' ');
            text.push_str(field);
        }
        text
    }
}

/// One finding of a cluster report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubernetesFinding {
    /// Severity (an Ingress serving a weak certificate raises it).
    pub severity: Severity,
    /// Finding code from `docs/scanning.md`, e.g. `RSA-2048` or `K8S-MTLS-PERMISSIVE`.
    pub code: String,
    /// Starts with the code.
    pub title: String,
    /// Why it matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Algorithms, sizes, subjects, fingerprints. Never key material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The object.
    pub object: KubernetesObjectRef,
}

/// What the agent looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubernetesSummary {
    /// Objects examined, by kind.
    #[serde(default)]
    pub objects: BTreeMap<String, u64>,
    /// Objects of other kinds passed over.
    #[serde(default)]
    pub ignored: u64,
    /// What could not be examined (an absent or forbidden CRD group, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Findings left out because the report holds at most
    /// [`IngestKubernetesRequest::MAX_FINDINGS`] (the least severe go first).
    #[serde(default)]
    pub findings_omitted: u64,
}

/// `POST /v1/ingest/kubernetes` body. Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IngestKubernetesRequest {
    /// The cluster (`POSTQ_CLUSTER_NAME`); the scan's target.
    pub cluster_name: String,
    /// The organisation the agent was installed for (the chart's `orgId`); when given it
    /// must be the API key's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// `postq-agent 0.1.0`.
    pub agent_version: String,
    /// 0–100, by the formula in `docs/scanning.md`.
    pub risk_score: f64,
    /// The highest finding severity.
    pub risk_level: RiskLevel,
    /// Findings, worst first.
    #[serde(default)]
    pub findings: Vec<KubernetesFinding>,
    /// What was looked at.
    #[serde(default)]
    pub summary: KubernetesSummary,
}

impl IngestKubernetesRequest {
    /// Most findings one report may carry (a scan's limit).
    pub const MAX_FINDINGS: usize = CreateScanRequest::MAX_FINDINGS;

    /// The rules of a report, checked by the client before sending and by the reference
    /// server on receipt: `clusterName` 1–253 characters, `agentVersion` 1–64, `orgId`
    /// 1–128 when given, object kind and name 1–253, namespace 1–63, field ≤ 512, and
    /// the rules of the scan it becomes ([`CreateScanRequest::validate`]).
    pub fn validate(&self) -> Result<()> {
        const WHAT: &str = "kubernetes report";
        check_text(WHAT, "clusterName", &self.cluster_name, 253)?;
        check_text(WHAT, "agentVersion", &self.agent_version, 64)?;
        if let Some(org) = &self.org_id {
            check_text(WHAT, "orgId", org, 128)?;
        }
        if self.summary.notes.len() > 100 {
            return Err(Error::input(
                WHAT,
                "summary.notes may hold at most 100 items",
            ));
        }
        for (i, f) in self.findings.iter().enumerate() {
            let o = &f.object;
            check_text(WHAT, &format!("findings[{i}].object.kind"), &o.kind, 253)?;
            check_text(WHAT, &format!("findings[{i}].object.name"), &o.name, 253)?;
            if let Some(ns) = &o.namespace {
                check_text(WHAT, &format!("findings[{i}].object.namespace"), ns, 63)?;
            }
            if let Some(field) = &o.field {
                check_text(WHAT, &format!("findings[{i}].object.field"), field, 512)?;
            }
        }
        self.to_scan_request().validate()
    }

    /// The scan it is recorded as: type `k8s`, source `agent`, target the cluster name;
    /// each finding's evidence starts with its object (`ns/Kind/name field — …`) and the
    /// summary and agent version go into `metadata.k8s`.
    pub fn to_scan_request(&self) -> CreateScanRequest {
        let mut scan = CreateScanRequest::new(
            "k8s",
            self.cluster_name.clone(),
            self.risk_score,
            self.risk_level,
        );
        scan.source = Some("agent".to_owned());
        scan.findings = self
            .findings
            .iter()
            .map(|f| FindingInput {
                severity: f.severity,
                title: f.title.clone(),
                code: Some(f.code.clone()),
                description: f.description.clone(),
                evidence: Some(match &f.evidence {
                    Some(e) => format!("{} — {e}", f.object.display()),
                    None => f.object.display(),
                }),
            })
            .collect();
        let mut k8s = serde_json::Map::new();
        k8s.insert("agentVersion".into(), self.agent_version.clone().into());
        if let Some(org) = &self.org_id {
            k8s.insert("orgId".into(), org.clone().into());
        }
        k8s.insert(
            "summary".into(),
            serde_json::to_value(&self.summary).unwrap_or_default(),
        );
        let mut metadata = serde_json::Map::new();
        metadata.insert("k8s".into(), serde_json::Value::Object(k8s));
        scan.metadata = Some(metadata);
        scan
    }
}

/// `client.ingest()`: reports from agents.
#[derive(Debug, Clone, Copy)]
pub struct Ingest<'a> {
    client: &'a Client,
}

impl Client {
    /// Agent reports.
    pub fn ingest(&self) -> Ingest<'_> {
        Ingest { client: self }
    }
}

impl Ingest<'_> {
    /// Post one cluster report; answers the scan it was recorded as. Retries reuse one
    /// idempotency key, so a retried post records one scan.
    pub async fn kubernetes(&self, report: &IngestKubernetesRequest) -> Result<Scan> {
        report.validate()?;
        self.client
            .transport
            .json(
                Call::post("/v1/ingest/kubernetes", report)?,
                &self.client.options,
            )
            .await
    }
}
