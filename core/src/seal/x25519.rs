//! X25519 (RFC 7748) for `pqseal-v1`: AWS-LC with the `aws-lc` feature (2.2× faster
//! than `x25519-dalek` here, docs/crypto.md), `x25519-dalek` without it. Both clamp the
//! scalar, accept any 32-byte peer value and give the same bytes; a shared secret of all
//! zeros (a small-order peer) is refused by both.

use zeroize::Zeroizing;

/// An X25519 secret scalar (32 bytes as given; clamped when used).
pub(crate) struct SecretKey(backend::SecretKey);

impl SecretKey {
    pub(crate) fn from_bytes(bytes: &[u8; 32]) -> crate::Result<Self> {
        backend::SecretKey::from_bytes(bytes).map(SecretKey)
    }

    /// `X25519(k, 9)`.
    pub(crate) fn public_key(&self) -> crate::Result<[u8; 32]> {
        self.0.public_key()
    }

    /// `X25519(k, peer)`, or `None` when the result is all zeros (the peer's value has
    /// small order, so the exchange would not be contributory).
    pub(crate) fn agree(&self, peer: &[u8; 32]) -> Option<Zeroizing<[u8; 32]>> {
        self.0.agree(peer)
    }
}

#[cfg(feature = "aws-lc")]
mod backend {
    use aws_lc_rs::agreement::{self, UnparsedPublicKey, X25519};
    use zeroize::Zeroizing;

    use crate::{Error, Result};

    /// AWS-LC keeps the scalar in its own allocation, cleansed when freed.
    pub(super) struct SecretKey(agreement::PrivateKey);

    impl SecretKey {
        pub(super) fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
            agreement::PrivateKey::from_private_key(&X25519, bytes)
                .map(SecretKey)
                .map_err(|_| Error::Crypto("X25519 secret key rejected"))
        }

        pub(super) fn public_key(&self) -> Result<[u8; 32]> {
            let public = self
                .0
                .compute_public_key()
                .map_err(|_| Error::Crypto("X25519 public key computation failed"))?;
            public
                .as_ref()
                .try_into()
                .map_err(|_| Error::Crypto("X25519 public key has the wrong length"))
        }

        pub(super) fn agree(&self, peer: &[u8; 32]) -> Option<Zeroizing<[u8; 32]>> {
            // AWS-LC refuses an all-zero result itself (EVP_R_INVALID_PEER_KEY).
            agreement::agree(
                &self.0,
                UnparsedPublicKey::new(&X25519, peer),
                (),
                |shared| {
                    let mut out = Zeroizing::new([0u8; 32]);
                    if shared.len() != out.len() {
                        return Err(());
                    }
                    out.copy_from_slice(shared);
                    Ok(out)
                },
            )
            .ok()
        }
    }
}

#[cfg(not(feature = "aws-lc"))]
mod backend {
    use zeroize::Zeroizing;

    use crate::Result;

    /// `StaticSecret` zeroizes itself on drop.
    pub(super) struct SecretKey(x25519_dalek::StaticSecret);

    impl SecretKey {
        pub(super) fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
            Ok(SecretKey(x25519_dalek::StaticSecret::from(*bytes)))
        }

        pub(super) fn public_key(&self) -> Result<[u8; 32]> {
            Ok(x25519_dalek::PublicKey::from(&self.0).to_bytes())
        }

        pub(super) fn agree(&self, peer: &[u8; 32]) -> Option<Zeroizing<[u8; 32]>> {
            let shared = self.0.diffie_hellman(&x25519_dalek::PublicKey::from(*peer));
            shared
                .was_contributory()
                .then(|| Zeroizing::new(*shared.as_bytes()))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed expectation is a test failure

    use super::*;

    /// RFC 7748 §6.1.
    #[test]
    fn rfc7748_diffie_hellman_vector() {
        let alice = SecretKey::from_bytes(&hex32(
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        ))
        .unwrap();
        let bob = SecretKey::from_bytes(&hex32(
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
        ))
        .unwrap();
        assert_eq!(
            alice.public_key().unwrap(),
            hex32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        );
        assert_eq!(
            bob.public_key().unwrap(),
            hex32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        );
        let shared = hex32("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assert_eq!(*alice.agree(&bob.public_key().unwrap()).unwrap(), shared);
        assert_eq!(*bob.agree(&alice.public_key().unwrap()).unwrap(), shared);
    }

    #[test]
    fn small_order_peers_are_refused() {
        let key = SecretKey::from_bytes(&[0x42; 32]).unwrap();
        // u = 0 and u = 1 have small order: the result is all zeros.
        assert!(key.agree(&[0; 32]).is_none());
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(key.agree(&one).is_none());
    }

    /// The two backends agree byte for byte (run where both are compiled).
    #[cfg(feature = "aws-lc")]
    #[test]
    fn aws_lc_matches_x25519_dalek() {
        for i in 0u8..16 {
            let secret: [u8; 32] = core::array::from_fn(|j| i.wrapping_mul(31) ^ j as u8);
            let peer_secret: [u8; 32] = core::array::from_fn(|j| i ^ (j as u8).wrapping_mul(7));
            let peer =
                x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(peer_secret));
            let dalek = x25519_dalek::StaticSecret::from(secret);
            let ours = SecretKey::from_bytes(&secret).unwrap();
            assert_eq!(
                ours.public_key().unwrap(),
                x25519_dalek::PublicKey::from(&dalek).to_bytes()
            );
            assert_eq!(
                *ours.agree(peer.as_bytes()).unwrap(),
                *dalek.diffie_hellman(&peer).as_bytes()
            );
        }
    }

    fn hex32(text: &str) -> [u8; 32] {
        hex::decode(text).unwrap().try_into().unwrap()
    }
}
