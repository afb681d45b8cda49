//! The IETF composite signature `id-MLDSA65-Ed25519-SHA512`
//! (draft-ietf-lamps-pq-composite-sigs): message representative and the two halves.

use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha512};

use super::{ED25519_SIGNATURE_LEN, MLDSA65_PUBLIC_KEY_LEN, mldsa65};
use crate::{Error, Result};

/// The draft's domain-separation prefix, `CompositeAlgorithmSignatures2025`.
pub const PREFIX: &[u8; 32] = b"CompositeAlgorithmSignatures2025";
/// The label of `id-MLDSA65-Ed25519-SHA512`; also the ML-DSA context string.
pub const LABEL: &[u8; 30] = b"COMPSIG-MLDSA65-Ed25519-SHA512";

/// `M' = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖ SHA-512(M)`.
pub fn message_representative(message: &[u8], ctx: &[u8]) -> Result<Vec<u8>> {
    let ctx_len =
        u8::try_from(ctx.len()).map_err(|_| Error::input("context", "longer than 255 bytes"))?;
    let mut m = Vec::with_capacity(PREFIX.len() + LABEL.len() + 1 + ctx.len() + 64);
    m.extend_from_slice(PREFIX);
    m.extend_from_slice(LABEL);
    m.push(ctx_len);
    m.extend_from_slice(ctx);
    m.extend_from_slice(&Sha512::digest(message));
    Ok(m)
}

/// How the ML-DSA half draws its per-signature randomness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hedging {
    /// FIPS 204 hedged signing with 32 fresh bytes from the OS (the default).
    Randomized,
    /// FIPS 204 deterministic variant (`rnd` = 0): reproducible, used for vectors.
    Deterministic,
}

/// Sign `message` with both halves; returns `(mldsa_sig, ed25519_sig)`.
pub(crate) fn sign(
    mldsa: &mldsa65::SigningKey,
    ed25519: &ed25519_dalek::SigningKey,
    message: &[u8],
    ctx: &[u8],
    hedging: Hedging,
) -> Result<(Vec<u8>, [u8; ED25519_SIGNATURE_LEN])> {
    let m_prime = message_representative(message, ctx)?;
    let rnd = match hedging {
        Hedging::Randomized => *crate::rng::random_bytes::<32>()?,
        Hedging::Deterministic => [0u8; 32],
    };
    let pq = mldsa.sign(&m_prime, LABEL, rnd)?;
    let classical = ed25519.sign(&m_prime);
    Ok((pq.to_vec(), classical.to_bytes()))
}

/// Verify both halves. Never short-circuits; malformed halves count as failures.
pub(crate) fn verify(
    mldsa: &[u8; MLDSA65_PUBLIC_KEY_LEN],
    ed25519: &ed25519_dalek::VerifyingKey,
    message: &[u8],
    ctx: &[u8],
    pq_sig: &[u8],
    classical_sig: &[u8],
) -> (bool, bool) {
    let Ok(m_prime) = message_representative(message, ctx) else {
        return (false, false);
    };
    let pq_ok = mldsa65::verify(mldsa, &m_prime, LABEL, pq_sig);
    let classical_ok = <[u8; ED25519_SIGNATURE_LEN]>::try_from(classical_sig)
        .map(|bytes| {
            let sig = ed25519_dalek::Signature::from_bytes(&bytes);
            ed25519.verify_strict(&m_prime, &sig).is_ok()
        })
        .unwrap_or(false);
    (classical_ok, pq_ok)
}
