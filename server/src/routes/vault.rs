//! The credential vault: seal, list, unseal, rotate, delete.
//!
//! Each credential gets its own `pqseal-v1` recipient key (ML-KEM-768 + X25519); the key
//! seed is sealed under the server KEK and the values are sealed to the key with the
//! credential id as associated data. Any refusal on a vault route — a missing scope
//! (checked before the body is read), an id that is unknown, malformed, undecodable,
//! deleted, expired or another organisation's — is the same `403 access_denied` (no
//! enumeration) and a `vault.denied` ledger row.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use postq::api::{Credential, Deleted, ErrorEnvelope, SealRequest, UnsealedCredential};
use postq::seal::{SealSecretKey, seal};
use zeroize::Zeroizing;

use super::extract::{ApiQuery, PathId, decode_json};
use super::lists::CredentialList;
use super::paging::{ListParams, finish_id_page};
use crate::app::AppState;
use crate::auth::{AuthContext, Scope};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::kek::Kek;
use crate::store::{Lookup, NewCredential, NewSealed, SealedCredential, seed_aad};

/// What `values` must be; a decoding error says only this, never what was sent.
pub(crate) const VALUES_SHAPE: (&str, &str) = ("values", "an object of string to string");

/// Why a vault request was refused, as the `vault.denied` row records it.
#[derive(Debug, Clone, Copy)]
enum Denial {
    MissingScope,
    NotFound,
    Expired,
}

impl Denial {
    fn as_str(self) -> &'static str {
        match self {
            Denial::MissingScope => "missing_scope",
            Denial::NotFound => "not_found",
            Denial::Expired => "expired",
        }
    }
}

/// Record the refusal in the ledger and answer the uniform 403.
async fn deny(
    state: &AppState,
    auth: &AuthContext,
    resource: Option<&str>,
    operation: &str,
    why: Denial,
) -> ApiError {
    if let Err(e) = state
        .store
        .vault_denied(
            &auth.org_id,
            &auth.actor(),
            resource,
            operation,
            why.as_str(),
        )
        .await
    {
        tracing::error!(error = %e, "could not record vault.denied");
    }
    tracing::info!(operation, "vault access denied");
    ApiError::access_denied()
}

/// The scope check every vault route starts with.
async fn require(
    state: &AppState,
    auth: &AuthContext,
    scope: Scope,
    resource: Option<&str>,
    operation: &str,
) -> ApiResult<()> {
    if auth.has(scope) {
        Ok(())
    } else {
        Err(deny(state, auth, resource, operation, Denial::MissingScope).await)
    }
}

/// A credential id from the path; anything that cannot name one is refused like an
/// unknown id.
async fn credential_id(
    state: &AppState,
    auth: &AuthContext,
    id: PathId,
    operation: &str,
) -> ApiResult<String> {
    match id {
        PathId::Id(id) if ids::is_id("cred", &id) => Ok(id),
        PathId::Id(raw) | PathId::Undecodable(raw) => {
            Err(deny(state, auth, Some(&raw), operation, Denial::NotFound).await)
        }
    }
}

/// The text of a path id for the `vault.denied` row, whatever its shape.
fn raw_id(id: &PathId) -> &str {
    match id {
        PathId::Id(id) | PathId::Undecodable(id) => id,
    }
}

/// A fresh seal key for `id` at `version`, its seed sealed under the KEK, and the
/// values sealed to it with the credential id as associated data.
fn seal_values(
    kek: &Kek,
    org_id: &str,
    id: &str,
    version: u32,
    plaintext: &[u8],
) -> Option<NewSealed> {
    let sk = SealSecretKey::generate().ok()?;
    let seed = sk.seed_bytes();
    let sealed_seed = kek
        .seal_for_org(org_id, &seed_aad(id, version), seed.as_ref())
        .ok()?;
    let ciphertext = seal(sk.public_key(), plaintext, id.as_bytes()).ok()?;
    Some(NewSealed {
        seal_fingerprint: sk.public_key().fingerprint(),
        sealed_seed,
        ciphertext,
    })
}

/// Open a stored credential's envelope.
fn open_values(
    kek: &Kek,
    org_id: &str,
    id: &str,
    sealed: &SealedCredential,
) -> Option<Zeroizing<Vec<u8>>> {
    let seed = kek
        .open_for_org(org_id, &seed_aad(id, sealed.version), &sealed.sealed_seed)
        .ok()?;
    let sk = SealSecretKey::from_seed(&seed).ok()?;
    sk.open(&sealed.ciphertext, id.as_bytes()).ok()
}

/// Seal a credential.
#[utoipa::path(post, path = "/v1/vault/credentials", tag = "vault", request_body = SealRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "The sealed credential's metadata", body = Credential),
        (status = 400, description = "Malformed seal request (never echoes a value)", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied (missing vault:write; checked before the body)", body = ErrorEnvelope),
    ))]
pub(crate) async fn seal_credential(
    State(state): State<AppState>,
    auth: AuthContext,
    body: Bytes,
) -> ApiResult<Json<Credential>> {
    require(&state, &auth, Scope::VaultWrite, None, "seal").await?;
    let req: SealRequest = decode_json(&body, &[VALUES_SHAPE])?;
    req.validate().map_err(|e| ApiError::from_rule(&e))?;
    let plaintext = Zeroizing::new(
        serde_json::to_vec(&req.values)
            .map_err(|_| ApiError::validation("values: must be an object of string to string."))?,
    );
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
    let org_id = auth.org_id.clone();
    let credential = state
        .store
        .vault_insert(&auth.org_id, &auth.actor(), &new, |id| {
            seal_values(&kek, &org_id, id, 1, &plaintext)
        })
        .await?;
    tracing::info!(credential_id = %credential.id, "credential sealed");
    Ok(Json(credential))
}

/// List credentials (metadata only, newest first; expired ones are gone).
#[utoipa::path(get, path = "/v1/vault/credentials", tag = "vault", params(ListParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of credential metadata", body = CredentialList),
        (status = 400, description = "Bad limit or cursor", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied (missing vault:read)", body = ErrorEnvelope),
    ))]
pub(crate) async fn list_credentials(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<CredentialList>> {
    require(&state, &auth, Scope::VaultRead, None, "list").await?;
    let page = params.page(&[], "cred")?;
    let mut data = state
        .store
        .vault_list(&auth.org_id, page.before.as_deref(), page.limit)
        .await?;
    let next_cursor = finish_id_page(&mut data, page.limit, |c| &c.id);
    Ok(Json(CredentialList { data, next_cursor }))
}

/// Unseal: decrypt and return a credential's values (a `vault.unseal` ledger row).
#[utoipa::path(get, path = "/v1/vault/credentials/{id}", tag = "vault",
    params(("id" = String, Path, description = "cred_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The credential with its values", body = UnsealedCredential),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied: unknown, malformed, deleted, expired or another organisation's id, or missing vault:read", body = ErrorEnvelope),
    ))]
pub(crate) async fn unseal_credential(
    State(state): State<AppState>,
    auth: AuthContext,
    id: PathId,
) -> ApiResult<Json<UnsealedCredential>> {
    const OP: &str = "unseal";
    require(&state, &auth, Scope::VaultRead, Some(raw_id(&id)), OP).await?;
    let id = credential_id(&state, &auth, id, OP).await?;
    let (credential, sealed) = match state
        .store
        .vault_unseal(&auth.org_id, &auth.actor(), &id)
        .await?
    {
        Lookup::Found(found) => found,
        Lookup::Missing => return Err(deny(&state, &auth, Some(&id), OP, Denial::NotFound).await),
        Lookup::Expired => return Err(deny(&state, &auth, Some(&id), OP, Denial::Expired).await),
    };
    let kek = state.kek.clone();
    let org_id = auth.org_id.clone();
    let cred_id = id.clone();
    let plaintext =
        tokio::task::spawn_blocking(move || open_values(&kek, &org_id, &cred_id, &sealed))
            .await
            .map_err(|_| ApiError::internal())?
            .ok_or_else(|| {
                tracing::error!(credential_id = %id, "stored credential does not open");
                ApiError::internal()
            })?;
    let values: BTreeMap<String, String> =
        serde_json::from_slice(&plaintext).map_err(|_| ApiError::internal())?;
    Ok(Json(UnsealedCredential { credential, values }))
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
        (status = 403, description = "access_denied: unknown, malformed, deleted, expired or another organisation's id, or missing vault:write", body = ErrorEnvelope),
    ))]
pub(crate) async fn rotate_credential(
    State(state): State<AppState>,
    auth: AuthContext,
    id: PathId,
) -> ApiResult<Json<Credential>> {
    const OP: &str = "rotate";
    require(&state, &auth, Scope::VaultWrite, Some(raw_id(&id)), OP).await?;
    let id = credential_id(&state, &auth, id, OP).await?;
    let kek = state.kek.clone();
    let org_id = auth.org_id.clone();
    let outcome = state
        .store
        .vault_rotate(&auth.org_id, &auth.actor(), &id, |old| {
            let plaintext = open_values(&kek, &org_id, &id, old)?;
            seal_values(&kek, &org_id, &id, old.version + 1, &plaintext)
        })
        .await?;
    match outcome {
        Lookup::Found(credential) => {
            tracing::info!(credential_id = %id, version = credential.version, "credential rotated");
            Ok(Json(credential))
        }
        Lookup::Missing => Err(deny(&state, &auth, Some(&id), OP, Denial::NotFound).await),
        Lookup::Expired => Err(deny(&state, &auth, Some(&id), OP, Denial::Expired).await),
    }
}

/// Delete a credential permanently (key and ciphertext).
#[utoipa::path(delete, path = "/v1/vault/credentials/{id}", tag = "vault",
    params(("id" = String, Path, description = "cred_…"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "Deleted", body = Deleted),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "access_denied: unknown, malformed, deleted, expired or another organisation's id, or missing vault:write", body = ErrorEnvelope),
    ))]
pub(crate) async fn delete_credential(
    State(state): State<AppState>,
    auth: AuthContext,
    id: PathId,
) -> ApiResult<Json<Deleted>> {
    const OP: &str = "delete";
    require(&state, &auth, Scope::VaultWrite, Some(raw_id(&id)), OP).await?;
    let id = credential_id(&state, &auth, id, OP).await?;
    match state
        .store
        .vault_delete(&auth.org_id, &auth.actor(), &id)
        .await?
    {
        Lookup::Found(()) => {
            tracing::info!(credential_id = %id, "credential deleted");
            Ok(Json(Deleted { id, deleted: true }))
        }
        Lookup::Missing => Err(deny(&state, &auth, Some(&id), OP, Denial::NotFound).await),
        Lookup::Expired => Err(deny(&state, &auth, Some(&id), OP, Denial::Expired).await),
    }
}
