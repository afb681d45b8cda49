//! Managed hybrid signing keys: create, list, get, public key export, rotate, update.
//! Private halves are generated here, sealed under the KEK and never leave the server.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use postq::api::{
    CreateKeyRequest, ErrorEnvelope, HybridKey, Include, RotateKeyRequest, UpdateKeyRequest,
};
use postq::error::ErrorCode;
use postq::hybrid::{ALGORITHM, HybridPublicKey, HybridSigningKey};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{ApiJson, ApiQuery, OptionalJson, PathId};
use super::lists::KeyList;
use super::paging::{ListParams, budgeted_id_page};
use crate::app::AppState;
use crate::auth::{self, Authorized};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::{KeyRow, NewVersion, RotateOutcome, StoredKey, private_aad};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublicKeyParams {
    /// `json` (default, docs/formats.md §1) or `jwk` (a JWK Set).
    format: Option<String>,
    /// A version (default: the latest).
    version: Option<u32>,
}

/// A stored key in its wire form, with every version when asked.
async fn to_key(state: &AppState, k: KeyRow, with_versions: bool) -> ApiResult<HybridKey> {
    let versions = state.store.key_versions(&k.id).await?;
    wire_key(StoredKey { row: k, versions }, with_versions)
}

/// The wire form of a key as a write left it, with every version.
fn wire_key(stored: StoredKey, with_versions: bool) -> ApiResult<HybridKey> {
    let id = stored.row.id.clone();
    stored
        .row
        .into_key(stored.versions, with_versions)
        .ok_or_else(|| {
            tracing::error!(key_id = %id, "hybrid_keys row names a version that is not stored");
            ApiError::internal()
        })
}

/// Generate and seal a key version (CPU work runs off the async threads).
async fn new_version(
    state: &AppState,
    org_id: &str,
    key_id: &str,
    version: u32,
) -> ApiResult<NewVersion> {
    let kek = state.kek.clone();
    let key_id = key_id.to_owned();
    let org_id = org_id.to_owned();
    tokio::task::spawn_blocking(move || {
        let sk = HybridSigningKey::generate(&key_id, version).map_err(|e| {
            tracing::error!(code = e.code(), "key generation failed");
            ApiError::internal()
        })?;
        let seed = sk.seed_bytes();
        let sealed = kek
            .seal_for_org(&org_id, &private_aad(&key_id, version), seed.as_ref())
            .map_err(|_| ApiError::internal())?;
        let public = sk.public_key();
        Ok(NewVersion {
            version,
            public_key: public.to_json(),
            fingerprint: public.fingerprint(),
            sealed_private: sealed,
        })
    })
    .await
    .map_err(|_| ApiError::internal())?
}

/// A key id from the path: `hk_…`, else no such key.
fn key_id(id: PathId) -> ApiResult<String> {
    let id = id.into_id()?;
    if ids::is_id("hk", &id) {
        Ok(id)
    } else {
        Err(ApiError::not_found("Key"))
    }
}

async fn find_key(state: &AppState, org_id: &str, id: &str) -> ApiResult<KeyRow> {
    state
        .store
        .get_hybrid_key(org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Key"))
}

/// Create a managed hybrid signing key (ML-DSA-65 + Ed25519).
#[utoipa::path(post, path = "/v1/keys", tag = "keys", request_body = CreateKeyRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "The new key", body = HybridKey),
        (status = 400, description = "Validation failed", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:write (checked before the body)", body = ErrorEnvelope),
        (status = 409, description = "Idempotency-Key reused", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub(crate) async fn create_key(
    State(state): State<AppState>,
    auth: Authorized<auth::KeysWrite>,
    ApiJson(req): ApiJson<CreateKeyRequest>,
) -> ApiResult<Json<HybridKey>> {
    req.validate().map_err(|e| ApiError::from_rule(&e))?;
    let algorithm = req.algorithm.as_deref().unwrap_or(ALGORITHM);
    let id = ids::new_id("hk");
    let v1 = new_version(&state, &auth.org_id, &id, 1).await?;
    let stored = state
        .store
        .insert_hybrid_key(&auth.org_id, &auth.actor(), &id, &req.name, algorithm, v1)
        .await?;
    tracing::info!(key_id = %id, "hybrid key created");
    Ok(Json(wire_key(stored, true)?))
}

/// List managed keys (newest first) with algorithm, backend and PQ-ready flag.
#[utoipa::path(get, path = "/v1/keys", tag = "keys", params(ListParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of keys", body = KeyList),
        (status = 400, description = "Bad limit, cursor or include", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:read", body = ErrorEnvelope),
    ))]
pub(crate) async fn list_keys(
    State(state): State<AppState>,
    auth: Authorized<auth::KeysRead>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<KeyList>> {
    let page = params.page(&[Include::Versions], "hk")?;
    let with_versions = page.include.contains(&Include::Versions);
    let rows = state
        .store
        .list_hybrid_keys(&auth.org_id, page.before.as_deref(), page.limit)
        .await?;
    let state = &state;
    let (data, next_cursor) = budgeted_id_page(
        rows,
        page.limit,
        |r| &r.id,
        |k| to_key(state, k, with_versions),
    )
    .await?;
    Ok(Json(KeyList { data, next_cursor }))
}

/// Get one key with all its versions.
#[utoipa::path(get, path = "/v1/keys/{id}", tag = "keys",
    params(("id" = String, Path, description = "hk_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The key", body = HybridKey),
        (status = 400, description = "An id that is not UTF-8", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:read", body = ErrorEnvelope),
        (status = 404, description = "No such key in your organisation", body = ErrorEnvelope),
    ))]
pub(crate) async fn get_key(
    State(state): State<AppState>,
    auth: Authorized<auth::KeysRead>,
    id: PathId,
) -> ApiResult<Json<HybridKey>> {
    let id = key_id(id)?;
    let row = find_key(&state, &auth.org_id, &id).await?;
    Ok(Json(to_key(&state, row, true).await?))
}

/// The public key alone, as public key JSON or as a JWK Set (`?format=jwk`).
#[utoipa::path(get, path = "/v1/keys/{id}/public", tag = "keys",
    params(("id" = String, Path, description = "hk_…"), PublicKeyParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "Public key JSON (docs/formats.md §1) or JWK Set", content_type = "application/json", body = Object),
        (status = 400, description = "Unknown format, or an id that is not UTF-8", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:read", body = ErrorEnvelope),
        (status = 404, description = "No such key or version", body = ErrorEnvelope),
    ))]
pub(crate) async fn get_public_key(
    State(state): State<AppState>,
    auth: Authorized<auth::KeysRead>,
    id: PathId,
    ApiQuery(params): ApiQuery<PublicKeyParams>,
) -> ApiResult<Response> {
    let id = key_id(id)?;
    let row = find_key(&state, &auth.org_id, &id).await?;
    let version = params.version.unwrap_or(row.latest_version);
    let v = state
        .store
        .key_version(&id, version)
        .await?
        .ok_or_else(|| ApiError::not_found("Key version"))?;
    let body = match params.format.as_deref().unwrap_or("json") {
        "json" => v.public_key,
        "jwk" => HybridPublicKey::from_json(&v.public_key)
            .map_err(|_| ApiError::internal())?
            .to_jwk(),
        _ => return Err(ApiError::validation("format must be `json` or `jwk`.")),
    };
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

/// Rotate: a new version signs from now on; older versions still verify unless
/// `minVersion` retires them.
#[utoipa::path(post, path = "/v1/keys/{id}/rotate", tag = "keys",
    params(("id" = String, Path, description = "hk_…"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    request_body(content = Option<RotateKeyRequest>, description = "Optional"),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The rotated key", body = HybridKey),
        (status = 400, description = "Bad minVersion", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:write (checked before the body)", body = ErrorEnvelope),
        (status = 404, description = "No such key in your organisation", body = ErrorEnvelope),
        (status = 409, description = "Concurrent rotation or Idempotency-Key reused", body = ErrorEnvelope),
    ))]
pub(crate) async fn rotate_key(
    State(state): State<AppState>,
    auth: Authorized<auth::KeysWrite>,
    id: PathId,
    OptionalJson(req): OptionalJson<RotateKeyRequest>,
) -> ApiResult<Json<HybridKey>> {
    let id = key_id(id)?;
    for _attempt in 0..3 {
        let row = find_key(&state, &auth.org_id, &id).await?;
        let next = row.latest_version + 1;
        if req.min_version.is_some_and(|m| m < 1 || m > next) {
            return Err(ApiError::validation(format!(
                "minVersion must be between 1 and {next}."
            )));
        }
        let v = new_version(&state, &auth.org_id, &id, next).await?;
        match state
            .store
            .rotate_hybrid_key(&auth.org_id, &auth.actor(), &id, v, req.min_version)
            .await?
        {
            RotateOutcome::Rotated(k) => {
                tracing::info!(key_id = %id, version = next, "hybrid key rotated");
                return Ok(Json(wire_key(k, true)?));
            }
            RotateOutcome::NotFound => return Err(ApiError::not_found("Key")),
            RotateOutcome::Raced => continue,
        }
    }
    Err(ApiError::conflict(
        ErrorCode::ConcurrentRotation,
        "The key is being rotated concurrently; retry.",
    ))
}

/// Update a key's policy: the minimum version that still verifies.
#[utoipa::path(patch, path = "/v1/keys/{id}", tag = "keys", request_body = UpdateKeyRequest,
    params(("id" = String, Path, description = "hk_…"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The updated key", body = HybridKey),
        (status = 400, description = "minVersion out of range", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:write (checked before the body)", body = ErrorEnvelope),
        (status = 404, description = "No such key in your organisation", body = ErrorEnvelope),
    ))]
pub(crate) async fn update_key(
    State(state): State<AppState>,
    auth: Authorized<auth::KeysWrite>,
    id: PathId,
    ApiJson(req): ApiJson<UpdateKeyRequest>,
) -> ApiResult<Json<HybridKey>> {
    let id = key_id(id)?;
    match state
        .store
        .set_min_version(&auth.org_id, &auth.actor(), &id, req.min_version)
        .await?
    {
        None => Err(ApiError::not_found("Key")),
        Some(Err(latest)) => Err(ApiError::validation(format!(
            "minVersion must be between 1 and {latest}."
        ))),
        Some(Ok(k)) => Ok(Json(wire_key(k, true)?)),
    }
}
