//! Hybrid ML-DSA-65 + Ed25519 signatures (`mldsa65+ed25519`).
//!
//! The two halves are exactly the IETF composite signature `id-MLDSA65-Ed25519-SHA512`
//! ([`composite`]); users handle them as one base64 JSON [`SignatureEnvelope`] and
//! verify with an AND combiner ([`verify`]). Formats: `docs/formats.md` §1–2.

pub mod composite;
mod envelope;
mod jwk;
mod keys;
pub mod mldsa65;

pub use envelope::SignatureEnvelope;
pub use keys::{HybridPublicKey, HybridSigningKey};

use crate::{Error, Result};

/// The algorithm name on the wire.
pub const ALGORITHM: &str = "mldsa65+ed25519";
/// Raw ML-DSA-65 public key length (FIPS 204 `pkEncode`).
pub const MLDSA65_PUBLIC_KEY_LEN: usize = 1952;
/// ML-DSA-65 signature length.
pub const MLDSA65_SIGNATURE_LEN: usize = 3309;
/// Ed25519 public key length.
pub const ED25519_PUBLIC_KEY_LEN: usize = 32;
/// Ed25519 signature length.
pub const ED25519_SIGNATURE_LEN: usize = 64;
/// Hybrid private key (seed) length: ML-DSA-65 ξ ‖ Ed25519 secret key.
pub const SEED_LEN: usize = 64;

/// Outcome of a hybrid verification: both halves are always evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerifyResult {
    /// `classical_ok && pq_ok`.
    pub ok: bool,
    /// The Ed25519 half verified.
    pub classical_ok: bool,
    /// The ML-DSA-65 half verified.
    pub pq_ok: bool,
}

impl VerifyResult {
    pub(crate) fn combine(classical_ok: bool, pq_ok: bool) -> Self {
        // `&` rather than `&&`: the AND combiner never short-circuits.
        VerifyResult {
            ok: classical_ok & pq_ok,
            classical_ok,
            pq_ok,
        }
    }
}

/// Verify a signature envelope over `payload` against a published public key.
///
/// Returns `Err` when the signature cannot be parsed (`invalid_signature`) or was made
/// by another key or key version (`key_mismatch`); otherwise both halves are verified
/// and reported.
pub fn verify(
    public_key: &HybridPublicKey,
    payload: &[u8],
    signature: &str,
) -> Result<VerifyResult> {
    let envelope = SignatureEnvelope::parse(signature)?;
    if envelope.key_id() != public_key.key_id() || envelope.key_version() != public_key.version() {
        return Err(Error::KeyMismatch {
            expected: format!("{}#v{}", public_key.key_id(), public_key.version()),
            found: format!("{}#v{}", envelope.key_id(), envelope.key_version()),
        });
    }
    Ok(public_key.verify_halves(payload, &[], envelope.mldsa65(), envelope.ed25519()))
}

/// Verify a signature envelope over `payload` against a *published* public key, in
/// either form (the public key JSON or the JWK Set): the whole offline check, no
/// network and no API client needed.
pub fn verify_published(public_key: &str, payload: &[u8], signature: &str) -> Result<VerifyResult> {
    verify(
        &HybridPublicKey::from_published(public_key)?,
        payload,
        signature,
    )
}

/// Key ids are short, printable and safe in URLs, file names and logs.
pub(crate) fn check_key_id(key_id: &str) -> Result<()> {
    let ok = !key_id.is_empty()
        && key_id.len() <= 128
        && key_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::input(
            "key id",
            "must be 1-128 characters of [A-Za-z0-9_.:-]",
        ))
    }
}

pub(crate) fn check_version(version: u32) -> Result<()> {
    if version == 0 {
        return Err(Error::input("key version", "must be at least 1"));
    }
    Ok(())
}
