//! `pqseal-v1`: hybrid public-key encryption, ML-KEM-768 + X25519 → HKDF-SHA-512 →
//! AES-256-GCM (`docs/formats.md` §5). Used by the vault and for offline sealing.

mod aead;
pub mod mlkem768;
mod x25519;

use std::fmt;

use hkdf::Hkdf;
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::encoding::{b64, check_size, from_b64};
use crate::{Error, Result};

/// The envelope's leading magic.
pub const MAGIC: &[u8; 9] = b"pqseal-v1";
/// Suite 1: ML-KEM-768 + X25519, HKDF-SHA-512, AES-256-GCM.
pub const SUITE_MLKEM768_X25519: u8 = 0x01;
/// ML-KEM-768 encapsulation key length.
pub const MLKEM768_PUBLIC_KEY_LEN: usize = mlkem768::PUBLIC_KEY_LEN;
/// ML-KEM-768 ciphertext length.
pub const MLKEM768_CIPHERTEXT_LEN: usize = mlkem768::CIPHERTEXT_LEN;
/// Recipient public key length: ML-KEM-768 ek ‖ X25519 public.
pub const PUBLIC_KEY_LEN: usize = MLKEM768_PUBLIC_KEY_LEN + 32;
/// Recipient secret seed length: ML-KEM d ‖ z ‖ X25519 secret.
pub const SECRET_SEED_LEN: usize = 64 + 32;
/// Header length: magic ‖ suite ‖ ct_kem ‖ ephemeral X25519 public.
pub const HEADER_LEN: usize = MAGIC.len() + 1 + MLKEM768_CIPHERTEXT_LEN + 32;
/// AES-GCM tag length.
pub const TAG_LEN: usize = aead::TAG_LEN;
/// Plaintexts above this size are refused.
pub const PLAINTEXT_LIMIT: usize = 16 * 1024 * 1024;

const INFO_PREFIX: &[u8] = b"postq seal v1";

/// A recipient's public key.
#[derive(Clone, PartialEq)]
pub struct SealPublicKey {
    mlkem: mlkem768::EncapsulationKey,
    x25519: [u8; 32],
    /// `SHA-512(ek ‖ x25519)`, the HKDF salt of every envelope to this key: computed once.
    salt: [u8; 64],
}

impl fmt::Debug for SealPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealPublicKey")
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

impl SealPublicKey {
    fn new(mlkem: mlkem768::EncapsulationKey, x25519: [u8; 32]) -> Self {
        let mut hash = Sha512::new();
        hash.update(mlkem.as_bytes());
        hash.update(x25519);
        SealPublicKey {
            mlkem,
            x25519,
            salt: hash.finalize().into(),
        }
    }

    /// Parse `ek ‖ x25519` (1216 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != PUBLIC_KEY_LEN {
            return Err(Error::input(
                "seal public key",
                format!("expected {PUBLIC_KEY_LEN} bytes, got {}", bytes.len()),
            ));
        }
        let (ek, x) = bytes.split_at(MLKEM768_PUBLIC_KEY_LEN);
        let ek = ek
            .try_into()
            .map_err(|_| Error::input("seal public key", "bad ML-KEM key length"))?;
        let mlkem = mlkem768::EncapsulationKey::from_bytes(ek)
            .map_err(|_| Error::input("seal public key", "ML-KEM-768 key failed validation"))?;
        let x: [u8; 32] = x
            .try_into()
            .map_err(|_| Error::input("seal public key", "bad X25519 key length"))?;
        Ok(SealPublicKey::new(mlkem, x))
    }

    /// Parse the base64 form.
    pub fn from_base64(text: &str) -> Result<Self> {
        Self::from_bytes(&from_b64("seal public key", text)?)
    }

    /// `ek ‖ x25519` (1216 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PUBLIC_KEY_LEN);
        out.extend_from_slice(self.mlkem.as_bytes());
        out.extend_from_slice(&self.x25519);
        out
    }

    /// The base64 form.
    pub fn to_base64(&self) -> String {
        b64(&self.to_bytes())
    }

    /// `SHA-256` of the key bytes, lowercase hex.
    pub fn fingerprint(&self) -> String {
        hex::encode(sha2::Sha256::digest(self.to_bytes()))
    }
}

/// A recipient's secret key. Zeroized on drop; `Debug` shows only the public half.
pub struct SealSecretKey {
    seed: Zeroizing<[u8; SECRET_SEED_LEN]>,
    mlkem: mlkem768::DecapsulationKey,
    x25519: x25519::SecretKey,
    public: SealPublicKey,
}

impl fmt::Debug for SealSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealSecretKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl SealSecretKey {
    /// A new key pair from the OS RNG.
    pub fn generate() -> Result<Self> {
        let seed = crate::rng::random_bytes::<SECRET_SEED_LEN>()?;
        Self::from_seed(seed.as_ref())
    }

    /// From the 96-byte seed `d ‖ z ‖ x25519 secret`.
    pub fn from_seed(seed: &[u8]) -> Result<Self> {
        let seed: Zeroizing<[u8; SECRET_SEED_LEN]> =
            Zeroizing::new(seed.try_into().map_err(|_| {
                Error::input(
                    "seal secret seed",
                    format!("expected {SECRET_SEED_LEN} bytes, got {}", seed.len()),
                )
            })?);
        let mut kem_seed = Zeroizing::new([0u8; mlkem768::SEED_LEN]);
        kem_seed.copy_from_slice(&seed[..mlkem768::SEED_LEN]);
        let mlkem = mlkem768::DecapsulationKey::from_seed(&kem_seed);
        let mut x = Zeroizing::new([0u8; 32]);
        x.copy_from_slice(&seed[mlkem768::SEED_LEN..]);
        let x25519 = x25519::SecretKey::from_bytes(&x)?;
        let public = SealPublicKey::new(mlkem.encapsulation_key().clone(), x25519.public_key()?);
        Ok(SealSecretKey {
            seed,
            mlkem,
            x25519,
            public,
        })
    }

    /// The 96-byte seed. Secret: store it encrypted.
    pub fn seed_bytes(&self) -> Zeroizing<[u8; SECRET_SEED_LEN]> {
        self.seed.clone()
    }

    /// The public half.
    pub fn public_key(&self) -> &SealPublicKey {
        &self.public
    }

    /// Open an envelope sealed to this key with the same associated data.
    pub fn open(&self, envelope: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if envelope.len() < HEADER_LEN + TAG_LEN
            || envelope.len() > HEADER_LEN + PLAINTEXT_LIMIT + TAG_LEN
        {
            return Err(Error::SealOpenFailed);
        }
        let (header, body) = envelope.split_at(HEADER_LEN);
        if &header[..MAGIC.len()] != MAGIC {
            return Err(Error::SealOpenFailed);
        }
        if header[MAGIC.len()] != SUITE_MLKEM768_X25519 {
            return Err(Error::Unsupported {
                what: "seal suite",
                found: header[MAGIC.len()].to_string(),
            });
        }
        let (ct_kem, eph) = header[MAGIC.len() + 1..].split_at(MLKEM768_CIPHERTEXT_LEN);
        let ct_kem: &[u8; MLKEM768_CIPHERTEXT_LEN] =
            ct_kem.try_into().map_err(|_| Error::SealOpenFailed)?;
        let eph: [u8; 32] = eph.try_into().map_err(|_| Error::SealOpenFailed)?;
        let ss_kem = self.mlkem.decapsulate(ct_kem);
        let ss_x = self.x25519.agree(&eph).ok_or(Error::SealOpenFailed)?;
        let (cipher, nonce) = derive_cipher(&self.public.salt, header, &ss_kem, &ss_x)?;
        let (ciphertext, tag) = body.split_at(body.len() - TAG_LEN);
        let tag = tag.try_into().map_err(|_| Error::SealOpenFailed)?;
        // Decrypt straight from the envelope into the (zeroized) output: no extra copy.
        let mut plaintext = Zeroizing::new(vec![0u8; ciphertext.len()]);
        cipher
            .open(
                nonce,
                &full_aad(header, aad),
                ciphertext,
                tag,
                &mut plaintext,
            )
            .map_err(|_| Error::SealOpenFailed)?;
        Ok(plaintext)
    }

    /// Open the base64 form.
    pub fn open_base64(&self, envelope: &str, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let bytes =
            from_b64("sealed envelope", envelope.trim()).map_err(|_| Error::SealOpenFailed)?;
        self.open(&bytes, aad)
    }
}

/// Seal `plaintext` to `recipient`, binding `aad` (which is not stored).
pub fn seal(recipient: &SealPublicKey, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    let randomness = crate::rng::random_bytes::<64>()?;
    seal_with_randomness(recipient, plaintext, aad, &randomness)
}

/// Seal and return base64.
pub fn seal_base64(recipient: &SealPublicKey, plaintext: &[u8], aad: &[u8]) -> Result<String> {
    seal(recipient, plaintext, aad).map(|e| b64(&e))
}

/// Seal with explicit randomness: 32 bytes for ML-KEM encapsulation ‖ 32 bytes of
/// ephemeral X25519 secret. Only for reproducible test vectors: reusing randomness
/// reuses keys.
pub fn seal_with_randomness(
    recipient: &SealPublicKey,
    plaintext: &[u8],
    aad: &[u8],
    randomness: &[u8; 64],
) -> Result<Vec<u8>> {
    check_size("sealed plaintext", plaintext.len(), PLAINTEXT_LIMIT)?;
    let (m, eph_secret) = randomness.split_at(32);
    let m: &[u8; 32] = m
        .try_into()
        .map_err(|_| Error::Crypto("bad encapsulation randomness"))?;
    let (ct_kem, ss_kem) = recipient.mlkem.encapsulate(m);
    let mut eph_bytes = Zeroizing::new([0u8; 32]);
    eph_bytes.copy_from_slice(eph_secret);
    let eph = x25519::SecretKey::from_bytes(&eph_bytes)?;
    let ss_x = eph
        .agree(&recipient.x25519)
        .ok_or_else(|| Error::input("seal public key", "X25519 key has small order"))?;

    let mut envelope = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    envelope.extend_from_slice(MAGIC);
    envelope.push(SUITE_MLKEM768_X25519);
    envelope.extend_from_slice(&ct_kem);
    envelope.extend_from_slice(&eph.public_key()?);

    let (cipher, nonce) = derive_cipher(&recipient.salt, &envelope, &ss_kem, &ss_x)?;
    let aad = full_aad(&envelope, aad);
    // Encrypt in place, after the header: no intermediate ciphertext buffer.
    envelope.extend_from_slice(plaintext);
    let tag = cipher.seal_in_place(nonce, &aad, &mut envelope[HEADER_LEN..])?;
    envelope.extend_from_slice(&tag);
    Ok(envelope)
}

/// The AEAD's associated data: the whole header, then the caller's `aad`.
fn full_aad(header: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(header.len() + aad.len());
    full.extend_from_slice(header);
    full.extend_from_slice(aad);
    full
}

/// HKDF-SHA-512(salt = SHA-512(recipient pk), ikm = ss_kem ‖ ss_x,
/// info = "postq seal v1" ‖ SHA-512(header)) → AES-256 key ‖ 12-byte nonce.
fn derive_cipher(
    salt: &[u8; 64],
    header: &[u8],
    ss_kem: &[u8; 32],
    ss_x: &[u8; 32],
) -> Result<(aead::Aes256Gcm, [u8; 12])> {
    let mut ikm = Zeroizing::new([0u8; 64]);
    ikm[..32].copy_from_slice(ss_kem);
    ikm[32..].copy_from_slice(ss_x);
    let mut info = [0u8; INFO_PREFIX.len() + 64];
    info[..INFO_PREFIX.len()].copy_from_slice(INFO_PREFIX);
    info[INFO_PREFIX.len()..].copy_from_slice(&Sha512::digest(header));
    let mut okm = Zeroizing::new([0u8; 44]);
    Hkdf::<Sha512>::new(Some(salt), ikm.as_ref())
        .expand(&info, okm.as_mut())
        .map_err(|_| Error::Crypto("HKDF expand failed"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&okm[..32]);
    let cipher = aead::Aes256Gcm::new(&key)?;
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&okm[32..]);
    Ok((cipher, nonce))
}
