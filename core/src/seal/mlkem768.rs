//! ML-KEM-768 (FIPS 203), the one place core touches an ML-KEM implementation.
//!
//! Backend: Cryspen's `libcrux-ml-kem` (formally verified; AVX2 when the CPU has it),
//! chosen over RustCrypto `ml-kem` for speed while producing byte-identical keys,
//! ciphertexts and shared secrets from the same seeds and randomness (the committed
//! `pqseal-v1` vectors and the Wycheproof ML-KEM-768 vectors pin that; docs/crypto.md).
//! Keeping the backend behind this module means a swap touches one file.

use libcrux_ml_kem::mlkem768 as crux;
use zeroize::{Zeroize as _, Zeroizing};

use crate::{Error, Result};

/// Encapsulation (public) key length.
pub const PUBLIC_KEY_LEN: usize = 1184;
/// Ciphertext length.
pub const CIPHERTEXT_LEN: usize = 1088;
/// Key-generation seed length: `d ‖ z`.
pub const SEED_LEN: usize = 64;
/// Shared secret length.
pub const SHARED_SECRET_LEN: usize = 32;

/// A validated ML-KEM-768 encapsulation key.
#[derive(Clone)]
pub struct EncapsulationKey {
    key: Box<crux::MlKem768PublicKey>,
}

impl PartialEq for EncapsulationKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for EncapsulationKey {}

impl EncapsulationKey {
    /// Parse and run FIPS 203's encapsulation-key check (every coefficient below q).
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LEN]) -> Result<Self> {
        let key = Box::new(crux::MlKem768PublicKey::from(bytes));
        if !crux::validate_public_key(&key) {
            return Err(Error::input(
                "ML-KEM-768 public key",
                "failed the FIPS 203 modulus check",
            ));
        }
        Ok(EncapsulationKey { key })
    }

    /// The 1184-byte encoding.
    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        self.key.as_slice()
    }

    /// FIPS 203 `ML-KEM.Encaps_internal(ek, m)`: the ciphertext and the shared secret.
    pub fn encapsulate(
        &self,
        m: &[u8; 32],
    ) -> ([u8; CIPHERTEXT_LEN], Zeroizing<[u8; SHARED_SECRET_LEN]>) {
        let (ciphertext, shared) = crux::encapsulate(&self.key, *m);
        (*ciphertext.as_slice(), Zeroizing::new(shared))
    }
}

/// An ML-KEM-768 decapsulation key from its 64-byte seed. Zeroized on drop.
pub struct DecapsulationKey {
    key: Box<crux::MlKem768PrivateKey>,
    public: EncapsulationKey,
}

impl Drop for DecapsulationKey {
    fn drop(&mut self) {
        // libcrux does not zeroize its key types; the expanded decapsulation key is secret.
        self.key[0..].zeroize();
    }
}

impl DecapsulationKey {
    /// FIPS 203 `ML-KEM.KeyGen_internal(d, z)` from `seed = d ‖ z`.
    pub fn from_seed(seed: &[u8; SEED_LEN]) -> Self {
        let (private, public) = crux::generate_key_pair(*seed).into_parts();
        DecapsulationKey {
            key: Box::new(private),
            public: EncapsulationKey {
                key: Box::new(public),
            },
        }
    }

    /// The matching encapsulation key.
    pub fn encapsulation_key(&self) -> &EncapsulationKey {
        &self.public
    }

    /// FIPS 203 `ML-KEM.Decaps_internal`: the shared secret (implicit rejection: a
    /// tampered ciphertext yields an unrelated secret, never an error).
    pub fn decapsulate(
        &self,
        ciphertext: &[u8; CIPHERTEXT_LEN],
    ) -> Zeroizing<[u8; SHARED_SECRET_LEN]> {
        let ciphertext = crux::MlKem768Ciphertext::from(ciphertext);
        Zeroizing::new(crux::decapsulate(&self.key, &ciphertext))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed expectation is a test failure

    use super::*;

    #[test]
    fn encapsulation_key_with_an_unreduced_coefficient_is_refused() {
        let dk = DecapsulationKey::from_seed(&[7; SEED_LEN]);
        let mut bytes = *dk.encapsulation_key().as_bytes();
        assert!(EncapsulationKey::from_bytes(&bytes).is_ok());
        // The first 12-bit coefficient becomes 4095 ≥ q = 3329.
        bytes[0] = 0xff;
        bytes[1] |= 0x0f;
        let err = EncapsulationKey::from_bytes(&bytes).err().unwrap();
        assert_eq!(err.code(), "invalid_input");
    }

    #[test]
    fn round_trip_and_implicit_rejection() {
        let dk = DecapsulationKey::from_seed(&[1; SEED_LEN]);
        let (ct, shared) = dk.encapsulation_key().encapsulate(&[2; 32]);
        assert_eq!(*dk.decapsulate(&ct), *shared);
        let mut tampered = ct;
        tampered[0] ^= 1;
        assert_ne!(*dk.decapsulate(&tampered), *shared);
    }
}
