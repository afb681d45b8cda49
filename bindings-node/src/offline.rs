//! Offline helpers: no network, no API key. Hybrid signature verification against a
//! published public key, sidecar certificate verification, `pqseal-v1` seal/open,
//! ledger chain verification and the ledger's checkpoints and proofs — each a direct
//! call into the core (or the common layer's shared JSON reports).

use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;
use postq_bindings_common::offline;

use crate::error::IntoJs as _;
use crate::types::{PublicKeyInfo, VerifyResult};

/// Verify a hybrid signature envelope over `payload` against a published public key
/// (JSON or JWK Set). Throws on a malformed signature (`invalid_signature`) or a
/// signature of another key (`key_mismatch`); otherwise both halves are reported.
#[napi(catch_unwind)]
pub fn verify_offline(
    public_key: String,
    payload: Uint8Array,
    signature: String,
) -> napi::Result<VerifyResult> {
    let verdict = postq::hybrid::verify_published(&public_key, &payload, &signature).js()?;
    Ok(verdict.into())
}

/// Either published form (JSON or JWK Set).
fn parse_published(text: &str) -> napi::Result<postq::hybrid::HybridPublicKey> {
    postq::hybrid::HybridPublicKey::from_published(text).js()
}

/// Parse and check a published hybrid public key (JSON or JWK Set).
#[napi(catch_unwind)]
pub fn parse_public_key(text: String) -> napi::Result<PublicKeyInfo> {
    Ok(PublicKeyInfo::from_core(&parse_published(&text)?))
}

/// A published hybrid public key, parsed once: verify many signatures against it
/// without re-parsing (the ML-DSA-65 key expansion is a large part of one verify).
#[napi]
pub struct HybridPublicKey {
    inner: postq::hybrid::HybridPublicKey,
}

#[napi]
impl HybridPublicKey {
    /// Parse the public key JSON or JWK Set.
    #[napi(factory, catch_unwind)]
    pub fn parse(text: String) -> napi::Result<HybridPublicKey> {
        Ok(HybridPublicKey {
            inner: parse_published(&text)?,
        })
    }

    /// The key id signatures name.
    #[napi(getter)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_owned()
    }

    /// Key version.
    #[napi(getter)]
    pub fn version(&self) -> u32 {
        self.inner.version()
    }

    /// SHA-256 of `mldsa65 ‖ ed25519`, hex.
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// The compact public key JSON.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The JWK Set form.
    #[napi]
    pub fn to_jwk(&self) -> String {
        self.inner.to_jwk()
    }

    /// Verify a signature envelope over `payload` (as `verifyOffline`).
    #[napi(catch_unwind)]
    pub fn verify(&self, payload: Uint8Array, signature: String) -> napi::Result<VerifyResult> {
        let verdict = postq::hybrid::verify(&self.inner, &payload, &signature).js()?;
        Ok(verdict.into())
    }
}

/// Verify a hybrid certificate's ML-DSA-65 sidecar (PEM or DER bytes). `at` is an
/// RFC 3339 time to judge validity at (default now). Returns the `SidecarReport` JSON.
#[napi(catch_unwind)]
pub fn verify_certificate(
    certificate: Uint8Array,
    hostname: Option<String>,
    at: Option<String>,
) -> napi::Result<String> {
    let report = offline::verify_certificate(&certificate, hostname, at.as_deref()).js()?;
    Ok(report.as_str().to_owned())
}

/// Verify ledger rows (JSON array, ascending `seq`). `complete` also requires `seq`
/// 1, 2, 3 … Returns the `ChainReport` JSON.
#[napi(catch_unwind)]
pub fn verify_ledger_chain(rows: String, complete: Option<bool>) -> napi::Result<String> {
    let report = offline::verify_ledger(&rows, complete.unwrap_or(false)).js()?;
    Ok(report.as_str().to_owned())
}

/// Verify a signed checkpoint against a ledger key (JSON). Returns the
/// `SignedCheckpoint` JSON; throws `ledger_bad_signature` (or `invalid_input`).
#[napi(catch_unwind)]
pub fn verify_checkpoint(ledger_key: String, checkpoint: String) -> napi::Result<String> {
    let verified = offline::verify_checkpoint(&ledger_key, &checkpoint).js()?;
    Ok(verified.as_str().to_owned())
}

/// Verify a row's inclusion proof (both JSON) against a witness state, or a ledger key
/// and a signed checkpoint. Returns the `SignedCheckpoint` JSON the row was proven in.
#[napi(catch_unwind)]
pub fn verify_inclusion(
    row: String,
    proof: String,
    state: Option<String>,
    ledger_key: Option<String>,
    checkpoint: Option<String>,
) -> napi::Result<String> {
    let anchor = offline::ProofAnchor::from_parts(
        state.as_deref(),
        ledger_key.as_deref(),
        checkpoint.as_deref(),
    )
    .js()?;
    let verified = offline::verify_inclusion(&row, &proof, anchor).js()?;
    Ok(verified.as_str().to_owned())
}

/// Verify that the signed checkpoint `newer` extends `older` (consistency proof JSON,
/// optional for equal sizes). Returns the `SignedCheckpoint` JSON of `newer`.
#[napi(catch_unwind)]
pub fn verify_consistency(
    ledger_key: String,
    older: String,
    newer: String,
    proof: Option<String>,
) -> napi::Result<String> {
    let verified =
        offline::verify_consistency(&ledger_key, &older, &newer, proof.as_deref()).js()?;
    Ok(verified.as_str().to_owned())
}

/// Seal `plaintext` to a recipient's public key (base64 of `ek ‖ x25519`, 1216 bytes)
/// with optional associated data; returns the base64 `pqseal-v1` envelope.
#[napi(catch_unwind)]
pub fn seal(
    recipient_public_key: String,
    plaintext: Uint8Array,
    aad: Option<Uint8Array>,
) -> napi::Result<String> {
    let recipient = postq::seal::SealPublicKey::from_base64(&recipient_public_key).js()?;
    let aad = aad.as_deref().unwrap_or(&[]);
    postq::seal::seal_base64(&recipient, &plaintext, aad).js()
}

/// A `pqseal-v1` recipient key pair (ML-KEM-768 + X25519). The secret half stays in
/// native memory (zeroized on drop); only `exportSeed()` copies it out.
#[napi]
pub struct SealKey {
    inner: postq::seal::SealSecretKey,
}

#[napi]
impl SealKey {
    /// A fresh key pair from the OS RNG.
    #[napi(factory, catch_unwind)]
    pub fn generate() -> napi::Result<SealKey> {
        Ok(SealKey {
            inner: postq::seal::SealSecretKey::generate().js()?,
        })
    }

    /// From the 96-byte seed `d ‖ z ‖ x25519 secret`.
    #[napi(factory, catch_unwind)]
    pub fn from_seed(seed: Uint8Array) -> napi::Result<SealKey> {
        Ok(SealKey {
            inner: postq::seal::SealSecretKey::from_seed(&seed).js()?,
        })
    }

    /// The public key, base64 (`ek ‖ x25519`, 1216 bytes) — give this to senders.
    #[napi(getter)]
    pub fn public_key(&self) -> String {
        self.inner.public_key().to_base64()
    }

    /// SHA-256 of the public key, hex.
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.public_key().fingerprint()
    }

    /// The 96-byte secret seed. Secret: store it encrypted.
    #[napi]
    pub fn export_seed(&self) -> Buffer {
        self.inner.seed_bytes().to_vec().into()
    }

    /// Open envelope bytes sealed to this key with the same associated data.
    #[napi(catch_unwind)]
    pub fn open(&self, envelope: Uint8Array, aad: Option<Uint8Array>) -> napi::Result<Buffer> {
        let aad = aad.as_deref().unwrap_or(&[]);
        let plain = self.inner.open(&envelope, aad).js()?;
        Ok(plain.to_vec().into())
    }

    /// Open the base64 form of an envelope.
    #[napi(catch_unwind)]
    pub fn open_base64(&self, envelope: String, aad: Option<Uint8Array>) -> napi::Result<Buffer> {
        let aad = aad.as_deref().unwrap_or(&[]);
        let plain = self.inner.open_base64(&envelope, aad).js()?;
        Ok(plain.to_vec().into())
    }
}
