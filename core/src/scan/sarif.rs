//! SARIF 2.1.0 for GitHub code scanning (serde-sarif's schema-generated types).
//!
//! One rule per finding code used, with the catalogue text and a numeric
//! `security-severity` (GitHub ranks alerts by it: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0
//! medium, else low). Repository findings point at `path:line` under `%SRCROOT%`;
//! endpoint findings at the endpoint's `https://host:port/` URI.

use std::collections::{BTreeMap, BTreeSet};

use serde_sarif::sarif::{
    ArtifactLocation, Location as SarifLocation, LogicalLocation, Message,
    MultiformatMessageString, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use sha2::{Digest as _, Sha256};

use super::{Finding, FindingCode, Location, ScanReport, Severity};

/// The schema URI written into `$schema`.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// GitHub's `security-severity` for a severity.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "7.5",
        Severity::Medium => "5.0",
        Severity::Low => "2.0",
        Severity::Info => "0.0",
    }
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level_json(severity: Severity) -> serde_json::Value {
    serde_json::to_value(level(severity)).unwrap_or_default()
}

fn properties(severity: Severity, extra: &[(&str, serde_json::Value)]) -> PropertyBag {
    let mut map = BTreeMap::new();
    map.insert(
        "security-severity".to_owned(),
        serde_json::Value::String(security_severity(severity).to_owned()),
    );
    for (k, v) in extra {
        map.insert((*k).to_owned(), v.clone());
    }
    PropertyBag::builder()
        .tags(vec![
            "security".to_owned(),
            "cryptography".to_owned(),
            "post-quantum".to_owned(),
        ])
        .additional_properties(map)
        .build()
}

fn rule(code: FindingCode) -> ReportingDescriptor {
    let info = code.info();
    ReportingDescriptor::builder()
        .id(info.code)
        .name(info.code)
        .short_description(
            MultiformatMessageString::builder()
                .text(code.title())
                .build(),
        )
        .full_description(MultiformatMessageString::builder().text(info.why).build())
        .help(
            MultiformatMessageString::builder()
                .text(info.why)
                .markdown(format!(
                    "**{}** ({})\n\n{}\n\nSee docs/scanning.md in postq.",
                    info.code,
                    info.severity.as_str(),
                    info.why
                ))
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(level_json(info.severity))
                .build(),
        )
        .properties(properties(info.severity, &[]))
        .build()
}

fn location(report: &ScanReport, finding: &Finding) -> SarifLocation {
    let physical = match &finding.location {
        Location::File { path, line } => {
            let artifact = ArtifactLocation::builder()
                .uri(path.clone())
                .uri_base_id("%SRCROOT%")
                .build();
            match line {
                Some(l) => PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .region(Region::builder().start_line(i64::from(*l)).build())
                    .build(),
                None => PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .build(),
            }
        }
        Location::Endpoint { host, port } => {
            let host = if host.contains(':') {
                format!("[{host}]")
            } else {
                host.clone()
            };
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(format!("https://{host}:{port}/"))
                        .build(),
                )
                .build()
        }
        Location::Named { name } => PhysicalLocation::builder()
            .artifact_location(ArtifactLocation::builder().uri(name.clone()).build())
            .build(),
        Location::Object {
            namespace,
            kind,
            name,
            ..
        } => {
            // Objects from a manifest file point at the file (code scanning shows the
            // alert there); objects from a cluster at a `k8s/…` path of their own.
            let from_file = report
                .k8s
                .as_ref()
                .is_some_and(|k| k.source == Some(super::k8s::K8sSource::Manifests))
                && report.target != "-";
            let artifact = if from_file {
                ArtifactLocation::builder()
                    .uri(report.target.clone())
                    .uri_base_id("%SRCROOT%")
                    .build()
            } else {
                let object = Location::object_name(namespace.as_deref(), kind, name);
                ArtifactLocation::builder()
                    .uri(format!("k8s/{object}"))
                    .build()
            };
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .build()
        }
    };
    let builder = SarifLocation::builder().physical_location(physical);
    match &finding.location {
        Location::Object { kind, .. } => builder
            .logical_locations(vec![
                LogicalLocation::builder()
                    .fully_qualified_name(finding.location.display())
                    .kind(kind.clone())
                    .build(),
            ])
            .build(),
        _ => builder.build(),
    }
}

/// A stable identity for GitHub's alert de-duplication: code, place and evidence.
fn fingerprint(finding: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(finding.code.as_str());
    h.update([0]);
    h.update(finding.location.display());
    h.update([0]);
    h.update(&finding.evidence);
    hex::encode(&h.finalize()[..16])
}

/// One SARIF log with one run holding every report's findings.
pub fn to_sarif(reports: &[ScanReport]) -> Sarif {
    let used: BTreeSet<FindingCode> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(|f| f.code))
        .collect();
    let codes: Vec<FindingCode> = used.into_iter().collect();
    let rules: Vec<ReportingDescriptor> = codes.iter().map(|c| rule(*c)).collect();
    let results: Vec<SarifResult> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
        .map(|(r, f)| {
            let index = codes.iter().position(|c| *c == f.code).unwrap_or(0);
            SarifResult::builder()
                .rule_id(f.code.as_str())
                .rule_index(i64::try_from(index).unwrap_or(0))
                .level(level(f.severity))
                .message(
                    Message::builder()
                        .text(format!("{} — {}", f.title, f.evidence))
                        .build(),
                )
                .locations(vec![location(r, f)])
                .partial_fingerprints(BTreeMap::from([(
                    "postqFinding/v1".to_owned(),
                    fingerprint(f),
                )]))
                .properties(properties(
                    f.severity,
                    &[(
                        "severity",
                        serde_json::Value::String(f.severity.as_str().to_owned()),
                    )],
                ))
                .build()
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("postq")
        .full_name(format!("postq scan {}", env!("CARGO_PKG_VERSION")))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://postq.dev")
        .rules(rules)
        .build();
    Sarif::builder()
        .schema(SARIF_SCHEMA)
        .version(serde_json::Value::String("2.1.0".to_owned()))
        .runs(vec![
            Run::builder()
                .tool(Tool::builder().driver(driver).build())
                .results(results)
                .column_kind(serde_json::Value::String("unicodeCodePoints".to_owned()))
                .build(),
        ])
        .build()
}
