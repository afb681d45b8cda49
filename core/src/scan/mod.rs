//! # Scanner: quantum-readiness findings (feature `scan`)
//!
//! - [`tls`]: TLS endpoints — protocol versions, post-quantum key exchange, the served
//!   chain, hybrid (sidecar) certificates, HTTPS enforcement ([`tls::UrlScanner`]).
//! - [`repo`]: file trees — certificates and keys in every common encoding
//!   ([`repo::scan_repo`]).
//! - [`k8s`]: Kubernetes objects from manifests or a cluster's API — TLS Secrets,
//!   ConfigMaps, Ingresses, cert-manager, Istio and Linkerd ([`k8s::K8sScanner`]).
//! - [`classify`]: the one certificate / key classifier all three use: bytes + context -> [`Finding`]s and [`CryptoAsset`]s.
//! - [`FindingCode`]: the catalogue of stable codes, severities and reasons
//!   (`docs/scanning.md`); [`risk`]: the risk-score formula.
//! - Outputs: [`ScanReport`] (JSON), [`sarif::to_sarif`] (SARIF 2.1.0),
//!   [`cbom::to_cbom`] (CycloneDX 1.6 CBOM), and `ScanReport::to_scan_request` for
//!   `POST /v1/scans`.

pub mod asset;
mod catalogue;
pub mod cbom;
pub mod classify;
mod finding;
pub mod k8s;
pub mod repo;
mod report;
pub mod risk;
pub mod sarif;
pub mod tls;

pub use asset::CryptoAsset;
pub use catalogue::{CodeInfo, FindingCode};
pub use finding::{Finding, Location, Severity};
pub use report::{RepoSummary, ScanKind, ScanReport, TargetStatus, TlsSummary};
