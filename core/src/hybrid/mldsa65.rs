//! ML-DSA-65 (FIPS 204), the one place core touches an ML-DSA implementation.
//!
//! Backend: Cryspen's `libcrux-ml-dsa` (formally verified; AVX2 when the CPU has it),
//! chosen over RustCrypto `ml-dsa` after measuring it 7.9× faster at signing and 1.6×
//! at verifying while producing byte-identical keys and deterministic signatures and
//! passing the same Wycheproof vectors (docs/crypto.md). Keeping the backend behind this
//! module means a swap touches one file. With the `aws-lc` feature, verification with an
//! empty context uses AWS-LC (see [`verify`]).

use libcrux_ml_dsa::ml_dsa_65 as crux;
use zeroize::{Zeroize as _, Zeroizing};

use super::{MLDSA65_PUBLIC_KEY_LEN, MLDSA65_SIGNATURE_LEN};
use crate::{Error, Result};

/// An ML-DSA-65 signing key from its 32-byte seed ξ. Zeroized on drop.
pub struct SigningKey {
    seed: Zeroizing<[u8; 32]>,
    keypair: crux::MLDSA65KeyPair,
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        // libcrux does not zeroize its key types; the expanded signing key is secret.
        self.keypair.signing_key.as_ref_mut().zeroize();
    }
}

impl SigningKey {
    /// FIPS 204 `ML-DSA.KeyGen_internal(ξ)`.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        SigningKey {
            seed: Zeroizing::new(*seed),
            keypair: crux::generate_key_pair(*seed),
        }
    }

    /// The seed ξ. Secret.
    pub fn seed(&self) -> &[u8; 32] {
        &self.seed
    }

    /// The raw 1952-byte public key (`pkEncode`).
    pub fn public_key(&self) -> [u8; MLDSA65_PUBLIC_KEY_LEN] {
        *self.keypair.verification_key.as_ref()
    }

    /// FIPS 204 `ML-DSA.Sign` with context `ctx` and per-signature randomness `rnd`
    /// (all zeros is the deterministic variant).
    pub fn sign(
        &self,
        message: &[u8],
        ctx: &[u8],
        rnd: [u8; 32],
    ) -> Result<[u8; MLDSA65_SIGNATURE_LEN]> {
        if ctx.len() > 255 {
            return Err(Error::input("context", "longer than 255 bytes"));
        }
        crux::sign(&self.keypair.signing_key, message, ctx, rnd)
            .map(|sig| *sig.as_ref())
            .map_err(|_| Error::Crypto("ML-DSA-65 signing failed"))
    }
}

/// FIPS 204 `ML-DSA.Verify`. Wrong lengths and malformed encodings are `false`.
///
/// With the `aws-lc` feature an empty context (the sidecar's signature) goes to AWS-LC,
/// 1.7–1.8× faster than libcrux here; its safe API takes no context string, so every
/// other context (the composite's label) stays on libcrux. Both pass the same Wycheproof
/// vectors (docs/crypto.md).
pub fn verify(
    public_key: &[u8; MLDSA65_PUBLIC_KEY_LEN],
    message: &[u8],
    ctx: &[u8],
    signature: &[u8],
) -> bool {
    #[cfg(feature = "aws-lc")]
    if ctx.is_empty() {
        use aws_lc_rs::signature::{ML_DSA_65, UnparsedPublicKey};
        return UnparsedPublicKey::new(&ML_DSA_65, public_key)
            .verify(message, signature)
            .is_ok();
    }
    let Ok(signature) = <[u8; MLDSA65_SIGNATURE_LEN]>::try_from(signature) else {
        return false;
    };
    let key = crux::MLDSA65VerificationKey::new(*public_key);
    crux::verify(&key, message, ctx, &crux::MLDSA65Signature::new(signature)).is_ok()
}

/// Verify against a public key given as bytes of any length (wrong length: `false`).
pub fn verify_bytes(public_key: &[u8], message: &[u8], ctx: &[u8], signature: &[u8]) -> bool {
    <&[u8; MLDSA65_PUBLIC_KEY_LEN]>::try_from(public_key)
        .is_ok_and(|pk| verify(pk, message, ctx, signature))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed expectation is a test failure

    use super::*;

    /// Empty-context verification (AWS-LC with the `aws-lc` feature) and libcrux accept
    /// and refuse the same inputs.
    #[test]
    fn empty_context_backends_agree() {
        let key = SigningKey::from_seed(&[5; 32]);
        let other = SigningKey::from_seed(&[6; 32]).public_key();
        let pk = key.public_key();
        let sig = key.sign(b"binding", &[], [9; 32]).unwrap();
        let mut bad_sig = sig;
        bad_sig[100] ^= 1;
        let libcrux = |pk: &[u8; MLDSA65_PUBLIC_KEY_LEN], msg: &[u8], sig: &[u8]| {
            <[u8; MLDSA65_SIGNATURE_LEN]>::try_from(sig).is_ok_and(|sig| {
                let key = crux::MLDSA65VerificationKey::new(*pk);
                crux::verify(&key, msg, &[], &crux::MLDSA65Signature::new(sig)).is_ok()
            })
        };
        let cases: [(&[u8; MLDSA65_PUBLIC_KEY_LEN], &[u8], &[u8]); 5] = [
            (&pk, b"binding", &sig),
            (&pk, b"bindinG", &sig),
            (&pk, b"binding", &bad_sig),
            (&other, b"binding", &sig),
            (&pk, b"binding", &sig[..100]),
        ];
        for (i, (pk, msg, sig)) in cases.into_iter().enumerate() {
            assert_eq!(verify(pk, msg, &[], sig), libcrux(pk, msg, sig), "case {i}");
        }
        assert!(verify(&pk, b"binding", &[], &sig));
        // A context still goes to libcrux, and must match.
        let with_ctx = key.sign(b"binding", b"label", [9; 32]).unwrap();
        assert!(verify(&pk, b"binding", b"label", &with_ctx));
        assert!(!verify(&pk, b"binding", &[], &with_ctx));
    }
}
