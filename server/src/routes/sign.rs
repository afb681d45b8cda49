//! `POST /v1/sign` and `POST /v1/verify`. Each call appends one ledger row that holds
//! only `sha256(payload)`, never the payload; logs hold neither.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use base64::Engine;
use postq::hybrid::{ALGORITHM, HybridPublicKey, HybridSigningKey, SignatureEnvelope};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::ApiJson;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::ids;
use crate::keystore::private_aad;
use crate::ledger::Event;

/// How `payload` is written in the request.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PayloadEncoding {
    /// Standard base64 with padding (the default; SDKs send bytes this way).
    #[default]
    Base64,
    /// The payload is the UTF-8 bytes of the string as given.
    Utf8,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignRequest {
    /// The managed key (`hk_…`); its latest version signs.
    pub key_id: String,
    /// The bytes to sign, encoded as `encoding` says.
    #[schema(example = "c2hpcCBpdA==")]
    pub payload: String,
    #[serde(default)]
    pub encoding: PayloadEncoding,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignResponse {
    /// The composite signature: b64 of the envelope JSON (docs/formats.md §2).
    pub signature: String,
    pub key_id: String,
    pub key_version: u32,
    #[schema(example = "mldsa65+ed25519")]
    pub algorithm: String,
    /// SHA-256 of the payload bytes, hex (what the audit row stores).
    pub payload_sha256: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyRequest {
    /// Verify against a managed key (any version at or above its `minVersion`)…
    pub key_id: Option<String>,
    /// …or against a published public key (JSON or JWK Set), offline-style.
    pub public_key: Option<String>,
    pub payload: String,
    #[serde(default)]
    pub encoding: PayloadEncoding,
    /// The composite signature from `POST /v1/sign`.
    pub signature: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResponse {
    /// `classicalOk && pqOk` (AND combiner: both halves are always checked).
    pub ok: bool,
    pub classical_ok: bool,
    pub pq_ok: bool,
    pub key_id: String,
    pub key_version: u32,
    /// Why `ok` is false when it is not a bad signature: `key_version_retired`
    /// (below the key's `minVersion`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn decode_payload(payload: &str, encoding: PayloadEncoding) -> Result<Vec<u8>, ApiError> {
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

fn core_error(e: &postq::Error) -> ApiError {
    let code = match e.code() {
        "invalid_signature" => "invalid_signature",
        "key_mismatch" => "key_mismatch",
        _ => "invalid_input",
    };
    ApiError::bad_request(code, format!("{e}."))
}

/// Sign bytes with a managed key's latest version.
#[utoipa::path(post, path = "/v1/sign", tag = "signing", request_body = SignRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "The composite signature", body = SignResponse),
        (status = 400, description = "Validation failed", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:write", body = ErrorEnvelope),
        (status = 404, description = "No such key in your organisation", body = ErrorEnvelope),
        (status = 413, description = "Body too large", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub async fn sign(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiJson(req): ApiJson<SignRequest>,
) -> ApiResult<Json<SignResponse>> {
    auth.require("sign:write")?;
    let payload = decode_payload(&req.payload, req.encoding)?;
    if !ids::is_id("hk", &req.key_id) {
        return Err(ApiError::not_found("Key"));
    }
    let key = state
        .store
        .get_hybrid_key(&auth.org_id, &req.key_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Key"))?;
    let sealed = state
        .store
        .sealed_version(&key.id, key.latest_version)
        .await?
        .ok_or_else(ApiError::internal)?;
    let kek = state.kek.clone();
    let key_id = key.id.clone();
    let version = sealed.version;
    let payload_sha256 = sha256_hex(&payload);
    let signature = tokio::task::spawn_blocking(move || {
        let seed = kek
            .open(&private_aad(&key_id, version), &sealed.sealed_private)
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
            event_type: "sign",
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

/// Verify a composite signature by managed `keyId` or by a published `publicKey`.
#[utoipa::path(post, path = "/v1/verify", tag = "signing", request_body = VerifyRequest,
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "Verification result (ok=false is not an error)", body = VerifyResponse),
        (status = 400, description = "Malformed signature (invalid_signature), signature of another key (key_mismatch), bad public key or payload", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing sign:read", body = ErrorEnvelope),
        (status = 404, description = "No such key or key version in your organisation", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> ApiResult<Json<VerifyResponse>> {
    auth.require("sign:read")?;
    let payload = decode_payload(&req.payload, req.encoding)?;
    let envelope = SignatureEnvelope::parse(&req.signature).map_err(|e| core_error(&e))?;
    let mut retired = false;
    let public = match (req.key_id.as_deref(), req.public_key.as_deref()) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(ApiError::validation(
                "Give exactly one of keyId or publicKey.",
            ));
        }
        (Some(key_id), None) => {
            if !ids::is_id("hk", key_id) {
                return Err(ApiError::not_found("Key"));
            }
            let key = state
                .store
                .get_hybrid_key(&auth.org_id, key_id)
                .await?
                .ok_or_else(|| ApiError::not_found("Key"))?;
            if envelope.key_id() != key.id {
                return Err(ApiError::bad_request(
                    "key_mismatch",
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
            retired = v.version < key.min_version;
            HybridPublicKey::from_json(&v.public_key).map_err(|_| ApiError::internal())?
        }
        (None, Some(pk)) => {
            let parsed = if pk.contains("\"keys\"") {
                HybridPublicKey::from_jwk(pk)
            } else {
                HybridPublicKey::from_json(pk)
            };
            parsed.map_err(|e| {
                ApiError::bad_request("invalid_public_key", format!("publicKey: {e}."))
            })?
        }
    };
    let payload_sha256 = sha256_hex(&payload);
    let signature = req.signature;
    let public_for_task = public.clone();
    let result = tokio::task::spawn_blocking(move || {
        postq::hybrid::verify(&public_for_task, &payload, &signature)
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| core_error(&e))?;
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
    details.insert(
        "by".to_owned(),
        if req.key_id.is_some() {
            "keyId"
        } else {
            "publicKey"
        }
        .to_owned(),
    );
    state
        .store
        .append_event(Event {
            org_id: &auth.org_id,
            event_type: "verify",
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
