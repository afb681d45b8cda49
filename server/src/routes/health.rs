use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness probe; no authentication.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}
