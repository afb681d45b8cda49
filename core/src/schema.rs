//! The wire types' schemas (feature `schema`), listed once: the reference server puts
//! them in its OpenAPI document, and every binding's models are generated from them.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use crate::{api, error, hybrid, ledger, sidecar};

/// A named component schema.
pub type Component = (String, RefOr<Schema>);

fn add<T: utoipa::ToSchema>(out: &mut Vec<Component>) {
    out.push((T::name().into_owned(), T::schema()));
    T::schemas(out);
}

/// Every wire type of the API and of the offline formats, by name, sorted, each once.
pub fn components() -> Vec<Component> {
    let mut out = Vec::new();
    // Scans
    add::<api::CreateScanRequest>(&mut out);
    add::<api::FindingInput>(&mut out);
    add::<api::Finding>(&mut out);
    add::<api::Scan>(&mut out);
    add::<api::ScanSummary>(&mut out);
    add::<api::RiskLevel>(&mut out);
    add::<api::Severity>(&mut out);
    add::<api::ListQuery>(&mut out);
    add::<api::Include>(&mut out);
    // Agent reports
    add::<api::IngestKubernetesRequest>(&mut out);
    add::<api::KubernetesFinding>(&mut out);
    add::<api::KubernetesObjectRef>(&mut out);
    add::<api::KubernetesSummary>(&mut out);
    // Keys and signing
    add::<api::CreateKeyRequest>(&mut out);
    add::<api::RotateKeyRequest>(&mut out);
    add::<api::UpdateKeyRequest>(&mut out);
    add::<api::HybridKey>(&mut out);
    add::<api::KeyVersion>(&mut out);
    add::<api::SignRequest>(&mut out);
    add::<api::SignResponse>(&mut out);
    add::<api::VerifyRequest>(&mut out);
    add::<api::VerifyResponse>(&mut out);
    add::<api::PayloadEncoding>(&mut out);
    // Vault
    add::<api::SealRequest>(&mut out);
    add::<api::Credential>(&mut out);
    add::<api::UnsealedCredential>(&mut out);
    add::<api::Deleted>(&mut out);
    // Rollovers
    add::<api::CreateRolloverRequest>(&mut out);
    add::<api::TransitionRequest>(&mut out);
    add::<api::RollbackRequest>(&mut out);
    add::<api::Rollover>(&mut out);
    add::<api::RolloverCreated>(&mut out);
    add::<api::RolloverStatus>(&mut out);
    add::<api::PlanStage>(&mut out);
    add::<api::HistoryEntry>(&mut out);
    // Audit ledger
    add::<api::AuditQuery>(&mut out);
    add::<ledger::LedgerEntry>(&mut out);
    add::<ledger::EventType>(&mut out);
    add::<ledger::ChainReport>(&mut out);
    add::<ledger::ChainFailure>(&mut out);
    add::<api::SignedCheckpoint>(&mut out);
    add::<ledger::LedgerKey>(&mut out);
    add::<ledger::InclusionProof>(&mut out);
    add::<ledger::ConsistencyProof>(&mut out);
    add::<ledger::NodeHash>(&mut out);
    // Health and errors
    add::<api::Health>(&mut out);
    add::<api::ErrorEnvelope>(&mut out);
    add::<api::ErrorBody>(&mut out);
    add::<error::ErrorCode>(&mut out);
    add::<error::ErrorKind>(&mut out);
    // Offline results
    add::<hybrid::VerifyResult>(&mut out);
    add::<sidecar::SidecarReport>(&mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_component_is_named_once_and_references_resolve() {
        let components = super::components();
        let names: Vec<&str> = components.iter().map(|(n, _)| n.as_str()).collect();
        for must in [
            "Scan",
            "FindingInput",
            "RolloverStatus",
            "LedgerEntry",
            "SidecarReport",
        ] {
            assert!(names.contains(&must), "{must} missing from {names:?}");
        }
        let text = serde_json::to_string(&components).unwrap();
        for reference in text.split("#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap_or_default();
            assert!(names.contains(&name), "dangling reference to {name}");
        }
    }
}
