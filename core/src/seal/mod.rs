//! `pqseal-v1`: hybrid public-key encryption, ML-KEM-768 + X25519 → HKDF-SHA-512 →
//! AES-256-GCM (`docs/formats.md` §5). Used by the vault and for offline sealing.

use std::fmt;

use aes_gcm::aead::{Aead as _, Payload};
use aes_gcm::{Aes256Gcm, KeyInit as _};
use hkdf::Hkdf;
use ml_kem::{Decapsulate as _, DecapsulationKey, EncapsulationKey, KeyExport as _, MlKem768};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::encoding::{b64, check_size, from_b64};
use crate::{Error, Result};

/// The envelope's leading magic.
pub const MAGIC: &[u8; 9] = b"pqseal-v1";
/// Suite 1: ML-KEM-768 + X25519, HKDF-SHA-512, AES-256-GCM.
pub const SUITE_MLKEM768_X25519: u8 = 0x01;
/// ML-KEM-768 encapsulation key length.
pub const MLKEM768_PUBLIC_KEY_LEN: usize = 1184;
/// ML-KEM-768 ciphertext length.
pub const MLKEM768_CIPHERTEXT_LEN: usize = 1088;
/// Recipient public key length: ML-KEM-768 ek ‖ X25519 public.
pub const PUBLIC_KEY_LEN: usize = MLKEM768_PUBLIC_KEY_LEN + 32;
/// Recipient secret seed length: ML-KEM d ‖ z ‖ X25519 secret.
pub const SECRET_SEED_LEN: usize = 64 + 32;
/// Header length: magic ‖ suite ‖ ct_kem ‖ ephemeral X25519 public.
pub const HEADER_LEN: usize = MAGIC.len() + 1 + MLKEM768_CIPHERTEXT_LEN + 32;
/// AES-GCM tag length.
pub const TAG_LEN: usize = 16;
/// Plaintexts above this size are refused.
pub const PLAINTEXT_LIMIT: usize = 16 * 1024 * 1024;

const INFO_PREFIX: &[u8] = b"postq seal v1";

/// A recipient's public key.
#[derive(Clone, PartialEq)]
pub struct SealPublicKey {
    mlkem: EncapsulationKey<MlKem768>,
    x25519: x25519_dalek::PublicKey,
}

impl fmt::Debug for SealPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealPublicKey")
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

impl SealPublicKey {
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
        let mlkem = EncapsulationKey::<MlKem768>::new(&ek)
            .map_err(|_| Error::input("seal public key", "ML-KEM-768 key failed validation"))?;
        let x: [u8; 32] = x
            .try_into()
            .map_err(|_| Error::input("seal public key", "bad X25519 key length"))?;
        Ok(SealPublicKey {
            mlkem,
            x25519: x25519_dalek::PublicKey::from(x),
        })
    }

    /// Parse the base64 form.
    pub fn from_base64(text: &str) -> Result<Self> {
        Self::from_bytes(&from_b64("seal public key", text)?)
    }

    /// `ek ‖ x25519` (1216 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.mlkem.to_bytes().to_vec();
        out.extend_from_slice(self.x25519.as_bytes());
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
    mlkem: DecapsulationKey<MlKem768>,
    x25519: x25519_dalek::StaticSecret,
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
        let mut kem_seed = ml_kem::Seed::default();
        kem_seed.copy_from_slice(&seed[..64]);
        let mlkem = DecapsulationKey::<MlKem768>::from_seed(kem_seed);
        let mut x = [0u8; 32];
        x.copy_from_slice(&seed[64..]);
        let x25519 = x25519_dalek::StaticSecret::from(x);
        let public = SealPublicKey {
            mlkem: mlkem.encapsulation_key().clone(),
            x25519: x25519_dalek::PublicKey::from(&x25519),
        };
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
        let (header, ciphertext) = envelope.split_at(HEADER_LEN);
        if &header[..MAGIC.len()] != MAGIC {
            return Err(Error::SealOpenFailed);
        }
        if header[MAGIC.len()] != SUITE_MLKEM768_X25519 {
            return Err(Error::Unsupported {
                what: "seal suite",
                found: header[MAGIC.len()].to_string(),
            });
        }
        let ct_start = MAGIC.len() + 1;
        let ct_kem = &header[ct_start..ct_start + MLKEM768_CIPHERTEXT_LEN];
        let eph: [u8; 32] = header[ct_start + MLKEM768_CIPHERTEXT_LEN..]
            .try_into()
            .map_err(|_| Error::SealOpenFailed)?;
        let ss_kem = self
            .mlkem
            .decapsulate_slice(ct_kem)
            .map_err(|_| Error::SealOpenFailed)?;
        let ss_x = self
            .x25519
            .diffie_hellman(&x25519_dalek::PublicKey::from(eph));
        if !ss_x.was_contributory() {
            return Err(Error::SealOpenFailed);
        }
        let cipher = derive_cipher(&self.public, header, &ss_kem, ss_x.as_bytes())?;
        let mut full_aad = header.to_vec();
        full_aad.extend_from_slice(aad);
        cipher
            .0
            .decrypt(
                &cipher.1.into(),
                Payload {
                    msg: ciphertext,
                    aad: &full_aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| Error::SealOpenFailed)
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
    let mut m = ml_kem::B32::default();
    m.copy_from_slice(&randomness[..32]);
    let (ct_kem, ss_kem) = recipient.mlkem.encapsulate_deterministic(&m);
    let mut eph_bytes = Zeroizing::new([0u8; 32]);
    eph_bytes.copy_from_slice(&randomness[32..]);
    let eph = x25519_dalek::StaticSecret::from(*eph_bytes);
    let ss_x = eph.diffie_hellman(&recipient.x25519);
    if !ss_x.was_contributory() {
        return Err(Error::input(
            "seal public key",
            "X25519 key has small order",
        ));
    }

    let mut envelope = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    envelope.extend_from_slice(MAGIC);
    envelope.push(SUITE_MLKEM768_X25519);
    envelope.extend_from_slice(ct_kem.as_slice());
    envelope.extend_from_slice(x25519_dalek::PublicKey::from(&eph).as_bytes());

    let cipher = derive_cipher(recipient, &envelope, &ss_kem, ss_x.as_bytes())?;
    let mut full_aad = envelope.clone();
    full_aad.extend_from_slice(aad);
    let ct = cipher
        .0
        .encrypt(
            &cipher.1.into(),
            Payload {
                msg: plaintext,
                aad: &full_aad,
            },
        )
        .map_err(|_| Error::Crypto("AES-256-GCM encryption failed"))?;
    envelope.extend_from_slice(&ct);
    Ok(envelope)
}

/// HKDF-SHA-512(salt = SHA-512(recipient pk), ikm = ss_kem ‖ ss_x,
/// info = "postq seal v1" ‖ SHA-512(header)) → AES-256 key ‖ 12-byte nonce.
fn derive_cipher(
    recipient: &SealPublicKey,
    header: &[u8],
    ss_kem: &[u8],
    ss_x: &[u8],
) -> Result<(Aes256Gcm, [u8; 12])> {
    let salt = Sha512::digest(recipient.to_bytes());
    let mut ikm = Zeroizing::new(Vec::with_capacity(64));
    ikm.extend_from_slice(ss_kem);
    ikm.extend_from_slice(ss_x);
    let mut info = INFO_PREFIX.to_vec();
    info.extend_from_slice(&Sha512::digest(header));
    let mut okm = Zeroizing::new([0u8; 44]);
    Hkdf::<Sha512>::new(Some(&salt), &ikm)
        .expand(&info, okm.as_mut())
        .map_err(|_| Error::Crypto("HKDF expand failed"))?;
    let cipher =
        Aes256Gcm::new_from_slice(&okm[..32]).map_err(|_| Error::Crypto("bad AES key length"))?;
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&okm[32..]);
    Ok((cipher, nonce))
}
