//! Managed hybrid signing keys: create, list, get, public key export, rotate, update.
//! Private halves are generated here, sealed under the KEK and never leave the server.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use postq::hybrid::{ALGORITHM, HybridSigningKey};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, OptionalJson, check_text, page_limit, parse_include};
use super::{IdCursor, finish_page, id_cursor};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::ids;
use crate::keystore::{KeyRow, KeyVersionRow, NewVersion, RotateOutcome, private_aad};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateKeyRequest {
    /// A label, e.g. `release-signing` (1–128 characters).
    #[schema(example = "release-signing")]
    pub name: String,
    /// Only `mldsa65+ed25519` (the default).
    #[schema(example = "mldsa65+ed25519")]
    pub algorithm: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateKeyRequest {
    /// Also retire older versions: signatures of versions below this no longer verify.
    pub min_version: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateKeyRequest {
    /// Lowest version whose signatures still verify (1..=latest), as Vault Transit's
    /// minimum version.
    pub min_version: u32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyVersion {
    pub version: u32,
    /// Public key JSON of this version (docs/formats.md §1).
    pub public_key: String,
    /// SHA-256 of the composite public key, hex.
    pub fingerprint: String,
    pub created_at: String,
}

/// A managed hybrid signing key. `id` is the `keyId` its signatures name.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HybridKey {
    #[schema(example = "hk_01JDQ3ZQ8J6V8X4K5N2M7P9R1T")]
    pub id: String,
    pub name: String,
    #[schema(example = "mldsa65+ed25519")]
    pub algorithm: String,
    /// Where the private key lives: `software` (AES-256-GCM under the server's KEK).
    #[schema(example = "software")]
    pub backend: String,
    /// Whether the key is post-quantum ready (always true for hybrid keys).
    pub pq_ready: bool,
    /// The latest version, used for new signatures.
    pub version: u32,
    /// Signatures of versions below this do not verify.
    pub min_version: u32,
    /// Public key JSON of the latest version: publish it; anyone verifies offline.
    pub public_key: String,
    pub fingerprint: String,
    pub created_at: String,
    pub rotated_at: Option<String>,
    /// Every version (on get, create and rotate; in lists with `include=versions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<KeyVersion>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyList {
    pub data: Vec<HybridKey>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyListParams {
    /// Page size, 1–100 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from a previous `nextCursor`.
    pub cursor: Option<String>,
    /// Extra fields per key: `versions` (or `all`).
    pub include: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublicKeyParams {
    /// `json` (default, docs/formats.md §1) or `jwk` (a JWK Set).
    pub format: Option<String>,
    /// A version (default: the latest).
    pub version: Option<u32>,
}

fn to_version(v: KeyVersionRow) -> KeyVersion {
    KeyVersion {
        version: v.version,
        public_key: v.public_key,
        fingerprint: v.fingerprint,
        created_at: v.created_at,
    }
}

async fn to_key(state: &AppState, k: KeyRow, with_versions: bool) -> Result<HybridKey, ApiError> {
    let versions = state.store.key_versions(&k.id).await?;
    let latest = versions
        .iter()
        .find(|v| v.version == k.latest_version)
        .cloned()
        .ok_or_else(ApiError::internal)?;
    Ok(HybridKey {
        id: k.id,
        name: k.name,
        algorithm: k.algorithm,
        backend: k.backend,
        pq_ready: true,
        version: k.latest_version,
        min_version: k.min_version,
        public_key: latest.public_key,
        fingerprint: latest.fingerprint,
        created_at: k.created_at,
        rotated_at: k.rotated_at,
        versions: with_versions.then(|| versions.into_iter().map(to_version).collect()),
    })
}

/// Generate and seal a key version (CPU work runs off the async threads).
async fn new_version(state: &AppState, key_id: &str, version: u32) -> Result<NewVersion, ApiError> {
    let kek = state.kek.clone();
    let key_id = key_id.to_owned();
    tokio::task::spawn_blocking(move || {
        let sk = HybridSigningKey::generate(&key_id, version).map_err(|e| {
            tracing::error!(code = e.code(), "key generation failed");
            ApiError::internal()
        })?;
        let seed = sk.seed_bytes();
        let sealed = kek
            .seal(&private_aad(&key_id, version), seed.as_ref())
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

fn key_path_id(id: &str) -> Result<(), ApiError> {
    if ids::is_id("hk", id) {
        Ok(())
    } else {
        Err(ApiError::not_found("Key"))
    }
}

/// Create a managed hybrid signing key (ML-DSA-65 + Ed25519).
#[utoipa::path(post, path = "/v1/keys", tag = "keys", request_body = CreateKeyRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "The new key", body = HybridKey),
        (status = 400, description = "Validation failed", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:write", body = ErrorEnvelope),
        (status = 409, description = "Idempotency-Key reused", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub async fn create_key(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiJson(req): ApiJson<CreateKeyRequest>,
) -> ApiResult<Json<HybridKey>> {
    auth.require("keys:write")?;
    check_text("name", &req.name, 128)?;
    let algorithm = req.algorithm.unwrap_or_else(|| ALGORITHM.to_owned());
    if algorithm != ALGORITHM {
        return Err(ApiError::validation(format!(
            "algorithm must be `{ALGORITHM}`."
        )));
    }
    let id = ids::new_id("hk");
    let v1 = new_version(&state, &id, 1).await?;
    let row = state
        .store
        .insert_hybrid_key(&auth.org_id, &auth.actor(), &id, &req.name, &algorithm, v1)
        .await?;
    tracing::info!(key_id = %id, "hybrid key created");
    Ok(Json(to_key(&state, row, true).await?))
}

/// List managed keys (newest first) with algorithm, backend and PQ-ready flag.
#[utoipa::path(get, path = "/v1/keys", tag = "keys", params(KeyListParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of keys", body = KeyList),
        (status = 400, description = "Bad limit or cursor", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:read", body = ErrorEnvelope),
    ))]
pub async fn list_keys(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiQuery(params): ApiQuery<KeyListParams>,
) -> ApiResult<Json<KeyList>> {
    auth.require("keys:read")?;
    let limit = page_limit(params.limit)?;
    let with_versions = !parse_include(params.include.as_deref(), &["versions"])?.is_empty();
    let before = id_cursor(params.cursor.as_deref(), "hk")?;
    let mut rows = state
        .store
        .list_hybrid_keys(&auth.org_id, before.as_deref(), limit)
        .await?;
    let next_cursor = finish_page(&mut rows, limit, |r| IdCursor { id: r.id.clone() });
    let mut data = Vec::with_capacity(rows.len());
    for k in rows {
        data.push(to_key(&state, k, with_versions).await?);
    }
    Ok(Json(KeyList { data, next_cursor }))
}

/// Get one key with all its versions.
#[utoipa::path(get, path = "/v1/keys/{id}", tag = "keys",
    params(("id" = String, Path, description = "hk_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The key", body = HybridKey),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:read", body = ErrorEnvelope),
        (status = 404, description = "No such key in your organisation", body = ErrorEnvelope),
    ))]
pub async fn get_key(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> ApiResult<Json<HybridKey>> {
    auth.require("keys:read")?;
    key_path_id(&id)?;
    let row = state
        .store
        .get_hybrid_key(&auth.org_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Key"))?;
    Ok(Json(to_key(&state, row, true).await?))
}

/// The public key alone, as public key JSON or as a JWK Set (`?format=jwk`).
#[utoipa::path(get, path = "/v1/keys/{id}/public", tag = "keys",
    params(("id" = String, Path, description = "hk_…"), PublicKeyParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "Public key JSON (docs/formats.md §1) or JWK Set", content_type = "application/json", body = Object),
        (status = 400, description = "Unknown format", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:read", body = ErrorEnvelope),
        (status = 404, description = "No such key or version", body = ErrorEnvelope),
    ))]
pub async fn get_public_key(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<PublicKeyParams>,
) -> ApiResult<Response> {
    auth.require("keys:read")?;
    key_path_id(&id)?;
    let row = state
        .store
        .get_hybrid_key(&auth.org_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Key"))?;
    let version = params.version.unwrap_or(row.latest_version);
    let v = state
        .store
        .key_version(&id, version)
        .await?
        .ok_or_else(|| ApiError::not_found("Key version"))?;
    let body = match params.format.as_deref().unwrap_or("json") {
        "json" => v.public_key,
        "jwk" => postq::hybrid::HybridPublicKey::from_json(&v.public_key)
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
        (status = 403, description = "Missing keys:write", body = ErrorEnvelope),
        (status = 404, description = "No such key in your organisation", body = ErrorEnvelope),
        (status = 409, description = "Concurrent rotation or Idempotency-Key reused", body = ErrorEnvelope),
    ))]
pub async fn rotate_key(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
    OptionalJson(req): OptionalJson<RotateKeyRequest>,
) -> ApiResult<Json<HybridKey>> {
    auth.require("keys:write")?;
    key_path_id(&id)?;
    for _attempt in 0..3 {
        let row = state
            .store
            .get_hybrid_key(&auth.org_id, &id)
            .await?
            .ok_or_else(|| ApiError::not_found("Key"))?;
        let next = row.latest_version + 1;
        if req.min_version.is_some_and(|m| m < 1 || m > next) {
            return Err(ApiError::validation(format!(
                "minVersion must be between 1 and {next}."
            )));
        }
        let v = new_version(&state, &id, next).await?;
        match state
            .store
            .rotate_hybrid_key(&auth.org_id, &auth.actor(), &id, v, req.min_version)
            .await?
        {
            RotateOutcome::Rotated(k) => {
                tracing::info!(key_id = %id, version = next, "hybrid key rotated");
                return Ok(Json(to_key(&state, k, true).await?));
            }
            RotateOutcome::NotFound => return Err(ApiError::not_found("Key")),
            RotateOutcome::Raced => continue,
        }
    }
    Err(ApiError::conflict(
        "concurrent_rotation",
        "The key is being rotated concurrently; retry.",
    ))
}

/// Update a key's policy: the minimum version that still verifies.
#[utoipa::path(patch, path = "/v1/keys/{id}", tag = "keys", request_body = UpdateKeyRequest,
    params(("id" = String, Path, description = "hk_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The updated key", body = HybridKey),
        (status = 400, description = "minVersion out of range", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing keys:write", body = ErrorEnvelope),
        (status = 404, description = "No such key in your organisation", body = ErrorEnvelope),
    ))]
pub async fn update_key(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateKeyRequest>,
) -> ApiResult<Json<HybridKey>> {
    auth.require("keys:write")?;
    key_path_id(&id)?;
    match state
        .store
        .set_min_version(&auth.org_id, &auth.actor(), &id, req.min_version)
        .await?
    {
        None => Err(ApiError::not_found("Key")),
        Some(Err(latest)) => Err(ApiError::validation(format!(
            "minVersion must be between 1 and {latest}."
        ))),
        Some(Ok(k)) => Ok(Json(to_key(&state, k, true).await?)),
    }
}
