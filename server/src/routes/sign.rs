//! `POST /v1/sign` and `POST /v1/verify`. Each call appends one ledger row that holds
//! only `sha256(payload)`, never the payload; logs hold neither.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use base64::Engine;
use postq::api::{
    ErrorEnvelope, PayloadEncoding, SignRequest, SignResponse, VerifyRequest, VerifyResponse,
};
use postq::error::ErrorCode;
use postq::hybrid::{ALGORITHM, HybridPublicKey, HybridSigningKey, SignatureEnvelope};
use postq::ledger::EventType;
use sha2::{Digest, Sha256};

use super::extract::ApiJson;
use crate::app::AppState;
use crate::auth::{self, Authorized};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::{Event, private_aad};

pub(crate) fn decode_payload(payload: &str, encoding: PayloadEncoding) -> ApiResult<Vec<u8>> {
    match encoding {
        PayloadEncoding::Utf8 => Ok(payload.as_bytes().to_vec()),
        PayloadEncoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(payload)
            .map_err(|_| {
                ApiError::validation(
                    "payload is not valid base64 (send `\"encoding\": \"utf8\"` for text).",
                )
            }),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A core error about a signature in the answer's terms: `invalid_signature` and
/// `key_mismatch` keep their codes, anything else is `invalid_input`.
fn signature_error(e: &postq::Error) -> ApiError {
    let code = match e {
        postq::Error::InvalidSignature(_) => ErrorCode::InvalidSignature,
        postq::Error::KeyMismatch { .. } => ErrorCode::KeyMismatch,
        _ => ErrorCode::InvalidInput,
    };
    ApiError::bad_request(code, format!("{e}."))
}

fn key_not_found() -> ApiError {
    ApiError::not_found("Key")
}

/// Sign bytes with a managed key's latest version.
#[utoipa::path(post, path = "/v1/sign", tag = "signing", request_body = SignRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "The composite signature", body = SignResponse),
        (status = 400, description = "Validation failed", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:write (checked before the body)", body = ErrorEnvelope),
        (status = 404, description = "No such key in your organisation", body = ErrorEnvelope),
        (status = 413, description = "Body too large", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub(crate) async fn sign(
    State(state): State<AppState>,
    auth: Authorized<auth::SignWrite>,
    ApiJson(req): ApiJson<SignRequest>,
) -> ApiResult<Json<SignResponse>> {
    let payload = decode_payload(&req.payload, req.encoding)?;
    if !ids::is_id("hk", &req.key_id) {
        return Err(key_not_found());
    }
    let key = state
        .store
        .get_hybrid_key(&auth.org_id, &req.key_id)
        .await?
        .ok_or_else(key_not_found)?;
    let sealed = state
        .store
        .sealed_version(&key.id, key.latest_version)
        .await?
        .ok_or_else(ApiError::internal)?;
    let kek = state.kek.clone();
    let key_id = key.id.clone();
    let org_id = auth.org_id.clone();
    let version = sealed.version;
    let payload_sha256 = sha256_hex(&payload);
    let signature = tokio::task::spawn_blocking(move || {
        let seed = kek
            .open_for_org(
                &org_id,
                &private_aad(&key_id, version),
                &sealed.sealed_private,
            )
            .map_err(|_| {
                tracing::error!(key_id = %key_id, "sealed private key did not open");
                ApiError::internal()
            })?;
        let sk = HybridSigningKey::from_seed(&seed, &key_id, version).map_err(|e| {
            tracing::error!(code = e.code(), "stored seed rejected");
            ApiError::internal()
        })?;
        sk.sign(&payload).map_err(|e| {
            tracing::error!(code = e.code(), "signing failed");
            ApiError::internal()
        })
    })
    .await
    .map_err(|_| ApiError::internal())??;
    let mut details = BTreeMap::new();
    details.insert("payloadSha256".to_owned(), payload_sha256.clone());
    details.insert("keyVersion".to_owned(), version.to_string());
    state
        .store
        .append_event(Event {
            org_id: &auth.org_id,
            event_type: EventType::Sign,
            actor: &auth.actor(),
            resource_id: Some(&key.id),
            details,
        })
        .await?;
    Ok(Json(SignResponse {
        signature,
        key_id: key.id,
        key_version: version,
        algorithm: ALGORITHM.to_owned(),
        payload_sha256,
    }))
}

/// The public key a verification runs against, and whether its version is retired.
async fn verifying_key(
    state: &AppState,
    org_id: &str,
    req: &VerifyRequest,
    envelope: &SignatureEnvelope,
) -> ApiResult<(HybridPublicKey, bool)> {
    match (req.key_id.as_deref(), req.public_key.as_deref()) {
        (Some(_), Some(_)) | (None, None) => Err(ApiError::validation(
            "Give exactly one of keyId or publicKey.",
        )),
        (Some(key_id), None) => {
            if !ids::is_id("hk", key_id) {
                return Err(key_not_found());
            }
            let key = state
                .store
                .get_hybrid_key(org_id, key_id)
                .await?
                .ok_or_else(key_not_found)?;
            if envelope.key_id() != key.id {
                return Err(ApiError::bad_request(
                    ErrorCode::KeyMismatch,
                    format!(
                        "The signature was made by key {}, not {}.",
                        envelope.key_id(),
                        key.id
                    ),
                ));
            }
            let v = state
                .store
                .key_version(&key.id, envelope.key_version())
                .await?
                .ok_or_else(|| ApiError::not_found("Key version"))?;
            let public =
                HybridPublicKey::from_json(&v.public_key).map_err(|_| ApiError::internal())?;
            Ok((public, v.version < key.min_version))
        }
        (None, Some(pk)) => {
            let public = HybridPublicKey::from_published(pk).map_err(|e| {
                ApiError::bad_request(ErrorCode::InvalidPublicKey, format!("publicKey: {e}."))
            })?;
            Ok((public, false))
        }
    }
}

/// Verify a composite signature by managed `keyId` or by a published `publicKey`.
#[utoipa::path(post, path = "/v1/verify", tag = "signing", request_body = VerifyRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "Verification result (ok=false is not an error)", body = VerifyResponse),
        (status = 400, description = "Malformed signature (invalid_signature), signature of another key (key_mismatch), bad public key or payload", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:read (checked before the body)", body = ErrorEnvelope),
        (status = 404, description = "No such key or key version in your organisation", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub(crate) async fn verify(
    State(state): State<AppState>,
    auth: Authorized<auth::SignRead>,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> ApiResult<Json<VerifyResponse>> {
    let payload = decode_payload(&req.payload, req.encoding)?;
    let envelope = SignatureEnvelope::parse(&req.signature).map_err(|e| signature_error(&e))?;
    let (public, retired) = verifying_key(&state, &auth.org_id, &req, &envelope).await?;
    let payload_sha256 = sha256_hex(&payload);
    let signature = req.signature.clone();
    let public_for_task = public.clone();
    let result = tokio::task::spawn_blocking(move || {
        postq::hybrid::verify(&public_for_task, &payload, &signature)
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| signature_error(&e))?;
    let (ok, classical_ok, pq_ok) = if retired {
        (false, false, false)
    } else {
        (result.ok, result.classical_ok, result.pq_ok)
    };
    let key_id = public.key_id().to_owned();
    let key_version = public.version();
    let mut details = BTreeMap::new();
    details.insert("payloadSha256".to_owned(), payload_sha256);
    details.insert("keyVersion".to_owned(), key_version.to_string());
    details.insert("ok".to_owned(), ok.to_string());
    let by = if req.key_id.is_some() {
        "keyId"
    } else {
        "publicKey"
    };
    details.insert("by".to_owned(), by.to_owned());
    state
        .store
        .append_event(Event {
            org_id: &auth.org_id,
            event_type: EventType::Verify,
            actor: &auth.actor(),
            resource_id: Some(&key_id),
            details,
        })
        .await?;
    Ok(Json(VerifyResponse {
        ok,
        classical_ok,
        pq_ok,
        key_id,
        key_version,
        reason: retired.then(|| "key_version_retired".to_owned()),
    }))
}
