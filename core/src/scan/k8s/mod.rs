//! The Kubernetes scanner (`postq scan k8s`, the in-cluster agent): cluster objects ->
//! findings, with the same classifier, catalogue and outputs as the other scanners.
//!
//! Objects come from manifests ([`manifests::read_manifests`]: YAML or JSON, several
//! documents, `kind: List`) or from the live API (`live`, feature `k8s`). Either way each
//! object is handed to [`K8sScanner::add`] as it arrives and dropped after, so memory
//! grows with the findings, not with the cluster. Rules, one module each:
//!
//! - `rules::secret`: `kubernetes.io/tls` Secrets — the leaf certificate and chain
//!   (algorithm, size, signature hash, expiry, sidecar) and whether `tls.key` belongs to
//!   `tls.crt`.
//! - `rules::configmap`: PEM (and DER) material in ConfigMap data.
//! - `rules::ingress`: which TLS Secrets an Ingress actually serves; their findings
//!   are raised one severity step when the scan finishes.
//! - `rules::cert_manager`: Certificate's desired `privateKey` (before it rotates in),
//!   Issuer / ClusterIssuer CA keys.
//! - `rules::mesh`: Istio PeerAuthentication, DestinationRule and Gateway, Linkerd
//!   MeshTLSAuthentication.
//!
//! Every finding names its object (`namespace/Kind/name`) and never carries key
//! material: evidence is algorithms, sizes, subjects and SHA-256 fingerprints.

#[cfg(feature = "k8s")]
pub mod agent;
#[cfg(feature = "k8s")]
pub mod live;
pub mod manifests;
mod object;
mod rules;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use object::{NotAnObject, Object};

use super::classify::KeyAlgorithm;
use super::report::{ScanKind, ScanReport};
use super::{CryptoAsset, Finding, Location, Severity};

/// Where the objects came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum K8sSource {
    /// Manifest files (`--manifests`).
    Manifests,
    /// A cluster's API.
    Cluster,
}

/// What the Kubernetes scan saw (also the submitted scan's `metadata.k8s`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct K8sSummary {
    /// Manifests or a cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<K8sSource>,
    /// Objects examined, by kind.
    pub objects: BTreeMap<String, u64>,
    /// Documents or objects of other kinds, passed over.
    pub ignored: u64,
    /// What could not be examined and why (an absent or forbidden CRD group, a Secret an
    /// Ingress names that was not among the objects).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A TLS Secret's certificate findings, kept until the scan knows who serves it.
#[derive(Debug, Default)]
struct SecretFacts {
    /// Indices into the findings of the Secret's certificate and key findings.
    findings: Vec<usize>,
    /// The leaf's key algorithm (an Issuer's CA key is judged by it) and subject.
    leaf: Option<(KeyAlgorithm, String)>,
}

/// An object that uses a TLS Secret: an Ingress or Gateway serving it, or an Issuer
/// signing with it.
#[derive(Debug)]
struct SecretUse {
    namespace: String,
    secret: String,
    user: String,
    location: Location,
    hosts: Vec<String>,
    role: SecretRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretRole {
    /// Served to clients: the Secret's findings are raised one step.
    Served,
    /// A cert-manager CA issuer's key: the Issuer gets the key's algorithm finding.
    IssuerCa,
}

/// Collects findings object by object; [`K8sScanner::finish`] resolves references
/// between objects (Ingress -> Secret, Issuer -> Secret) and computes the risk.
pub struct K8sScanner {
    now: OffsetDateTime,
    started: Instant,
    findings: Vec<Finding>,
    assets: Vec<CryptoAsset>,
    summary: K8sSummary,
    secrets: HashMap<(String, String), SecretFacts>,
    uses: Vec<SecretUse>,
}

impl K8sScanner {
    /// A scanner judging validity at `now`.
    pub fn new(now: OffsetDateTime) -> Self {
        K8sScanner {
            now,
            started: Instant::now(),
            findings: Vec::new(),
            assets: Vec::new(),
            summary: K8sSummary::default(),
            secrets: HashMap::new(),
            uses: Vec::new(),
        }
    }

    /// Examine one object (any kind; kinds without rules are counted as ignored).
    pub fn add(&mut self, object: &Object) {
        let examined = match (object.group.as_str(), object.kind.as_str()) {
            ("", "Secret") => rules::secret::scan(self, object),
            ("", "ConfigMap") => rules::configmap::scan(self, object),
            ("networking.k8s.io" | "extensions", "Ingress") => rules::ingress::scan(self, object),
            ("cert-manager.io", "Certificate") => rules::cert_manager::certificate(self, object),
            ("cert-manager.io", "Issuer" | "ClusterIssuer") => {
                rules::cert_manager::issuer(self, object)
            }
            ("security.istio.io", "PeerAuthentication") => {
                rules::mesh::peer_authentication(self, object)
            }
            ("networking.istio.io", "DestinationRule") => {
                rules::mesh::destination_rule(self, object)
            }
            ("networking.istio.io", "Gateway") => rules::mesh::gateway(self, object),
            ("policy.linkerd.io", "MeshTLSAuthentication") => {
                rules::mesh::mesh_tls_authentication(self, object)
            }
            _ => false,
        };
        if examined {
            *self.summary.objects.entry(object.kind.clone()).or_default() += 1;
        } else {
            self.summary.ignored += 1;
        }
    }

    /// Count a document that is not an object.
    pub fn ignore(&mut self) {
        self.summary.ignored += 1;
    }

    /// Record something that could not be examined.
    pub fn note(&mut self, note: impl Into<String>) {
        self.summary.notes.push(note.into());
    }

    /// Objects examined so far.
    pub fn examined(&self) -> u64 {
        self.summary.objects.values().sum()
    }

    fn push(&mut self, finding: Finding) -> usize {
        self.findings.push(finding);
        self.findings.len() - 1
    }

    /// Resolve references and produce the report (`type` k8s).
    pub fn finish(mut self, target: impl Into<String>, source: K8sSource) -> ScanReport {
        let uses = std::mem::take(&mut self.uses);
        let mut raised = BTreeSet::new();
        for u in &uses {
            let key = (u.namespace.clone(), u.secret.clone());
            let secret_name = Location::object_name(Some(&u.namespace), "Secret", &u.secret);
            let Some(facts) = self.secrets.get(&key) else {
                self.summary.notes.push(format!(
                    "{} names {secret_name}, which was not among the scanned objects",
                    u.user
                ));
                continue;
            };
            match u.role {
                SecretRole::Served => {
                    let hosts = if u.hosts.is_empty() {
                        String::new()
                    } else {
                        format!(" for {}", u.hosts.join(", "))
                    };
                    for &i in &facts.findings {
                        let Some(f) = self.findings.get_mut(i) else {
                            continue;
                        };
                        f.evidence
                            .push_str(&format!("; served by {}{hosts}", u.user));
                        if raised.insert(i) {
                            f.severity = raise(f.severity);
                        }
                    }
                }
                SecretRole::IssuerCa => {
                    if let Some((algorithm, subject)) = &facts.leaf {
                        let evidence = format!("CA certificate {subject} in {secret_name}");
                        if let Some(f) = algorithm.finding("CA signing key", &evidence, &u.location)
                        {
                            self.findings.push(f);
                        }
                    }
                }
            }
        }
        let mut report = ScanReport::new(ScanKind::K8s, target);
        report.findings = self.findings;
        report.assets = self.assets;
        self.summary.source = Some(source);
        report.k8s = Some(self.summary);
        report.finish(self.started);
        report
    }
}

/// One step more severe: a weakness clients actually meet matters more.
fn raise(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Info,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

/// Scan manifests (YAML or JSON, see [`manifests`]) from `reader`. Objects without a
/// namespace are placed in `default_namespace` (`default` when `None`), as `kubectl
/// apply` would.
pub fn scan_manifests<R: std::io::BufRead>(
    reader: R,
    target: impl Into<String>,
    default_namespace: Option<&str>,
    now: OffsetDateTime,
) -> crate::Result<ScanReport> {
    let mut scanner = K8sScanner::new(now);
    let namespace = default_namespace.unwrap_or("default");
    manifests::read_manifests(
        reader,
        &mut |value| match Object::from_value(value, Some(namespace)) {
            Ok(object) => scanner.add(&object),
            Err(_) => scanner.ignore(),
        },
    )?;
    Ok(scanner.finish(target, K8sSource::Manifests))
}

#[cfg(feature = "client")]
impl ScanReport {
    /// The `POST /v1/ingest/kubernetes` body of a k8s report. Findings are sorted worst
    /// first; past [`crate::api::IngestKubernetesRequest::MAX_FINDINGS`] the least severe
    /// are left out and counted in `summary.findingsOmitted` (the risk still counts them).
    pub fn to_kubernetes_report(
        &self,
        cluster_name: &str,
        org_id: Option<&str>,
        agent_version: &str,
    ) -> crate::api::IngestKubernetesRequest {
        use crate::api::{IngestKubernetesRequest, KubernetesFinding, KubernetesObjectRef};
        let max = IngestKubernetesRequest::MAX_FINDINGS;
        let findings = self
            .findings
            .iter()
            .take(max)
            .map(|f| {
                let wire = crate::api::FindingInput::from(f);
                let object = match &f.location {
                    Location::Object {
                        namespace,
                        kind,
                        name,
                        field,
                    } => KubernetesObjectRef {
                        namespace: namespace.clone(),
                        kind: kind.clone(),
                        name: name.clone(),
                        field: field.clone(),
                    },
                    other => KubernetesObjectRef {
                        namespace: None,
                        kind: "Unknown".to_owned(),
                        name: other.display(),
                        field: None,
                    },
                };
                KubernetesFinding {
                    severity: wire.severity,
                    code: f.code.as_str().to_owned(),
                    title: f.title.clone(),
                    description: wire.description,
                    evidence: Some(f.evidence.clone()),
                    object,
                }
            })
            .collect();
        let summary = self.k8s.clone().unwrap_or_default();
        IngestKubernetesRequest {
            cluster_name: cluster_name.to_owned(),
            org_id: org_id.map(str::to_owned),
            agent_version: agent_version.to_owned(),
            risk_score: self.risk_score,
            risk_level: self.risk_level.into(),
            findings,
            summary: crate::api::KubernetesSummary {
                objects: summary.objects,
                ignored: summary.ignored,
                notes: summary.notes.into_iter().take(100).collect(),
                findings_omitted: u64::try_from(self.findings.len().saturating_sub(max))
                    .unwrap_or(u64::MAX),
            },
        }
    }
}
