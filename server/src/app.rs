//! The application: shared state, and the routes with their middleware.

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{any, get, post};
use postq::error::ErrorCode;
use postq::hybrid::HybridSigningKey;

use crate::auth;
use crate::config::Config;
use crate::dashboard;
use crate::error::ApiError;
use crate::kek::Kek;
use crate::middleware::{self, FaultCounts, Limiters};
use crate::openapi;
use crate::routes::{audit, health, ingest, keys, rollover, scans, sign, vault};
use crate::store::Store;

/// Shared by every handler.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) config: Arc<Config>,
    pub(crate) kek: Arc<Kek>,
    /// Signs the audit ledger's checkpoints (sealed under the KEK at rest).
    pub(crate) ledger_key: Arc<HybridSigningKey>,
    pub(crate) limiters: Arc<Limiters>,
    /// Counts for `X-PostQ-Fault: …,times=N`.
    pub(crate) fault_counts: Arc<FaultCounts>,
    /// Base of permalinks and dashboard links, without a trailing slash
    /// ([`Config::dashboard_base`]).
    pub(crate) dashboard_base: Arc<str>,
}

impl AppState {
    pub(crate) fn new(
        store: Store,
        config: Config,
        kek: Kek,
        ledger_key: HybridSigningKey,
        dashboard_base: String,
    ) -> Self {
        Self {
            ledger_key: Arc::new(ledger_key),
            store,
            dashboard_base: dashboard_base.into(),
            limiters: Arc::new(Limiters::new(
                config.rate_limits,
                config.connection_limits.unauthenticated_per_minute,
            )),
            fault_counts: Arc::new(FaultCounts::default()),
            config: Arc::new(config),
            kek: Arc::new(kek),
        }
    }
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(&format!("Route {method} {}", uri.path()))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "Method not allowed on this route.",
    )
}

/// Routes and middleware, without a listener. The route list here and the OpenAPI
/// document (`openapi.rs`) name the same handlers; a test holds them together.
pub(crate) fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/v1/scans", post(scans::create_scan).get(scans::list_scans))
        .route("/v1/scans/{id}", get(scans::get_scan))
        .route("/v1/ingest/kubernetes", post(ingest::ingest_kubernetes))
        .route("/v1/keys", post(keys::create_key).get(keys::list_keys))
        .route("/v1/keys/{id}", get(keys::get_key).patch(keys::update_key))
        .route("/v1/keys/{id}/public", get(keys::get_public_key))
        .route("/v1/keys/{id}/rotate", post(keys::rotate_key))
        .route("/v1/sign", post(sign::sign))
        .route("/v1/verify", post(sign::verify))
        .route("/v1/audit", get(audit::list_audit))
        .route("/v1/audit/checkpoint", get(audit::checkpoint))
        .route("/v1/audit/ledger-key", get(audit::ledger_key))
        .route("/v1/audit/proofs/inclusion", get(audit::inclusion_proof))
        .route(
            "/v1/audit/proofs/consistency",
            get(audit::consistency_proof),
        )
        .route(
            "/v1/vault/credentials",
            post(vault::seal_credential).get(vault::list_credentials),
        )
        .route(
            "/v1/vault/credentials/{id}",
            get(vault::unseal_credential).delete(vault::delete_credential),
        )
        .route(
            "/v1/vault/credentials/{id}/rotate",
            post(vault::rotate_credential),
        )
        .route(
            "/v1/mitigations/tls-rollover",
            post(rollover::create_rollover).get(rollover::list_rollovers),
        )
        .route(
            "/v1/mitigations/tls-rollover/{id}",
            get(rollover::get_rollover),
        )
        .route(
            "/v1/mitigations/tls-rollover/{id}/download",
            get(rollover::download_artifact),
        )
        .route(
            "/v1/mitigations/tls-rollover/{id}/transition",
            post(rollover::transition_rollover),
        )
        .route(
            "/v1/mitigations/tls-rollover/{id}/rollback",
            post(rollover::rollback_rollover),
        )
        // Unknown routes under /v1 are authenticated and rate-limited like known ones.
        .route("/v1", any(not_found))
        .route("/v1/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), middleware::fault_delay))
        .layer(from_fn_with_state(state.clone(), middleware::idempotency))
        .layer(from_fn_with_state(state.clone(), middleware::faults))
        // The body is read only once the caller is known and within its rate.
        .layer(from_fn_with_state(state.clone(), middleware::body_limit))
        .layer(from_fn_with_state(state.clone(), middleware::rate_limit))
        .layer(from_fn_with_state(state.clone(), auth::require_api_key));
    Router::new()
        .route("/health", get(health::health))
        .route("/openapi.json", get(openapi::serve))
        .method_not_allowed_fallback(method_not_allowed)
        .merge(v1)
        .merge(dashboard::router(state.clone()))
        .fallback(not_found)
        .layer(from_fn_with_state(
            state.clone(),
            middleware::peer_rate_limit,
        ))
        .layer(from_fn(middleware::request_id))
        .with_state(state)
}
