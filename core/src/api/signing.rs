//! `POST /v1/sign`, `POST /v1/verify`, and verification offline against a published key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::client::{Call, Client};
use crate::hybrid::{HybridPublicKey, VerifyResult};

/// A composite signature made by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Why `ok` is false when it is not a bad signature (e.g. `key_version_retired`).
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignBody<'a> {
    key_id: &'a str,
    payload: String,
    encoding: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_key: Option<&'a str>,
    payload: String,
    encoding: &'static str,
    signature: &'a str,
}

impl Client {
    /// Sign `payload` with a managed key's latest version (scope `sign:write`).
    pub async fn sign(&self, key_id: &str, payload: &[u8]) -> Result<SignResponse> {
        super::path_id("key id", key_id)?;
        let body = SignBody {
            key_id,
            payload: STANDARD.encode(payload),
            encoding: "base64",
        };
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
        let body = VerifyBody {
            key_id,
            public_key,
            payload: STANDARD.encode(payload),
            encoding: "base64",
            signature,
        };
        self.transport
            .json(Call::post("/v1/verify", &body)?, &self.options)
            .await
    }

    /// Verify offline, no network: against a published public key (JSON or JWK Set).
    pub fn verify_offline(
        public_key: &str,
        payload: &[u8],
        signature: &str,
    ) -> Result<VerifyResult> {
        let key = HybridPublicKey::from_published(public_key)?;
        crate::hybrid::verify(&key, payload, signature)
    }
}
