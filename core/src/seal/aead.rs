//! AES-256-GCM for `pqseal-v1`: AWS-LC with the `aws-lc` feature (4.7× faster than the
//! `aes-gcm` crate over 64 KiB here: AVX-512 / VAES, docs/crypto.md), `aes-gcm` without
//! it. Every key is used for exactly one envelope, with the nonce HKDF derived with it.

use crate::{Error, Result};

/// The tag length.
pub(crate) const TAG_LEN: usize = 16;

/// One envelope's key.
pub(crate) struct Aes256Gcm(backend::Key);

impl Aes256Gcm {
    pub(crate) fn new(key: &[u8; 32]) -> Result<Self> {
        backend::Key::new(key).map(Aes256Gcm)
    }

    /// Encrypt `buffer` in place; returns the tag.
    pub(crate) fn seal_in_place(
        &self,
        nonce: [u8; 12],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        self.0
            .seal_in_place(nonce, aad, buffer)
            .ok_or(Error::Crypto("AES-256-GCM encryption failed"))
    }

    /// Check the tag and decrypt `ciphertext` into `plaintext` (same length). On `Err`
    /// `plaintext` holds garbage: the caller discards (and zeroizes) it.
    pub(crate) fn open(
        &self,
        nonce: [u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        plaintext: &mut [u8],
    ) -> Result<()> {
        if ciphertext.len() != plaintext.len() {
            return Err(Error::SealOpenFailed);
        }
        self.0
            .open(nonce, aad, ciphertext, tag, plaintext)
            .then_some(())
            .ok_or(Error::SealOpenFailed)
    }
}

#[cfg(feature = "aws-lc")]
mod backend {
    use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};

    use super::TAG_LEN;
    use crate::{Error, Result};

    pub(super) struct Key(LessSafeKey);

    impl Key {
        pub(super) fn new(key: &[u8; 32]) -> Result<Self> {
            UnboundKey::new(&AES_256_GCM, key)
                .map(|k| Key(LessSafeKey::new(k)))
                .map_err(|_| Error::Crypto("bad AES-256 key"))
        }

        pub(super) fn seal_in_place(
            &self,
            nonce: [u8; 12],
            aad: &[u8],
            buffer: &mut [u8],
        ) -> Option<[u8; TAG_LEN]> {
            // One key, one nonce: both are fresh from HKDF for every envelope.
            let tag = self
                .0
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad),
                    buffer,
                )
                .ok()?;
            tag.as_ref().try_into().ok()
        }

        pub(super) fn open(
            &self,
            nonce: [u8; 12],
            aad: &[u8],
            ciphertext: &[u8],
            tag: &[u8; TAG_LEN],
            plaintext: &mut [u8],
        ) -> bool {
            self.0
                .open_separate_gather(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad),
                    ciphertext,
                    tag,
                    plaintext,
                )
                .is_ok()
        }
    }
}

#[cfg(not(feature = "aws-lc"))]
mod backend {
    use aes_gcm::aead::inout::InOutBuf;
    use aes_gcm::{AeadInOut as _, KeyInit as _};

    use super::TAG_LEN;
    use crate::Result;

    pub(super) struct Key(aes_gcm::Aes256Gcm);

    impl Key {
        pub(super) fn new(key: &[u8; 32]) -> Result<Self> {
            Ok(Key(aes_gcm::Aes256Gcm::new(key.into())))
        }

        pub(super) fn seal_in_place(
            &self,
            nonce: [u8; 12],
            aad: &[u8],
            buffer: &mut [u8],
        ) -> Option<[u8; TAG_LEN]> {
            self.0
                .encrypt_inout_detached(&nonce.into(), aad, buffer.into())
                .ok()
                .map(Into::into)
        }

        pub(super) fn open(
            &self,
            nonce: [u8; 12],
            aad: &[u8],
            ciphertext: &[u8],
            tag: &[u8; TAG_LEN],
            plaintext: &mut [u8],
        ) -> bool {
            // Checks the tag before it decrypts, straight from the envelope.
            InOutBuf::new(ciphertext, plaintext).is_ok_and(|buffer| {
                self.0
                    .decrypt_inout_detached(&nonce.into(), aad, buffer, tag.into())
                    .is_ok()
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed expectation is a test failure

    use super::*;

    /// NIST GCM test case 16 (AES-256, 96-bit IV, AAD; McGrew & Viega).
    #[test]
    fn nist_gcm_test_case_16() {
        let key = hex::decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
            .unwrap();
        let nonce = hex::decode("cafebabefacedbaddecaf888").unwrap();
        let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap();
        let plaintext = hex::decode(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        )
        .unwrap();
        let expected = hex::decode(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
             8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        )
        .unwrap();
        let cipher = Aes256Gcm::new(&key.try_into().unwrap()).unwrap();
        let nonce: [u8; 12] = nonce.try_into().unwrap();
        let mut buffer = plaintext.clone();
        let tag = cipher.seal_in_place(nonce, &aad, &mut buffer).unwrap();
        assert_eq!(buffer, expected);
        assert_eq!(
            tag.to_vec(),
            hex::decode("76fc6ece0f4e1768cddf8853bb2d551b").unwrap()
        );
        let mut opened = vec![0u8; buffer.len()];
        cipher
            .open(nonce, &aad, &buffer, &tag, &mut opened)
            .unwrap();
        assert_eq!(opened, plaintext);
        let mut bad_tag = tag;
        bad_tag[0] ^= 1;
        assert!(
            cipher
                .open(nonce, &aad, &buffer, &bad_tag, &mut opened)
                .is_err()
        );
    }
}
