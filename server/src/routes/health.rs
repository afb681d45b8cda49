//! `GET /health`.

use axum::Json;
use postq::api::Health;

/// Liveness probe; no authentication.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "The server is up: `{\"status\":\"ok\"}`", body = Health)))]
pub(crate) async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}
