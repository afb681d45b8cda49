//! The two typed results of the offline hot path (`#[napi(object)]`, described in the
//! generated `native.d.ts`). Every API model is generated from the schema instead
//! (`types.generated.d.ts`); these stay hand-written because they carry `Buffer`s or
//! are returned without a JSON round trip.

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

/// A parsed, checked hybrid public key.
#[napi(object)]
pub struct PublicKeyInfo {
    /// The key id signatures name.
    pub key_id: String,
    /// Key version.
    pub version: u32,
    /// SHA-256 of `mldsa65 ‖ ed25519`, hex.
    pub fingerprint: String,
    /// The compact public key JSON (docs/formats.md §1).
    pub json: String,
    /// The same key as a JWK Set.
    pub jwk: String,
    /// Raw ML-DSA-65 public key (1952 bytes).
    pub mldsa65: Buffer,
    /// Raw Ed25519 public key (32 bytes).
    pub ed25519: Buffer,
}

impl PublicKeyInfo {
    /// From the core's parsed key.
    pub fn from_core(key: &postq::hybrid::HybridPublicKey) -> Self {
        PublicKeyInfo {
            key_id: key.key_id().to_owned(),
            version: key.version(),
            fingerprint: key.fingerprint(),
            json: key.to_json(),
            jwk: key.to_jwk(),
            mldsa65: key.mldsa65_bytes().into(),
            ed25519: key.ed25519_bytes().to_vec().into(),
        }
    }
}

/// A verification verdict: both halves are always checked (AND combiner). Server
/// verification (`pq.verify`) also fills `keyId`, `keyVersion` and `reason`.
#[napi(object)]
pub struct VerifyResult {
    /// `classicalOk && pqOk`.
    pub ok: bool,
    /// The Ed25519 half verified.
    pub classical_ok: bool,
    /// The ML-DSA-65 half verified.
    pub pq_ok: bool,
    /// Key checked against (server verification).
    pub key_id: Option<String>,
    /// Version checked against (server verification).
    pub key_version: Option<u32>,
    /// Why `ok` is false when it is not a bad signature (e.g. `key_version_retired`).
    pub reason: Option<String>,
}

impl From<postq::hybrid::VerifyResult> for VerifyResult {
    fn from(v: postq::hybrid::VerifyResult) -> Self {
        VerifyResult {
            ok: v.ok,
            classical_ok: v.classical_ok,
            pq_ok: v.pq_ok,
            key_id: None,
            key_version: None,
            reason: None,
        }
    }
}
