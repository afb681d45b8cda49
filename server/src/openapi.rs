//! The OpenAPI 3.1 document: paths from the handlers' annotations (`utoipa`), the wire
//! types' schemas from core (`postq::schema::components()`, the one definition every
//! binding's models come from), plus the server's list wrappers.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{audit, health, ingest, keys, rollover, scans, sign, vault};

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pq_live_…")
                    .description(Some("An API key: `Authorization: Bearer pq_live_…`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
    }
}

/// Every wire type, as core defines it.
struct CoreSchemas;

impl Modify for CoreSchemas {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in postq::schema::components() {
            components.schemas.insert(name, schema);
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "postq API",
        description = "postq reference server: scans, managed hybrid (ML-DSA-65 + Ed25519) signing keys, sign/verify, a post-quantum credential vault, hybrid TLS rollovers and a hash-chained audit ledger. Errors are `{\"error\":{\"code\",\"message\",\"requestId\"}}` (codes: `ErrorCode`); every response has `X-Request-Id`; writes accept `Idempotency-Key`; responses carry `X-RateLimit-Limit/Remaining/Reset`. A key without a route's scope gets 403 before its body is read.",
        license(name = "Apache-2.0")
    ),
    paths(
        health::health,
        scans::create_scan,
        scans::list_scans,
        scans::get_scan,
        ingest::ingest_kubernetes,
        keys::create_key,
        keys::list_keys,
        keys::get_key,
        keys::get_public_key,
        keys::rotate_key,
        keys::update_key,
        sign::sign,
        sign::verify,
        audit::list_audit,
        audit::checkpoint,
        audit::ledger_key,
        audit::inclusion_proof,
        audit::consistency_proof,
        vault::seal_credential,
        vault::list_credentials,
        vault::unseal_credential,
        vault::rotate_credential,
        vault::delete_credential,
        rollover::create_rollover,
        rollover::list_rollovers,
        rollover::get_rollover,
        rollover::download_artifact,
        rollover::transition_rollover,
        rollover::rollback_rollover,
    ),
    modifiers(&Security, &CoreSchemas),
    tags(
        (name = "health", description = "Liveness"),
        (name = "scans", description = "Scan results and findings"),
        (name = "keys", description = "Managed hybrid signing keys"),
        (name = "signing", description = "Hybrid sign and verify"),
        (name = "audit", description = "Hash-chained audit ledger, its Merkle tree's signed checkpoints (C2SP signed notes: Ed25519 + ML-DSA-65) and inclusion/consistency proofs"),
        (name = "vault", description = "Post-quantum credential vault (pqseal-v1: ML-KEM-768 + X25519); every refusal is a uniform 403 access_denied"),
        (name = "rollover", description = "Hybrid TLS rollover: ECDSA P-256 leaf with an ML-DSA-65 sidecar, one-shot private key, staged plan; rolled_back is reachable from any other status"),
    )
)]
struct ApiDoc;

/// The document as JSON text.
pub(crate) fn document() -> String {
    ApiDoc::openapi().to_json().unwrap_or_default()
}

/// `GET /openapi.json` (no authentication).
pub(crate) async fn serve() -> Response {
    let mut resp = document().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reference_resolves_and_core_types_are_named_once() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for core in [
            "Scan",
            "CreateScanRequest",
            "RolloverStatus",
            "LedgerEntry",
            "ErrorEnvelope",
        ] {
            assert!(schemas.contains_key(core), "{core} missing");
        }
        for list in [
            "ScanList",
            "KeyList",
            "AuditList",
            "CredentialList",
            "RolloverList",
        ] {
            assert!(schemas.contains_key(list), "{list} missing");
        }
        let text = doc.to_string();
        for reference in text.split("#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap_or_default();
            assert!(schemas.contains_key(name), "dangling reference to {name}");
        }
    }
}
