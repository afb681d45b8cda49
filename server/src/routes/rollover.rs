//! Hybrid TLS rollovers (PostQ API reference, "Mitigations — Hybrid TLS Rollover"):
//! mint an ECDSA P-256 leaf with the ML-DSA-65 sidecar for a weak-TLS finding of a
//! cloud scan, deliver its private key exactly once, and walk the staged plan. Which
//! moves are allowed is core's state machine (`RolloverStatus::can_move_to`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use postq::api::{
    ARTIFACTS, CreateRolloverRequest, ErrorEnvelope, PlanStage, ROLLOVER_ELIGIBLE_CODES,
    RollbackRequest, Rollover, RolloverCreated, RolloverStatus, TransitionRequest,
};
use postq::error::ErrorCode;
use postq::sidecar::{MintRequest, mint};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use zeroize::Zeroizing;

use super::extract::{ApiJson, ApiQuery, OptionalJson, PathId, decode_json};
use super::lists::RolloverList;
use super::paging::{ListParams, finish_id_page};
use crate::app::AppState;
use crate::artifacts::{self, ArtifactInputs};
use crate::auth::{self, Authorized};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::middleware::ReplayInstead;
use crate::store::{Move, NewRollover};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DownloadParams {
    /// `cert.pem`, `bundle.sh`, `import.sh`, `bind.sh`, `rollback.sh` or `site.bicep`.
    artifact: Option<String>,
}

fn rollover_id(id: PathId) -> ApiResult<String> {
    let id = id.into_id()?;
    if ids::is_id("tlsr", &id) {
        Ok(id)
    } else {
        Err(ApiError::not_found("Rollover"))
    }
}

/// The four stages, with the observation window.
fn plan(window_hours: u32) -> Vec<PlanStage> {
    let stage = |status, description: String, duration_hours| PlanStage {
        status,
        description,
        duration_hours,
    };
    vec![
        stage(
            RolloverStatus::Planned,
            "Certificate minted, ML-DSA-65 sidecar signed, bundle delivered. No Azure state changed yet.".into(),
            None,
        ),
        stage(
            RolloverStatus::Observation,
            format!(
                "Import to Key Vault and bind the hybrid certificate with SNI (import.sh, bind.sh); no cutover. Watch handshake error rates for {window_hours} h."
            ),
            Some(window_hours),
        ),
        stage(
            RolloverStatus::Cutover,
            "Promote the hybrid certificate to primary; enforce HTTPS-only, minimum TLS 1.2 and FTPS-only (bundle.sh).".into(),
            None,
        ),
        stage(
            RolloverStatus::Completed,
            "Retire the old TLS 1.0/1.1 minimum and any legacy certificate; the hybrid binding is the source of truth.".into(),
            None,
        ),
    ]
}

fn artifact_error(e: artifacts::ArtifactError) -> ApiError {
    tracing::error!(error = %e, "artifact generation failed");
    ApiError::internal()
}

/// Whether a finding's code makes it eligible: the code alone decides (findings from
/// clients that predate codes got theirs from the title when they were stored).
fn eligible(code: Option<&str>) -> bool {
    code.is_some_and(|c| ROLLOVER_ELIGIBLE_CODES.contains(&c))
}

/// Mint the hybrid certificate for a qualifying finding. One-shot: the response holds
/// the private key, which is never stored, logged or returned again.
#[utoipa::path(post, path = "/v1/mitigations/tls-rollover", tag = "rollover",
    request_body = CreateRolloverRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A replay does not return the private key again: it is 409 already_delivered")),
    responses(
        (status = 200, description = "The rollover, its private key (once) and every artifact", body = RolloverCreated),
        (status = 400, description = "validation_error, or finding_not_eligible (the finding's code is not TLS-1.0-MIN, TLS-1.1-MIN or HTTPS-NOT-ENFORCED)", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:write (or rollover:write; checked before the body)", body = ErrorEnvelope),
        (status = 404, description = "No such finding in a cloud scan of your organisation", body = ErrorEnvelope),
        (status = 409, description = "Idempotency-Key reused, or already_delivered", body = ErrorEnvelope),
    ))]
pub(crate) async fn create_rollover(
    State(state): State<AppState>,
    auth: Authorized<auth::RolloverWrite>,
    ApiJson(req): ApiJson<CreateRolloverRequest>,
) -> ApiResult<Response> {
    let created = mint_rollover(&state, &auth, req).await?;
    let id = created.rollover.id.clone();
    let mut resp = Json(&created).into_response();
    drop(created);
    // An Idempotency-Key replay must not hand the key out again (nor may the stored
    // response hold it): a retry of this request gets this error instead.
    resp.extensions_mut().insert(ReplayInstead(ApiError::conflict(
        ErrorCode::AlreadyDelivered,
        format!(
            "This request already created rollover {id}; its private key was delivered once and is never returned again. Roll it back and create a new rollover if the key was lost."
        ),
    )));
    Ok(resp)
}

/// Whether a finding of a scan of `scan_type` can start a rollover: a finding of a
/// `cloud` scan whose code is one of [`ROLLOVER_ELIGIBLE_CODES`]. The API and the
/// dashboard (which shows the action only where this holds) ask the same question.
pub(crate) fn eligible_finding(scan_type: &str, code: Option<&str>) -> bool {
    scan_type == "cloud" && eligible(code)
}

/// What a create does once the caller is known to hold `sign:write` or
/// `rollover:write`: check the finding, mint, store, render the artifacts. The result
/// holds the one-shot private key; the caller delivers it once.
pub(crate) async fn mint_rollover(
    state: &AppState,
    auth: &Authorized<auth::RolloverWrite>,
    req: CreateRolloverRequest,
) -> ApiResult<RolloverCreated> {
    let rule = |e: postq::Error| ApiError::from_rule(&e);
    let hostname = req.normalized_hostname().map_err(rule)?;
    let window = req.window_hours().map_err(rule)?;
    if !ids::is_id("fnd", &req.finding_id) {
        return Err(ApiError::not_found("Finding"));
    }
    let found = state
        .store
        .get_finding(&auth.org_id, &req.finding_id)
        .await?
        .filter(|f| f.scan_type == "cloud")
        .ok_or_else(|| ApiError::not_found("Finding"))?;
    if !eligible(found.finding.code.as_deref()) {
        return Err(ApiError::bad_request(
            ErrorCode::FindingNotEligible,
            format!(
                "The finding is not a weak-TLS posture; a rollover needs a finding whose code is one of {}.",
                ROLLOVER_ELIGIBLE_CODES.join(", ")
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
        finding_id: found.finding.id,
        scan_id: found.scan_id,
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
    let rollover = state
        .store
        .insert_rollover(&auth.org_id, &auth.actor(), new)
        .await?;
    let files = artifacts::render_all(&ArtifactInputs::from(&rollover)).map_err(artifact_error)?;
    tracing::info!(rollover_id = %rollover.id, "tls rollover created");
    Ok(RolloverCreated {
        rollover,
        private_key_pem: Zeroizing::new(minted.private_key_pem.to_string()),
        files,
    })
}

/// List rollovers, newest first (no key bytes).
#[utoipa::path(get, path = "/v1/mitigations/tls-rollover", tag = "rollover", params(ListParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of rollovers", body = RolloverList),
        (status = 400, description = "Bad limit or cursor", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:read (or rollover:read)", body = ErrorEnvelope),
    ))]
pub(crate) async fn list_rollovers(
    State(state): State<AppState>,
    auth: Authorized<auth::RolloverRead>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<RolloverList>> {
    let page = params.page(&[], "tlsr")?;
    let mut data = state
        .store
        .list_rollovers(&auth.org_id, page.before.as_deref(), page.limit)
        .await?;
    let next_cursor = finish_id_page(&mut data, page.limit, |r| &r.id);
    Ok(Json(RolloverList { data, next_cursor }))
}

async fn find(state: &AppState, org_id: &str, id: &str) -> ApiResult<Rollover> {
    state
        .store
        .get_rollover(org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Rollover"))
}

/// One rollover (no key bytes).
#[utoipa::path(get, path = "/v1/mitigations/tls-rollover/{id}", tag = "rollover",
    params(("id" = String, Path, description = "tlsr_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The rollover", body = Rollover),
        (status = 400, description = "An id that is not UTF-8", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:read (or rollover:read)", body = ErrorEnvelope),
        (status = 404, description = "No such rollover in your organisation", body = ErrorEnvelope),
    ))]
pub(crate) async fn get_rollover(
    State(state): State<AppState>,
    auth: Authorized<auth::RolloverRead>,
    id: PathId,
) -> ApiResult<Json<Rollover>> {
    let id = rollover_id(id)?;
    Ok(Json(find(&state, &auth.org_id, &id).await?))
}

/// Download one artifact as a file.
#[utoipa::path(get, path = "/v1/mitigations/tls-rollover/{id}/download", tag = "rollover",
    params(("id" = String, Path, description = "tlsr_…"), DownloadParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The file: `application/x-pem-file` (cert.pem), `text/x-shellscript; charset=utf-8` (*.sh) or `text/plain; charset=utf-8` (site.bicep), with `Content-Disposition: attachment; filename=\"postq-<hostname>-<artifact>\"` and `X-Content-Type-Options: nosniff`", content_type = "text/plain", body = String),
        (status = 400, description = "Unknown artifact, or an id that is not UTF-8", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:read (or rollover:read)", body = ErrorEnvelope),
        (status = 404, description = "No such rollover in your organisation", body = ErrorEnvelope),
    ))]
pub(crate) async fn download_artifact(
    State(state): State<AppState>,
    auth: Authorized<auth::RolloverRead>,
    id: PathId,
    ApiQuery(params): ApiQuery<DownloadParams>,
) -> ApiResult<Response> {
    let id = rollover_id(id)?;
    let name = params
        .artifact
        .as_deref()
        .filter(|a| ARTIFACTS.contains(a))
        .ok_or_else(|| {
            ApiError::validation(format!("artifact must be one of {}.", ARTIFACTS.join(", ")))
        })?;
    let rollover = find(&state, &auth.org_id, &id).await?;
    let body = artifacts::render(name, &ArtifactInputs::from(&rollover)).map_err(artifact_error)?;
    let disposition =
        artifacts::content_disposition(&rollover.hostname, name).map_err(artifact_error)?;
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

/// `409 invalid_transition`, naming the current status and what it could move to.
fn invalid(current: RolloverStatus, to: &str) -> ApiError {
    let hint = match (current.next(), current.is_terminal()) {
        (_, true) => format!("`{current}` is terminal", current = current.as_str()),
        (Some(next), false) => format!(
            "from `{}` the next step is `{}`, or a rollback",
            current.as_str(),
            next.as_str()
        ),
        (None, false) => format!("from `{}` only a rollback is possible", current.as_str()),
    };
    ApiError::conflict(
        ErrorCode::InvalidTransition,
        format!(
            "Cannot move the rollover from `{}` to `{}`; {hint}. Current status: {}.",
            current.as_str(),
            to.escape_debug(),
            current.as_str()
        ),
    )
}

/// Where a transition request asks to go: a status, or a string that names none (which
/// is an invalid transition from wherever the rollover is, not a malformed body).
pub(crate) enum Target {
    Status(RolloverStatus),
    Unknown(String),
}

pub(crate) fn transition_target(body: &[u8]) -> ApiResult<Target> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct AnyTarget {
        to: String,
    }
    match decode_json::<TransitionRequest>(body, &[]) {
        Ok(req) => Ok(Target::Status(req.to)),
        Err(strict) => match serde_json::from_slice::<AnyTarget>(body) {
            Ok(any) => Ok(Target::Unknown(any.to)),
            Err(_) => Err(strict),
        },
    }
}

/// Move a rollover and answer its new state.
async fn move_to(
    state: &AppState,
    org_id: &str,
    actor: &str,
    id: &str,
    to: RolloverStatus,
) -> ApiResult<Json<Rollover>> {
    match state.store.move_rollover(org_id, actor, id, to).await? {
        Move::Done(rollover) => {
            tracing::info!(rollover_id = %id, status = rollover.status.as_str(), "rollover moved");
            Ok(Json(*rollover))
        }
        Move::NotFound => Err(ApiError::not_found("Rollover")),
        Move::Invalid(current) => Err(invalid(current, to.as_str())),
    }
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
        (status = 403, description = "Missing sign:write (or rollover:write; checked before the body)", body = ErrorEnvelope),
        (status = 404, description = "No such rollover in your organisation", body = ErrorEnvelope),
        (status = 409, description = "invalid_transition: not the next step, or an unknown status (names the current status)", body = ErrorEnvelope),
    ))]
pub(crate) async fn transition_rollover(
    State(state): State<AppState>,
    auth: Authorized<auth::RolloverWrite>,
    id: PathId,
    body: Bytes,
) -> ApiResult<Json<Rollover>> {
    let target = transition_target(&body)?;
    let id = rollover_id(id)?;
    match target {
        // A rollback has its own route: here it is not a step forward.
        Target::Status(RolloverStatus::RolledBack) => {
            let current = find(&state, &auth.org_id, &id).await?.status;
            Err(invalid(current, RolloverStatus::RolledBack.as_str()))
        }
        Target::Status(to) => move_to(&state, &auth.org_id, &auth.actor(), &id, to).await,
        Target::Unknown(to) => {
            let current = find(&state, &auth.org_id, &id).await?.status;
            Err(invalid(current, &to))
        }
    }
}

/// Mark rolled back (terminal) from any other status, `completed` included.
#[utoipa::path(post, path = "/v1/mitigations/tls-rollover/{id}/rollback", tag = "rollover",
    request_body(content = Option<RollbackRequest>, description = "Empty or {}"),
    params(("id" = String, Path, description = "tlsr_…"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The rollover, now rolled_back", body = Rollover),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:write (or rollover:write; checked before the body)", body = ErrorEnvelope),
        (status = 404, description = "No such rollover in your organisation", body = ErrorEnvelope),
        (status = 409, description = "invalid_transition: already rolled_back", body = ErrorEnvelope),
    ))]
pub(crate) async fn rollback_rollover(
    State(state): State<AppState>,
    auth: Authorized<auth::RolloverWrite>,
    id: PathId,
    OptionalJson(RollbackRequest {}): OptionalJson<RollbackRequest>,
) -> ApiResult<Json<Rollover>> {
    let id = rollover_id(id)?;
    move_to(
        &state,
        &auth.org_id,
        &auth.actor(),
        &id,
        RolloverStatus::RolledBack,
    )
    .await
}
