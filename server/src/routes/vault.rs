//! The credential vault (folded in from QuantaSeal): seal, list, unseal, rotate, delete.
//!
//! Each credential gets its own `pqseal-v1` recipient key (ML-KEM-768 + X25519); the key
//! seed is sealed under the server KEK and the values are sealed to the key with the
//! credential id as associated data. Any refusal on a vault route is the same
//! `403 access_denied` (no enumeration) and a `vault.denied` ledger row.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postq::seal::{SealSecretKey, seal};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zeroize::{Zeroize, Zeroizing};

use super::{ApiQuery, check_text, page_limit};
use super::{IdCursor, finish_page, id_cursor};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::ids;
use crate::kek::Kek;
use crate::store_vault::{
    CredentialRow, Lookup, NewCredential, NewSealed, SealedCredential, VaultFail, seed_aad,
};

/// `POST /v1/vault/credentials`. `Debug` never shows the values.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SealRequest {
    /// A label, 1–128 characters.
    #[schema(example = "stripe-production-key")]
    pub name: String,
    /// 1–64 characters of `[a-z0-9_]`: `api_key`, `password`, `certificate`, `token`, `other`, …
    #[schema(example = "api_key")]
    pub credential_type: String,
    /// The secret values: a non-empty object of string → string (≤ 64 entries, ≤ 64 KiB).
    #[schema(value_type = Object, example = json!({"key": "sk_live_abc123"}))]
    pub values: BTreeMap<String, String>,
    /// Days until the credential stops unsealing (1–3650); no expiry when absent.
    pub ttl_days: Option<u32>,
}

impl std::fmt::Debug for SealRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealRequest")
            .field("name", &self.name)
            .field("credential_type", &self.credential_type)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .field("ttl_days", &self.ttl_days)
            .finish()
    }
}

impl Drop for SealRequest {
    fn drop(&mut self) {
        for v in self.values.values_mut() {
            v.zeroize();
        }
    }
}

/// Credential metadata (never values).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    #[schema(example = "cred_01JDQ3ZQ8J6V8X4K5N2M7P9R1T")]
    pub id: String,
    pub name: String,
    pub credential_type: String,
    /// Names of the stored values.
    pub keys: Vec<String>,
    pub created_at: String,
    /// Last re-encryption under a new key.
    pub rotated_at: Option<String>,
    /// When the credential stops unsealing (`null` = never).
    pub expires_at: Option<String>,
    /// 1, incremented by every rotation.
    pub version: u32,
    /// SHA-256 (hex) of the current ML-KEM-768 + X25519 sealing public key.
    pub seal_public_key_fingerprint: String,
}

/// A credential with its values. `Debug` hides them; they are zeroized on drop.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnsealedCredential {
    #[serde(flatten)]
    pub credential: Credential,
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, String>,
}

impl std::fmt::Debug for UnsealedCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnsealedCredential")
            .field("credential", &self.credential)
            .field("values", &"<redacted>")
            .finish()
    }
}

impl Drop for UnsealedCredential {
    fn drop(&mut self) {
        for v in self.values.values_mut() {
            v.zeroize();
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialList {
    pub data: Vec<Credential>,
    #[serde(rename = "nextCursor")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedCredential {
    pub id: String,
    pub deleted: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CredentialListParams {
    /// Page size, 1–100 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from a previous `nextCursor`.
    pub cursor: Option<String>,
}

/// The one answer to every refused vault access.
pub fn access_denied() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "access_denied", "Access denied.")
}

fn has_scope(auth: &AuthContext, scope: &str) -> bool {
    auth.scopes.iter().any(|s| s == scope)
}

/// Record the refusal in the ledger and answer the uniform 403.
async fn deny(
    state: &AppState,
    auth: &AuthContext,
    resource: Option<&str>,
    operation: &str,
    reason: &str,
) -> ApiError {
    if let Err(e) = state
        .store
        .vault_denied(&auth.org_id, &auth.actor(), resource, operation, reason)
        .await
    {
        tracing::error!(error = %e, "could not record vault.denied");
    }
    tracing::info!(operation, "vault access denied");
    access_denied()
}

fn to_credential(r: CredentialRow) -> Credential {
    Credential {
        id: r.id,
        name: r.name,
        credential_type: r.credential_type,
        keys: r.keys,
        created_at: r.created_at,
        rotated_at: r.rotated_at,
        expires_at: r.expires_at,
        version: r.version,
        seal_public_key_fingerprint: r.seal_fingerprint,
    }
}

fn vault_error(e: VaultFail) -> ApiError {
    match e {
        VaultFail::Db(e) => ApiError::from(e),
        VaultFail::Crypto => {
            tracing::error!("vault sealing failed");
            ApiError::internal()
        }
    }
}

/// A fresh seal key for `id` at `version`, its seed sealed under the KEK, and the
/// values sealed to it with the credential id as associated data.
fn seal_values(kek: &Kek, id: &str, version: u32, plaintext: &[u8]) -> Option<NewSealed> {
    let sk = SealSecretKey::generate().ok()?;
    let seed = sk.seed_bytes();
    let sealed_seed = kek.seal(&seed_aad(id, version), seed.as_ref()).ok()?;
    let ciphertext = seal(sk.public_key(), plaintext, id.as_bytes()).ok()?;
    Some(NewSealed {
        seal_fingerprint: sk.public_key().fingerprint(),
        sealed_seed,
        ciphertext,
    })
}

/// Open a stored credential's envelope.
fn open_values(kek: &Kek, id: &str, sealed: &SealedCredential) -> Option<Zeroizing<Vec<u8>>> {
    let seed = kek
        .open(&seed_aad(id, sealed.version), &sealed.sealed_seed)
        .ok()?;
    let sk = SealSecretKey::from_seed(&seed).ok()?;
    sk.open(&sealed.ciphertext, id.as_bytes()).ok()
}

fn decode_seal_request(bytes: &[u8]) -> Result<SealRequest, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::validation("A JSON body is required."));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let req: SealRequest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // Never echo anything that might be part of a secret value.
        if path == "values" || path.starts_with("values.") {
            ApiError::validation("values: must be an object of string to string.")
        } else if path != "." {
            ApiError::validation(format!("{path}: {inner}."))
        } else if inner.is_syntax() || inner.is_eof() {
            ApiError::validation("Malformed JSON body.")
        } else {
            ApiError::validation(format!("{inner}."))
        }
    })?;
    de.end()
        .map_err(|_| ApiError::validation("Malformed JSON body."))?;
    Ok(req)
}

fn validate(req: &SealRequest) -> Result<(), ApiError> {
    check_text("name", &req.name, 128)?;
    let t = &req.credential_type;
    if t.is_empty()
        || t.len() > 64
        || !t
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(ApiError::validation(
            "credentialType must be 1-64 characters of [a-z0-9_].",
        ));
    }
    if req.values.is_empty() {
        return Err(ApiError::validation("values must not be empty."));
    }
    if req.values.len() > 64 {
        return Err(ApiError::validation("values may hold at most 64 entries."));
    }
    for k in req.values.keys() {
        if k.is_empty() || k.chars().count() > 128 || k.chars().any(char::is_control) {
            return Err(ApiError::validation(
                "values: names must be 1-128 characters without control characters.",
            ));
        }
    }
    if let Some(days) = req.ttl_days
        && !(1..=3650).contains(&days)
    {
        return Err(ApiError::validation("ttlDays must be between 1 and 3650."));
    }
    Ok(())
}

/// Seal a credential.
#[utoipa::path(post, path = "/v1/vault/credentials", tag = "vault", request_body = SealRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "The sealed credential's metadata", body = Credential),
        (status = 400, description = "Malformed seal request", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied (missing vault:write)", body = ErrorEnvelope),
    ))]
pub async fn seal_credential(
    State(state): State<AppState>,
    auth: AuthContext,
    body: Bytes,
) -> ApiResult<Json<Credential>> {
    if !has_scope(&auth, "vault:write") {
        return Err(deny(&state, &auth, None, "seal", "missing_scope").await);
    }
    let req = decode_seal_request(&body)?;
    validate(&req)?;
    let plaintext = Zeroizing::new(
        serde_json::to_vec(&req.values)
            .map_err(|_| ApiError::validation("values: must be an object of string to string."))?,
    );
    if plaintext.len() > 64 * 1024 {
        return Err(ApiError::validation(
            "values must be at most 64 KiB as JSON.",
        ));
    }
    let expires_at = req.ttl_days.map(|d| {
        ids::format_ts(time::OffsetDateTime::now_utc() + time::Duration::days(i64::from(d)))
    });
    let new = NewCredential {
        name: req.name.clone(),
        credential_type: req.credential_type.clone(),
        keys: req.values.keys().cloned().collect(),
        expires_at,
    };
    let kek = state.kek.clone();
    let row = state
        .store
        .vault_insert(&auth.org_id, &auth.actor(), &new, |id| {
            seal_values(&kek, id, 1, &plaintext)
        })
        .await
        .map_err(vault_error)?;
    tracing::info!(credential_id = %row.id, "credential sealed");
    Ok(Json(to_credential(row)))
}

/// List credentials (metadata only, newest first; expired ones are gone).
#[utoipa::path(get, path = "/v1/vault/credentials", tag = "vault", params(CredentialListParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of credential metadata", body = CredentialList),
        (status = 400, description = "Bad limit or cursor", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied (missing vault:read)", body = ErrorEnvelope),
    ))]
pub async fn list_credentials(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiQuery(params): ApiQuery<CredentialListParams>,
) -> ApiResult<Json<CredentialList>> {
    if !has_scope(&auth, "vault:read") {
        return Err(deny(&state, &auth, None, "list", "missing_scope").await);
    }
    let limit = page_limit(params.limit)?;
    let before = id_cursor(params.cursor.as_deref(), "cred")?;
    let mut rows = state
        .store
        .vault_list(&auth.org_id, before.as_deref(), limit)
        .await?;
    let next_cursor = finish_page(&mut rows, limit, |r| IdCursor { id: r.id.clone() });
    Ok(Json(CredentialList {
        data: rows.into_iter().map(to_credential).collect(),
        next_cursor,
    }))
}

/// Unseal: decrypt and return a credential's values (a `vault.unseal` ledger row).
#[utoipa::path(get, path = "/v1/vault/credentials/{id}", tag = "vault",
    params(("id" = String, Path, description = "cred_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The credential with its values", body = UnsealedCredential),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied: unknown, deleted, expired or another organisation's id, or missing vault:read", body = ErrorEnvelope),
    ))]
pub async fn unseal_credential(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> ApiResult<Json<UnsealedCredential>> {
    const OP: &str = "unseal";
    if !has_scope(&auth, "vault:read") {
        return Err(deny(&state, &auth, Some(&id), OP, "missing_scope").await);
    }
    if !ids::is_id("cred", &id) {
        return Err(deny(&state, &auth, Some(&id), OP, "not_found").await);
    }
    let (row, sealed) = match state
        .store
        .vault_unseal(&auth.org_id, &auth.actor(), &id)
        .await?
    {
        Lookup::Found(found) => found,
        Lookup::Missing => return Err(deny(&state, &auth, Some(&id), OP, "not_found").await),
        Lookup::Expired => return Err(deny(&state, &auth, Some(&id), OP, "expired").await),
    };
    let kek = state.kek.clone();
    let cred_id = id.clone();
    let plaintext = tokio::task::spawn_blocking(move || open_values(&kek, &cred_id, &sealed))
        .await
        .map_err(|_| ApiError::internal())?
        .ok_or_else(|| {
            tracing::error!(credential_id = %id, "stored credential does not open");
            ApiError::internal()
        })?;
    let values: BTreeMap<String, String> =
        serde_json::from_slice(&plaintext).map_err(|_| ApiError::internal())?;
    Ok(Json(UnsealedCredential {
        credential: to_credential(row),
        values,
    }))
}

/// Rotate: re-encrypt under a fresh ML-KEM-768 + X25519 key; the old ciphertext and key
/// are deleted. Values are unchanged.
#[utoipa::path(post, path = "/v1/vault/credentials/{id}/rotate", tag = "vault",
    params(("id" = String, Path, description = "cred_…"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The credential's new metadata", body = Credential),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied: unknown, deleted, expired or another organisation's id, or missing vault:write", body = ErrorEnvelope),
    ))]
pub async fn rotate_credential(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> ApiResult<Json<Credential>> {
    const OP: &str = "rotate";
    if !has_scope(&auth, "vault:write") {
        return Err(deny(&state, &auth, Some(&id), OP, "missing_scope").await);
    }
    if !ids::is_id("cred", &id) {
        return Err(deny(&state, &auth, Some(&id), OP, "not_found").await);
    }
    let kek = state.kek.clone();
    let outcome = state
        .store
        .vault_rotate(&auth.org_id, &auth.actor(), &id, |old| {
            let plaintext = open_values(&kek, &id, old)?;
            seal_values(&kek, &id, old.version + 1, &plaintext)
        })
        .await
        .map_err(vault_error)?;
    match outcome {
        Lookup::Found(row) => {
            tracing::info!(credential_id = %id, version = row.version, "credential rotated");
            Ok(Json(to_credential(row)))
        }
        Lookup::Missing => Err(deny(&state, &auth, Some(&id), OP, "not_found").await),
        Lookup::Expired => Err(deny(&state, &auth, Some(&id), OP, "expired").await),
    }
}

/// Delete a credential permanently (key and ciphertext).
#[utoipa::path(delete, path = "/v1/vault/credentials/{id}", tag = "vault",
    params(("id" = String, Path, description = "cred_…"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "Deleted", body = DeletedCredential),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied: unknown, deleted, expired or another organisation's id, or missing vault:write", body = ErrorEnvelope),
    ))]
pub async fn delete_credential(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedCredential>> {
    const OP: &str = "delete";
    if !has_scope(&auth, "vault:write") {
        return Err(deny(&state, &auth, Some(&id), OP, "missing_scope").await);
    }
    if !ids::is_id("cred", &id) {
        return Err(deny(&state, &auth, Some(&id), OP, "not_found").await);
    }
    match state
        .store
        .vault_delete(&auth.org_id, &auth.actor(), &id)
        .await?
    {
        Lookup::Found(()) => {
            tracing::info!(credential_id = %id, "credential deleted");
            Ok(Json(DeletedCredential { id, deleted: true }))
        }
        Lookup::Missing => Err(deny(&state, &auth, Some(&id), OP, "not_found").await),
        Lookup::Expired => Err(deny(&state, &auth, Some(&id), OP, "expired").await),
    }
}
