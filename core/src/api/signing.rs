//! `POST /v1/sign`, `POST /v1/verify`, and verification offline against a published key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::client::{Call, Client};
use crate::hybrid::VerifyResult;

/// A composite signature made by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignResponse {
    /// The base64 envelope (docs/formats.md §2).
    pub signature: String,
    /// Key that signed.
    pub key_id: String,
    /// Version that signed.
    pub key_version: u32,
    /// `mldsa65+ed25519`.
    pub algorithm: String,
    /// SHA-256 of the payload, hex (what the audit row stores).
    pub payload_sha256: String,
}

/// The server's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerifyResponse {
    /// `classical_ok && pq_ok`.
    pub ok: bool,
    /// Ed25519 half.
    pub classical_ok: bool,
    /// ML-DSA-65 half.
    pub pq_ok: bool,
    /// Key checked against.
    pub key_id: String,
    /// Version checked against.
    pub key_version: u32,
    /// Why `ok` is false when it is not a bad signature (e.g. `key_version_retired`);
    /// absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// How `payload` is written in a sign or verify request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum PayloadEncoding {
    /// Standard base64 with padding (the default; the SDKs send bytes this way).
    #[default]
    Base64,
    /// The payload is the UTF-8 bytes of the string as given.
    Utf8,
}

/// `POST /v1/sign` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct SignRequest {
    /// The managed key (`hk_…`); its latest version signs.
    pub key_id: String,
    /// The bytes to sign, written as `encoding` says.
    #[cfg_attr(feature = "schema", schema(example = "c2hpcCBpdA=="))]
    pub payload: String,
    /// How `payload` is written (default base64).
    #[serde(default)]
    pub encoding: PayloadEncoding,
}

impl SignRequest {
    /// Sign these bytes with a key's latest version.
    pub fn new(key_id: impl Into<String>, payload: &[u8]) -> Self {
        SignRequest {
            key_id: key_id.into(),
            payload: STANDARD.encode(payload),
            encoding: PayloadEncoding::Base64,
        }
    }
}

/// `POST /v1/verify` body: exactly one of `key_id` and `public_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct VerifyRequest {
    /// Verify against a managed key (any version at or above its `minVersion`)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// …or against a published public key (JSON or JWK Set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The signed bytes, written as `encoding` says.
    pub payload: String,
    /// How `payload` is written (default base64).
    #[serde(default)]
    pub encoding: PayloadEncoding,
    /// The composite signature from `POST /v1/sign`.
    pub signature: String,
}

impl Client {
    /// Sign `payload` with a managed key's latest version (scope `sign:write`).
    pub async fn sign(&self, key_id: &str, payload: &[u8]) -> Result<SignResponse> {
        super::path_id("key id", key_id)?;
        let body = SignRequest::new(key_id, payload);
        self.transport
            .json(Call::post("/v1/sign", &body)?, &self.options)
            .await
    }

    /// Verify on the server against a managed key (scope `sign:read`).
    pub async fn verify_with_key(
        &self,
        key_id: &str,
        payload: &[u8],
        signature: &str,
    ) -> Result<VerifyResponse> {
        super::path_id("key id", key_id)?;
        self.verify_call(Some(key_id), None, payload, signature)
            .await
    }

    /// Verify on the server against a published public key (JSON or JWK Set).
    pub async fn verify_with_public_key(
        &self,
        public_key: &str,
        payload: &[u8],
        signature: &str,
    ) -> Result<VerifyResponse> {
        self.verify_call(None, Some(public_key), payload, signature)
            .await
    }

    async fn verify_call(
        &self,
        key_id: Option<&str>,
        public_key: Option<&str>,
        payload: &[u8],
        signature: &str,
    ) -> Result<VerifyResponse> {
        // Catch a malformed signature locally: no request, a precise error.
        crate::hybrid::SignatureEnvelope::parse(signature)?;
        let body = VerifyRequest {
            key_id: key_id.map(str::to_owned),
            public_key: public_key.map(str::to_owned),
            payload: STANDARD.encode(payload),
            encoding: PayloadEncoding::Base64,
            signature: signature.to_owned(),
        };
        self.transport
            .json(Call::post("/v1/verify", &body)?, &self.options)
            .await
    }

    /// Verify offline, no network: against a published public key (JSON or JWK Set).
    /// The same as [`crate::hybrid::verify_published`], which needs no `client` feature.
    pub fn verify_offline(
        public_key: &str,
        payload: &[u8],
        signature: &str,
    ) -> Result<VerifyResult> {
        crate::hybrid::verify_published(public_key, payload, signature)
    }
}
