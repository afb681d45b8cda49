//! `POST /v1/ingest/kubernetes`: a cluster report from the in-cluster agent, recorded
//! as one scan (type `k8s`, source `agent`, target the cluster name) in one transaction.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use postq::api::{ErrorEnvelope, IngestKubernetesRequest, Scan};
use postq::error::ErrorCode;

use super::extract::ApiJson;
use super::scans::{permalink, store_scan};
use crate::app::AppState;
use crate::auth::{self, Authorized};
use crate::error::{ApiError, ApiResult};

/// Record a Kubernetes cluster report as a scan. The report is checked whole before
/// anything is written, and written in one transaction: all of it or nothing.
#[utoipa::path(post, path = "/v1/ingest/kubernetes", tag = "scans",
    request_body = IngestKubernetesRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries: a retried report records one scan")),
    responses(
        (status = 200, description = "The scan the report was recorded as (type k8s, source agent)", body = Scan),
        (status = 400, description = "Validation failed; nothing was recorded", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing scans:write (checked before the body), or orgId is not the key's organisation", body = ErrorEnvelope),
        (status = 409, description = "Idempotency-Key reused", body = ErrorEnvelope),
        (status = 413, description = "Body too large", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub(crate) async fn ingest_kubernetes(
    State(state): State<AppState>,
    auth: Authorized<auth::ScansWrite>,
    ApiJson(report): ApiJson<IngestKubernetesRequest>,
) -> ApiResult<Json<Scan>> {
    report.validate().map_err(|e| ApiError::from_rule(&e))?;
    if let Some(org) = &report.org_id
        && org != &auth.org_id
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::AccessDenied,
            "orgId is not this API key's organisation.",
        ));
    }
    let (record, findings) =
        store_scan(&state.store, &auth.org_id, report.to_scan_request()).await?;
    tracing::info!(scan_id = %record.id, findings = findings.len(), "kubernetes report stored");
    let url = permalink(&state, &record.id);
    Ok(Json(record.into_scan(url, findings)))
}
