//! Hybrid TLS rollovers (PostQ reference, "Mitigations — Hybrid TLS Rollover"): mint an
//! ECDSA P-256 leaf with the ML-DSA-65 sidecar for a weak-TLS finding of a cloud scan,
//! deliver its private key exactly once, and walk the staged plan.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use postq::sidecar::{MintRequest, mint, normalize_hostname};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use zeroize::Zeroize;

use super::{ApiJson, ApiQuery, OptionalJson, page_limit};
use super::{IdCursor, finish_page, id_cursor};
use crate::AppState;
use crate::artifacts::{self, ARTIFACTS, ArtifactInputs};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::ids;
use crate::middleware::ReplayInstead;
use crate::store_rollover::{
    HistoryEntry, Move, NewRollover, PlanStage, RolloverRow, is_terminal, next_status,
};

/// Postures the rollover mitigates (case-insensitive substrings of a finding title).
pub const QUALIFYING: [&str; 3] = ["TLS-1.0-MIN", "TLS-1.1-MIN", "HTTPS-NOT-ENFORCED"];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRolloverRequest {
    /// A qualifying finding (`fnd_…`) of a `cloud` scan of your organisation.
    pub finding_id: String,
    /// The App Service custom hostname.
    #[schema(example = "app.contoso.example")]
    pub hostname: String,
    /// Observation window in hours, 1–720 (default 24).
    pub observation_window_hours: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The next status: `observation`, `cutover` or `completed`, one step at a time.
    #[schema(example = "observation")]
    pub to: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackRequest {}

/// A rollover. Never any private key bytes.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rollover {
    #[schema(example = "tlsr_01JDQ3ZQ8J6V8X4K5N2M7P9R1T")]
    pub id: String,
    /// `planned`, `observation`, `cutover`, `completed` or `rolled_back`.
    pub status: String,
    pub hostname: String,
    pub finding_id: String,
    pub scan_id: String,
    /// Certificate serial, lowercase hex.
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub certificate_pem: String,
    /// The canonical binding JSON the ML-DSA-65 sidecar signs (docs/formats.md §3).
    pub binding: String,
    /// SHA-256 (hex) of the sidecar's ML-DSA-65 public key.
    pub pq_public_key_fingerprint: String,
    pub observation_window_hours: u32,
    pub plan: Vec<PlanStage>,
    pub artifacts: Vec<String>,
    pub history: Vec<HistoryEntry>,
    pub created_at: String,
    pub updated_at: String,
}

/// The one-shot create response: the rollover, its private key and every artifact.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloverCreated {
    #[serde(flatten)]
    pub rollover: Rollover,
    /// The ECDSA P-256 private key, PKCS#8 PEM. Returned here only; never stored.
    pub private_key_pem: String,
    /// Every artifact's text by name.
    pub files: BTreeMap<String, String>,
}

impl std::fmt::Debug for RolloverCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RolloverCreated")
            .field("rollover", &self.rollover)
            .field("private_key_pem", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Drop for RolloverCreated {
    fn drop(&mut self) {
        self.private_key_pem.zeroize();
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RolloverList {
    pub data: Vec<Rollover>,
    #[serde(rename = "nextCursor")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RolloverListParams {
    /// Page size, 1–100 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from a previous `nextCursor`.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DownloadParams {
    /// `cert.pem`, `bundle.sh`, `import.sh`, `bind.sh`, `rollback.sh` or `site.bicep`.
    pub artifact: Option<String>,
}

fn require_any(auth: &AuthContext, scopes: [&str; 2]) -> Result<(), ApiError> {
    if scopes.iter().any(|s| auth.scopes.iter().any(|a| a == s)) {
        Ok(())
    } else {
        Err(ApiError::insufficient_scope(scopes[0]))
    }
}

fn require_read(auth: &AuthContext) -> Result<(), ApiError> {
    require_any(auth, ["sign:read", "rollover:read"])
}

fn require_write(auth: &AuthContext) -> Result<(), ApiError> {
    require_any(auth, ["sign:write", "rollover:write"])
}

fn rollover_path_id(id: &str) -> Result<(), ApiError> {
    if ids::is_id("tlsr", id) {
        Ok(())
    } else {
        Err(ApiError::not_found("Rollover"))
    }
}

/// The four stages, with the observation window.
pub fn plan(window_hours: u32) -> Vec<PlanStage> {
    vec![
        PlanStage {
            status: "planned".into(),
            description: "Certificate minted, ML-DSA-65 sidecar signed, bundle delivered. No Azure state changed yet.".into(),
            duration_hours: None,
        },
        PlanStage {
            status: "observation".into(),
            description: format!(
                "Import to Key Vault and bind the hybrid certificate with SNI (import.sh, bind.sh); no cutover. Watch handshake error rates for {window_hours} h."
            ),
            duration_hours: Some(window_hours),
        },
        PlanStage {
            status: "cutover".into(),
            description: "Promote the hybrid certificate to primary; enforce HTTPS-only, minimum TLS 1.2 and FTPS-only (bundle.sh).".into(),
            duration_hours: None,
        },
        PlanStage {
            status: "completed".into(),
            description: "Retire the old TLS 1.0/1.1 minimum and any legacy certificate; the hybrid binding is the source of truth.".into(),
            duration_hours: None,
        },
    ]
}

fn to_rollover(r: RolloverRow) -> Rollover {
    Rollover {
        id: r.id,
        status: r.status,
        hostname: r.hostname,
        finding_id: r.finding_id,
        scan_id: r.scan_id,
        serial: r.serial,
        not_before: r.not_before,
        not_after: r.not_after,
        certificate_pem: r.certificate_pem,
        binding: r.binding,
        pq_public_key_fingerprint: r.pq_public_key_fingerprint,
        observation_window_hours: r.observation_window_hours,
        plan: r.plan,
        artifacts: ARTIFACTS.iter().map(|a| (*a).to_owned()).collect(),
        history: r.history,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn inputs(r: &RolloverRow) -> ArtifactInputs<'_> {
    ArtifactInputs {
        rollover_id: &r.id,
        hostname: &r.hostname,
        serial: &r.serial,
        not_after: &r.not_after,
        certificate_pem: &r.certificate_pem,
    }
}

fn artifact_error(e: artifacts::ArtifactError) -> ApiError {
    tracing::error!(error = %e, "artifact generation failed");
    ApiError::internal()
}

/// A hostname the rollover can mint for: normalised, one DNS name, `[a-z0-9.-]` only.
fn rollover_hostname(raw: &str) -> Result<String, ApiError> {
    let bad = || {
        ApiError::validation(
            "hostname: must be a DNS name such as app.contoso.example (no wildcard, no IP).",
        )
    };
    if raw.len() > 253 {
        return Err(bad());
    }
    let host = normalize_hostname(raw).map_err(|_| bad())?;
    let ok_chars = host
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let all_numeric = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if host.is_empty() || !ok_chars || all_numeric || host.starts_with(['.', '-']) {
        return Err(bad());
    }
    Ok(host)
}

/// Mint the hybrid certificate for a qualifying finding. One-shot: the response holds
/// the private key, which is never stored, logged or returned again.
#[utoipa::path(post, path = "/v1/mitigations/tls-rollover", tag = "rollover",
    request_body = CreateRolloverRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A replay does not return the private key again: it is 409 already_delivered")),
    responses(
        (status = 200, description = "The rollover, its private key (once) and every artifact", body = RolloverCreated),
        (status = 400, description = "validation_error or finding_not_eligible", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:write", body = ErrorEnvelope),
        (status = 404, description = "No such finding in a cloud scan of your organisation", body = ErrorEnvelope),
        (status = 409, description = "Idempotency-Key reused, or already_delivered", body = ErrorEnvelope),
    ))]
pub async fn create_rollover(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiJson(req): ApiJson<CreateRolloverRequest>,
) -> ApiResult<Response> {
    require_write(&auth)?;
    let hostname = rollover_hostname(&req.hostname)?;
    let window = req.observation_window_hours.unwrap_or(24);
    if !(1..=720).contains(&window) {
        return Err(ApiError::validation(
            "observationWindowHours must be between 1 and 720.",
        ));
    }
    if !ids::is_id("fnd", &req.finding_id) {
        return Err(ApiError::not_found("Finding"));
    }
    let (finding, scan) = state
        .store
        .get_finding(&auth.org_id, &req.finding_id)
        .await?
        .filter(|(_, scan)| scan.scan_type == "cloud")
        .ok_or_else(|| ApiError::not_found("Finding"))?;
    let title = finding.title.to_ascii_uppercase();
    if !QUALIFYING.iter().any(|q| title.contains(q)) {
        return Err(ApiError::bad_request(
            "finding_not_eligible",
            format!(
                "The finding is not a weak-TLS posture; a rollover needs one of {}.",
                QUALIFYING.join(", ")
            ),
        ));
    }
    let host = hostname.clone();
    let minted = tokio::task::spawn_blocking(move || mint(&MintRequest::new(host)))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(code = e.code(), "minting failed");
            ApiError::internal()
        })?;
    let binding = String::from_utf8(minted.binding.to_bytes()).map_err(|_| ApiError::internal())?;
    let new = NewRollover {
        finding_id: finding.id,
        scan_id: scan.id,
        hostname,
        serial: minted.binding.serial.clone(),
        not_before: minted.binding.not_before.clone(),
        not_after: minted.binding.not_after.clone(),
        certificate_pem: minted.certificate_pem.clone(),
        binding,
        pq_public_key_fingerprint: hex::encode(Sha256::digest(&minted.pq_public_key)),
        observation_window_hours: window,
        plan: plan(window),
    };
    let row = state
        .store
        .insert_rollover(&auth.org_id, &auth.actor(), new)
        .await?;
    let files = artifacts::render_all(&inputs(&row)).map_err(artifact_error)?;
    tracing::info!(rollover_id = %row.id, "tls rollover created");
    let id = row.id.clone();
    let created = RolloverCreated {
        rollover: to_rollover(row),
        private_key_pem: minted.private_key_pem.to_string(),
        files,
    };
    let mut resp = Json(&created).into_response();
    drop(created);
    // An Idempotency-Key replay must not hand the key out again (nor may the stored
    // response hold it): a retry of this request gets this error instead.
    let replay = crate::error::ErrorEnvelope {
        error: crate::error::ErrorBody {
            code: "already_delivered".into(),
            message: format!(
                "This request already created rollover {id}; its private key was delivered once and is never returned again. Roll it back and create a new rollover if the key was lost."
            ),
            request_id: crate::error::current_request_id(),
        },
    };
    resp.extensions_mut().insert(ReplayInstead {
        status: StatusCode::CONFLICT,
        body: serde_json::to_vec(&replay).unwrap_or_default(),
    });
    Ok(resp)
}

/// List rollovers, newest first (no key bytes).
#[utoipa::path(get, path = "/v1/mitigations/tls-rollover", tag = "rollover", params(RolloverListParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of rollovers", body = RolloverList),
        (status = 400, description = "Bad limit or cursor", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:read", body = ErrorEnvelope),
    ))]
pub async fn list_rollovers(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiQuery(params): ApiQuery<RolloverListParams>,
) -> ApiResult<Json<RolloverList>> {
    require_read(&auth)?;
    let limit = page_limit(params.limit)?;
    let before = id_cursor(params.cursor.as_deref(), "tlsr")?;
    let mut rows = state
        .store
        .list_rollovers(&auth.org_id, before.as_deref(), limit)
        .await?;
    let next_cursor = finish_page(&mut rows, limit, |r| IdCursor { id: r.id.clone() });
    Ok(Json(RolloverList {
        data: rows.into_iter().map(to_rollover).collect(),
        next_cursor,
    }))
}

/// One rollover (no key bytes).
#[utoipa::path(get, path = "/v1/mitigations/tls-rollover/{id}", tag = "rollover",
    params(("id" = String, Path, description = "tlsr_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The rollover", body = Rollover),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:read", body = ErrorEnvelope),
        (status = 404, description = "No such rollover in your organisation", body = ErrorEnvelope),
    ))]
pub async fn get_rollover(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> ApiResult<Json<Rollover>> {
    require_read(&auth)?;
    rollover_path_id(&id)?;
    let row = state
        .store
        .get_rollover(&auth.org_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Rollover"))?;
    Ok(Json(to_rollover(row)))
}

/// Download one artifact as a file.
#[utoipa::path(get, path = "/v1/mitigations/tls-rollover/{id}/download", tag = "rollover",
    params(("id" = String, Path, description = "tlsr_…"), DownloadParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The file: `application/x-pem-file` (cert.pem), `text/x-shellscript; charset=utf-8` (*.sh) or `text/plain; charset=utf-8` (site.bicep), with `Content-Disposition: attachment; filename=\"postq-<hostname>-<artifact>\"` and `X-Content-Type-Options: nosniff`", content_type = "text/plain", body = String),
        (status = 400, description = "Unknown artifact", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:read", body = ErrorEnvelope),
        (status = 404, description = "No such rollover in your organisation", body = ErrorEnvelope),
    ))]
pub async fn download_artifact(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<DownloadParams>,
) -> ApiResult<Response> {
    require_read(&auth)?;
    rollover_path_id(&id)?;
    let name = params
        .artifact
        .as_deref()
        .filter(|a| ARTIFACTS.contains(a))
        .ok_or_else(|| {
            ApiError::validation(format!("artifact must be one of {}.", ARTIFACTS.join(", ")))
        })?;
    let row = state
        .store
        .get_rollover(&auth.org_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Rollover"))?;
    let body = artifacts::render(name, &inputs(&row)).map_err(artifact_error)?;
    let disposition =
        artifacts::content_disposition(&row.hostname, name).map_err(artifact_error)?;
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(artifacts::content_type(name)),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|_| ApiError::internal())?,
    );
    h.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

fn invalid(current: &str, to: &str) -> ApiError {
    let hint = match next_status(current) {
        Some(next) => format!("the next step from `{current}` is `{next}`"),
        None => format!("`{current}` is terminal"),
    };
    ApiError::conflict(
        "invalid_transition",
        format!(
            "Cannot move the rollover from `{current}` to `{}`; {hint}. Current status: {current}.",
            to.escape_debug()
        ),
    )
}

/// Advance one stage: planned → observation → cutover → completed.
#[utoipa::path(post, path = "/v1/mitigations/tls-rollover/{id}/transition", tag = "rollover",
    request_body = TransitionRequest,
    params(("id" = String, Path, description = "tlsr_…"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The rollover in its new status", body = Rollover),
        (status = 400, description = "Malformed body", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:write", body = ErrorEnvelope),
        (status = 404, description = "No such rollover in your organisation", body = ErrorEnvelope),
        (status = 409, description = "invalid_transition (names the current status)", body = ErrorEnvelope),
    ))]
pub async fn transition_rollover(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TransitionRequest>,
) -> ApiResult<Json<Rollover>> {
    require_write(&auth)?;
    rollover_path_id(&id)?;
    let to = req.to.clone();
    let outcome = state
        .store
        .move_rollover(
            &auth.org_id,
            &auth.actor(),
            &id,
            &to,
            "rollover.transition",
            |current| next_status(current) == Some(to.as_str()),
        )
        .await?;
    match outcome {
        Move::Done(row) => {
            tracing::info!(rollover_id = %id, status = %row.status, "rollover transitioned");
            Ok(Json(to_rollover(*row)))
        }
        Move::NotFound => Err(ApiError::not_found("Rollover")),
        Move::Invalid(current) => Err(invalid(&current, &req.to)),
    }
}

/// Mark rolled back (terminal) from any non-terminal status.
#[utoipa::path(post, path = "/v1/mitigations/tls-rollover/{id}/rollback", tag = "rollover",
    request_body(content = Option<RollbackRequest>, description = "Empty or {}"),
    params(("id" = String, Path, description = "tlsr_…"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The rollover, now rolled_back", body = Rollover),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:write", body = ErrorEnvelope),
        (status = 404, description = "No such rollover in your organisation", body = ErrorEnvelope),
        (status = 409, description = "invalid_transition from completed or rolled_back", body = ErrorEnvelope),
    ))]
pub async fn rollback_rollover(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
    OptionalJson(_req): OptionalJson<RollbackRequest>,
) -> ApiResult<Json<Rollover>> {
    require_write(&auth)?;
    rollover_path_id(&id)?;
    let outcome = state
        .store
        .move_rollover(
            &auth.org_id,
            &auth.actor(),
            &id,
            "rolled_back",
            "rollover.rollback",
            |current| !is_terminal(current),
        )
        .await?;
    match outcome {
        Move::Done(row) => {
            tracing::info!(rollover_id = %id, "rollover rolled back");
            Ok(Json(to_rollover(*row)))
        }
        Move::NotFound => Err(ApiError::not_found("Rollover")),
        Move::Invalid(current) => Err(invalid(&current, "rolled_back")),
    }
}
