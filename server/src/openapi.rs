//! The OpenAPI 3.1 document, generated from the handlers' annotations (`utoipa`).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{audit, health, keys, rollover, scans, sign, vault};

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

#[derive(OpenApi)]
#[openapi(
    info(
        title = "postq API",
        description = "postq reference server: scans, managed hybrid (ML-DSA-65 + Ed25519) signing keys, sign/verify, a post-quantum credential vault, hybrid TLS rollovers and a hash-chained audit ledger. Errors are `{\"error\":{\"code\",\"message\",\"requestId\"}}`; every response has `X-Request-Id`; writes accept `Idempotency-Key`; responses carry `X-RateLimit-Limit/Remaining/Reset`.",
        license(name = "Apache-2.0")
    ),
    paths(
        health::health,
        scans::create_scan,
        scans::list_scans,
        scans::get_scan,
        keys::create_key,
        keys::list_keys,
        keys::get_key,
        keys::get_public_key,
        keys::rotate_key,
        keys::update_key,
        sign::sign,
        sign::verify,
        audit::list_audit,
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
    components(schemas(crate::error::ErrorEnvelope, crate::error::ErrorBody)),
    modifiers(&Security),
    tags(
        (name = "health", description = "Liveness"),
        (name = "scans", description = "Scan results and findings"),
        (name = "keys", description = "Managed hybrid signing keys"),
        (name = "signing", description = "Hybrid sign and verify"),
        (name = "audit", description = "Hash-chained audit ledger"),
        (name = "vault", description = "Post-quantum credential vault (pqseal-v1: ML-KEM-768 + X25519); every refusal is a uniform 403 access_denied"),
        (name = "rollover", description = "Hybrid TLS rollover: ECDSA P-256 leaf with an ML-DSA-65 sidecar, one-shot private key, staged plan"),
    )
)]
pub struct ApiDoc;

/// The document as JSON text.
pub fn document() -> String {
    ApiDoc::openapi().to_json().unwrap_or_default()
}

/// `GET /openapi.json` (no authentication).
pub async fn serve() -> Response {
    let mut resp = document().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}
