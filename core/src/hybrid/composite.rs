//! The IETF composite signature `id-MLDSA65-Ed25519-SHA512`
//! (draft-ietf-lamps-pq-composite-sigs): message representative and the two halves.

use ed25519_dalek::Signer as _;
use ml_dsa::{MlDsa65, Signature as MlDsaSignature};
use sha2::{Digest, Sha512};

use super::{ED25519_SIGNATURE_LEN, MLDSA65_SIGNATURE_LEN};
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
    mldsa: &ml_dsa::SigningKey<MlDsa65>,
    ed25519: &ed25519_dalek::SigningKey,
    message: &[u8],
    ctx: &[u8],
    hedging: Hedging,
) -> Result<(Vec<u8>, [u8; ED25519_SIGNATURE_LEN])> {
    let m_prime = message_representative(message, ctx)?;
    let expanded = mldsa.expanded_key();
    let pq = match hedging {
        Hedging::Randomized => expanded.sign_randomized(&m_prime, LABEL, &mut getrandom::SysRng),
        Hedging::Deterministic => expanded.sign_deterministic(&m_prime, LABEL),
    }
    .map_err(|_| Error::Crypto("ML-DSA-65 signing failed"))?;
    let classical = ed25519.sign(&m_prime);
    Ok((pq.encode().to_vec(), classical.to_bytes()))
}

/// Verify both halves. Never short-circuits; malformed halves count as failures.
pub(crate) fn verify(
    mldsa: &ml_dsa::VerifyingKey<MlDsa65>,
    ed25519: &ed25519_dalek::VerifyingKey,
    message: &[u8],
    ctx: &[u8],
    pq_sig: &[u8],
    classical_sig: &[u8],
) -> (bool, bool) {
    let Ok(m_prime) = message_representative(message, ctx) else {
        return (false, false);
    };
    let pq_ok = pq_sig.len() == MLDSA65_SIGNATURE_LEN
        && MlDsaSignature::<MlDsa65>::try_from(pq_sig)
            .map(|sig| mldsa.verify_with_context(&m_prime, LABEL, &sig))
            .unwrap_or(false);
    let classical_ok = <[u8; ED25519_SIGNATURE_LEN]>::try_from(classical_sig)
        .map(|bytes| {
            let sig = ed25519_dalek::Signature::from_bytes(&bytes);
            ed25519.verify_strict(&m_prime, &sig).is_ok()
        })
        .unwrap_or(false);
    (classical_ok, pq_ok)
}
