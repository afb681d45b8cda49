//! Hybrid key pairs and the published public key JSON (`docs/formats.md` §1).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::composite::{self, Hedging};
use super::envelope::SignatureEnvelope;
use super::mldsa65;
use super::{
    ALGORITHM, ED25519_PUBLIC_KEY_LEN, MLDSA65_PUBLIC_KEY_LEN, SEED_LEN, VerifyResult,
    check_key_id, check_version,
};
use crate::encoding::{b64, check_size, fixed, from_b64};
use crate::{Error, Result};

/// Public key JSON is refused above this size.
pub const PUBLIC_KEY_JSON_LIMIT: usize = 8 * 1024;

/// A hybrid signing key: ML-DSA-65 and Ed25519, with the key id and version that its
/// signatures name. Zeroized on drop; has no printable secret form.
pub struct HybridSigningKey {
    key_id: String,
    version: u32,
    mldsa: mldsa65::SigningKey,
    ed25519: ed25519_dalek::SigningKey,
    public: HybridPublicKey,
}

impl fmt::Debug for HybridSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HybridSigningKey")
            .field("key_id", &self.key_id)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl HybridSigningKey {
    /// A new key from the operating system's RNG.
    pub fn generate(key_id: &str, version: u32) -> Result<Self> {
        let seed = crate::rng::random_bytes::<SEED_LEN>()?;
        Self::from_seed(seed.as_ref(), key_id, version)
    }

    /// The key for a 64-byte seed: ML-DSA-65 ξ ‖ Ed25519 secret key (the IETF composite
    /// private key encoding).
    pub fn from_seed(seed: &[u8], key_id: &str, version: u32) -> Result<Self> {
        check_key_id(key_id)?;
        check_version(version)?;
        if seed.len() != SEED_LEN {
            return Err(Error::input(
                "hybrid seed",
                format!("expected {SEED_LEN} bytes, got {}", seed.len()),
            ));
        }
        let (xi, ed) = seed.split_at(32);
        let xi: Zeroizing<[u8; 32]> = Zeroizing::new(
            xi.try_into()
                .map_err(|_| Error::input("hybrid seed", "bad ML-DSA seed"))?,
        );
        let mldsa = mldsa65::SigningKey::from_seed(&xi);
        let ed: Zeroizing<[u8; 32]> = Zeroizing::new(
            ed.try_into()
                .map_err(|_| Error::input("hybrid seed", "bad Ed25519 seed"))?,
        );
        let ed25519 = ed25519_dalek::SigningKey::from_bytes(&ed);
        let public = HybridPublicKey {
            key_id: key_id.to_owned(),
            version,
            mldsa: Box::new(mldsa.public_key()),
            ed25519: ed25519.verifying_key(),
        };
        Ok(HybridSigningKey {
            key_id: key_id.to_owned(),
            version,
            mldsa,
            ed25519,
            public,
        })
    }

    /// The 64-byte seed this key was made from. Secret: store it encrypted.
    pub fn seed_bytes(&self) -> Zeroizing<[u8; SEED_LEN]> {
        let mut out = Zeroizing::new([0u8; SEED_LEN]);
        out[..32].copy_from_slice(self.mldsa.seed());
        out[32..].copy_from_slice(self.ed25519.as_bytes());
        out
    }

    /// The key id its signatures name.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key version its signatures name.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The public half.
    pub fn public_key(&self) -> &HybridPublicKey {
        &self.public
    }

    /// The ML-DSA-65 half alone, for formats that carry each half as its own signature
    /// (the audit ledger's signed checkpoints, `docs/formats.md` §7).
    pub(crate) fn mldsa65_half(&self) -> &mldsa65::SigningKey {
        &self.mldsa
    }

    /// The Ed25519 half alone (see [`Self::mldsa65_half`]).
    pub(crate) fn ed25519_half(&self) -> &ed25519_dalek::SigningKey {
        &self.ed25519
    }

    /// Sign `payload`; returns the base64 signature envelope (hedged ML-DSA).
    pub fn sign(&self, payload: &[u8]) -> Result<String> {
        self.sign_with(payload, Hedging::Randomized)
    }

    /// Sign with an explicit ML-DSA hedging mode (deterministic is for test vectors).
    pub fn sign_with(&self, payload: &[u8], hedging: Hedging) -> Result<String> {
        Ok(self.sign_envelope(payload, hedging)?.encode())
    }

    /// Sign and return the parsed envelope.
    pub fn sign_envelope(&self, payload: &[u8], hedging: Hedging) -> Result<SignatureEnvelope> {
        let (pq, classical) = composite::sign(&self.mldsa, &self.ed25519, payload, &[], hedging)?;
        SignatureEnvelope::new(&self.key_id, self.version, pq, classical.to_vec())
    }
}

/// The public half of a hybrid key, publishable as JSON or as a JWK Set.
#[derive(Clone, PartialEq)]
pub struct HybridPublicKey {
    key_id: String,
    version: u32,
    mldsa: Box<[u8; MLDSA65_PUBLIC_KEY_LEN]>,
    ed25519: ed25519_dalek::VerifyingKey,
}

impl fmt::Debug for HybridPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HybridPublicKey")
            .field("key_id", &self.key_id)
            .field("version", &self.version)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

/// The JSON shape, fields in wire order.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PublicKeyJson {
    v: u32,
    alg: String,
    key_id: String,
    version: u32,
    mldsa65: String,
    ed25519: String,
}

impl HybridPublicKey {
    /// Build from raw key bytes (1952-byte ML-DSA-65 key, 32-byte Ed25519 key).
    pub fn from_raw(key_id: &str, version: u32, mldsa65: &[u8], ed25519: &[u8]) -> Result<Self> {
        check_key_id(key_id)?;
        check_version(version)?;
        let mldsa_bytes: [u8; MLDSA65_PUBLIC_KEY_LEN] = mldsa65.try_into().map_err(|_| {
            Error::input(
                "ML-DSA-65 public key",
                format!(
                    "expected {MLDSA65_PUBLIC_KEY_LEN} bytes, got {}",
                    mldsa65.len()
                ),
            )
        })?;
        let ed_bytes: [u8; ED25519_PUBLIC_KEY_LEN] = ed25519.try_into().map_err(|_| {
            Error::input(
                "Ed25519 public key",
                format!(
                    "expected {ED25519_PUBLIC_KEY_LEN} bytes, got {}",
                    ed25519.len()
                ),
            )
        })?;
        let ed25519 = ed25519_dalek::VerifyingKey::from_bytes(&ed_bytes)
            .map_err(|_| Error::input("Ed25519 public key", "not a valid curve point"))?;
        Ok(HybridPublicKey {
            key_id: key_id.to_owned(),
            version,
            mldsa: Box::new(mldsa_bytes),
            ed25519,
        })
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The raw 1952-byte ML-DSA-65 public key.
    pub fn mldsa65_bytes(&self) -> Vec<u8> {
        self.mldsa.to_vec()
    }

    /// The raw 32-byte Ed25519 public key.
    pub fn ed25519_bytes(&self) -> [u8; ED25519_PUBLIC_KEY_LEN] {
        self.ed25519.to_bytes()
    }

    /// The IETF composite public key: ML-DSA-65 ‖ Ed25519 (1984 bytes).
    pub fn composite_bytes(&self) -> Vec<u8> {
        let mut out = self.mldsa65_bytes();
        out.extend_from_slice(&self.ed25519_bytes());
        out
    }

    /// `SHA-256(composite key)` in lowercase hex.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.composite_bytes()))
    }

    /// The published JSON form (compact, fields in wire order).
    pub fn to_json(&self) -> String {
        let json = PublicKeyJson {
            v: 1,
            alg: ALGORITHM.to_owned(),
            key_id: self.key_id.clone(),
            version: self.version,
            mldsa65: b64(&self.mldsa65_bytes()),
            ed25519: b64(&self.ed25519_bytes()),
        };
        serde_json::to_string(&json).unwrap_or_default()
    }

    /// Parse the published JSON form.
    pub fn from_json(text: &str) -> Result<Self> {
        const WHAT: &str = "public key JSON";
        check_size(WHAT, text.len(), PUBLIC_KEY_JSON_LIMIT)?;
        let json: PublicKeyJson =
            serde_json::from_str(text).map_err(|e| Error::input(WHAT, e.to_string()))?;
        if json.v != 1 {
            return Err(Error::Unsupported {
                what: "public key version",
                found: json.v.to_string(),
            });
        }
        if json.alg != ALGORITHM {
            return Err(Error::Unsupported {
                what: "algorithm",
                found: json.alg,
            });
        }
        let mldsa = from_b64("ML-DSA-65 public key", &json.mldsa65)?;
        let ed: [u8; 32] = fixed(
            "Ed25519 public key",
            from_b64("Ed25519 public key", &json.ed25519)?,
        )?;
        Self::from_raw(&json.key_id, json.version, &mldsa, &ed)
    }

    /// Parse either published form: the public key JSON or the JWK Set.
    pub fn from_published(text: &str) -> Result<Self> {
        /// Only the top-level member that tells the forms apart: a JWK Set is the only
        /// one with `keys`. Everything else is skipped unparsed.
        #[derive(Deserialize)]
        struct Form {
            keys: Option<serde::de::IgnoredAny>,
        }
        const WHAT: &str = "published public key";
        check_size(WHAT, text.len(), PUBLIC_KEY_JSON_LIMIT)?;
        let form: Form =
            serde_json::from_str(text).map_err(|e| Error::input(WHAT, e.to_string()))?;
        if form.keys.is_some() {
            Self::from_jwk(text)
        } else {
            Self::from_json(text)
        }
    }

    /// The JWK Set form (`AKP`/`ML-DSA-65` + `OKP`/`Ed25519`).
    pub fn to_jwk(&self) -> String {
        super::jwk::to_jwk_set(self)
    }

    /// Parse the JWK Set form.
    pub fn from_jwk(text: &str) -> Result<Self> {
        super::jwk::from_jwk_set(text)
    }

    /// Verify raw halves over `message` with context `ctx` (both halves always run).
    pub fn verify_halves(
        &self,
        message: &[u8],
        ctx: &[u8],
        pq_sig: &[u8],
        classical_sig: &[u8],
    ) -> VerifyResult {
        let (classical_ok, pq_ok) = composite::verify(
            &self.mldsa,
            &self.ed25519,
            message,
            ctx,
            pq_sig,
            classical_sig,
        );
        VerifyResult::combine(classical_ok, pq_ok)
    }

    /// Verify an IETF composite signature (`mldsaSig ‖ ed25519Sig`, 3373 bytes).
    pub fn verify_composite(
        &self,
        message: &[u8],
        ctx: &[u8],
        composite_sig: &[u8],
    ) -> VerifyResult {
        let split = composite_sig
            .len()
            .saturating_sub(super::ED25519_SIGNATURE_LEN);
        let (pq, classical) = composite_sig.split_at(split);
        self.verify_halves(message, ctx, pq, classical)
    }
}
