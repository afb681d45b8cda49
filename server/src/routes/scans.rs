//! `POST /v1/scans`, `GET /v1/scans`, `GET /v1/scans/{id}`.

use axum::Json;
use axum::extract::State;
use postq::api::ErrorEnvelope;
use postq::api::{CreateScanRequest, Finding, Include, Scan};

use super::extract::{ApiJson, ApiQuery, PathId};
use super::lists::ScanList;
use super::paging::{ListParams, budgeted_id_page};
use crate::app::AppState;
use crate::auth::{self, Authorized};
use crate::error::{ApiError, ApiResult};
use crate::finding_codes::code_from_title;
use crate::ids;
use crate::store::{ScanRecord, Store};

/// Where a scan is shown: `<dashboard-url>/scans/<id>`.
pub(crate) fn permalink(state: &AppState, id: &str) -> String {
    format!("{}/scans/{id}", state.dashboard_base)
}

/// Check a submitted scan by core's rules, fill the defaults (`source` = `sdk`, a
/// finding's code from its title for clients that predate codes) and store it: what
/// `POST /v1/scans` does after authentication.
pub(crate) async fn store_scan(
    store: &Store,
    org_id: &str,
    mut scan: CreateScanRequest,
) -> ApiResult<(ScanRecord, Vec<Finding>)> {
    scan.validate().map_err(|e| ApiError::from_rule(&e))?;
    scan.source.get_or_insert_with(|| "sdk".to_owned());
    for finding in &mut scan.findings {
        if finding.code.is_none() {
            finding.code = code_from_title(&finding.title).map(str::to_owned);
        }
    }
    Ok(store.insert_scan(org_id, &scan).await?)
}

/// Submit a scan result. Submitting the same type + target twice makes two records.
#[utoipa::path(post, path = "/v1/scans", tag = "scans", request_body = CreateScanRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "The stored scan", body = Scan),
        (status = 400, description = "Validation failed", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing scans:write (checked before the body)", body = ErrorEnvelope),
        (status = 409, description = "Idempotency-Key reused", body = ErrorEnvelope),
        (status = 413, description = "Body too large", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub(crate) async fn create_scan(
    State(state): State<AppState>,
    auth: Authorized<auth::ScansWrite>,
    ApiJson(req): ApiJson<CreateScanRequest>,
) -> ApiResult<Json<Scan>> {
    let (record, findings) = store_scan(&state.store, &auth.org_id, req).await?;
    tracing::info!(scan_id = %record.id, findings = findings.len(), "scan stored");
    let url = permalink(&state, &record.id);
    Ok(Json(record.into_scan(url, findings)))
}

/// List scans, newest first, with keyset pagination (pages never reorder).
#[utoipa::path(get, path = "/v1/scans", tag = "scans", params(ListParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of scans", body = ScanList),
        (status = 400, description = "Bad limit, cursor or include", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing scans:read", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub(crate) async fn list_scans(
    State(state): State<AppState>,
    auth: Authorized<auth::ScansRead>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<ScanList>> {
    let page = params.page(&[Include::Findings, Include::Metadata], "scan")?;
    let rows = state
        .store
        .list_scans(&auth.org_id, page.before.as_deref(), page.limit)
        .await?;
    let with_metadata = page.include.contains(&Include::Metadata);
    let with_findings = page.include.contains(&Include::Findings);
    let (data, next_cursor) = budgeted_id_page(
        rows,
        page.limit,
        |r| &r.id,
        |record: ScanRecord| {
            let state = &state;
            async move {
                let findings = if with_findings {
                    Some(state.store.scan_findings(&record.id).await?)
                } else {
                    None
                };
                let url = permalink(state, &record.id);
                Ok(record.into_summary(url, with_metadata, findings))
            }
        },
    )
    .await?;
    Ok(Json(ScanList { data, next_cursor }))
}

/// Fetch one scan with all its findings.
#[utoipa::path(get, path = "/v1/scans/{id}", tag = "scans",
    params(("id" = String, Path, description = "scan_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The scan", body = Scan),
        (status = 400, description = "An id that is not UTF-8", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing scans:read", body = ErrorEnvelope),
        (status = 404, description = "No such scan in your organisation", body = ErrorEnvelope),
    ))]
pub(crate) async fn get_scan(
    State(state): State<AppState>,
    auth: Authorized<auth::ScansRead>,
    id: PathId,
) -> ApiResult<Json<Scan>> {
    let id = id.into_id()?;
    if !ids::is_id("scan", &id) {
        return Err(ApiError::not_found("Scan"));
    }
    let (record, findings) = state
        .store
        .get_scan(&auth.org_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Scan"))?;
    let url = permalink(&state, &record.id);
    Ok(Json(record.into_scan(url, findings)))
}
