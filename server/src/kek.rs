//! The key encryption key (KEK) and sealing of private material at rest.
//!
//! Private halves of hybrid signing keys (and, in the next issue, vault credentials) are
//! stored as `0x01 ‖ nonce (12) ‖ AES-256-GCM(kek, nonce, secret, aad)`, with a fresh
//! random nonce for every seal and the record's identity (e.g. `hk:<keyId>:v<n>`) as
//! associated data, so a sealed blob cannot be moved to another record.
//!
//! The KEK comes from `POSTQ_KEK` (64 hex characters or base64 of 32 bytes) or from the
//! file `kek.key` in the data dir, generated on first start with mode 0600.
//!
//! Organisations' private material is sealed under the organisation's own KEK,
//! `HKDF-SHA-256(ikm = master KEK, salt = "postq:org-kek:v1", info = org id)`, and marked
//! with version byte `0x02`, so one organisation's wrapped keys never open under
//! another's. Blobs of version `0x01` (the master KEK itself: server-wide secrets such as
//! the ledger key, and rows written before per-organisation KEKs) still open; the store
//! rewraps old organisation rows on start (`Store::migrate_org_keks`).

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use zeroize::Zeroizing;

/// Sealed under the master KEK.
const SEAL_VERSION: u8 = 1;
/// Sealed under an organisation's KEK.
const ORG_SEAL_VERSION: u8 = 2;
const ORG_KEK_SALT: &[u8] = b"postq:org-kek:v1";
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum KekError {
    #[error("POSTQ_KEK must be 32 bytes as 64 hex characters or base64")]
    BadEnv,
    #[error("KEK file {0} must hold 32 bytes as 64 hex characters")]
    BadFile(String),
    #[error("KEK file: {0}")]
    Io(#[from] std::io::Error),
    #[error("random number generator failed")]
    Rng,
    #[error("sealed data could not be opened (wrong KEK or corrupted record)")]
    Open,
}

/// The KEK. Never printed: no `Debug`/`Display` of the bytes.
pub(crate) struct Kek {
    cipher: Aes256Gcm,
    /// The master key, kept to derive organisation KEKs.
    master: Zeroizing<[u8; 32]>,
    /// A key derived from the KEK for keyed request fingerprints (never stored).
    fingerprint_key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(..)")
    }
}

fn decode_key(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let text = text.trim();
    let bytes = if text.len() == 64 {
        hex::decode(text).ok()?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?
    };
    (bytes.len() == 32).then(|| Zeroizing::new(bytes))
}

impl Kek {
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, KekError> {
        use sha2::Digest as _;
        let cipher = Aes256Gcm::new_from_slice(bytes).map_err(|_| KekError::BadEnv)?;
        let master = Zeroizing::new(<[u8; 32]>::try_from(bytes).map_err(|_| KekError::BadEnv)?);
        let mut h = sha2::Sha256::new();
        h.update(b"postq:request-fingerprint-key:v1\0");
        h.update(bytes);
        let fingerprint_key = Zeroizing::new(<[u8; 32]>::from(h.finalize()));
        Ok(Self {
            cipher,
            master,
            fingerprint_key,
        })
    }

    /// From the `POSTQ_KEK` text form.
    pub(crate) fn from_text(text: &str) -> Result<Self, KekError> {
        let bytes = decode_key(text).ok_or(KekError::BadEnv)?;
        Self::from_bytes(&bytes)
    }

    /// A fresh random KEK (throwaway `--memory` runs without `POSTQ_KEK`).
    pub(crate) fn random() -> Result<Self, KekError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|_| KekError::Rng)?;
        Self::from_bytes(bytes.as_ref())
    }

    /// Load `path`, or create it with a fresh random key and mode 0600.
    pub(crate) fn load_or_create_file(path: &Path) -> Result<Self, KekError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = decode_key(&text)
                    .ok_or_else(|| KekError::BadFile(path.display().to_string()))?;
                Self::from_bytes(&bytes)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                getrandom::fill(bytes.as_mut()).map_err(|_| KekError::Rng)?;
                let text = Zeroizing::new(hex::encode(bytes.as_ref()));
                write_private_file(path, text.as_bytes())?;
                Self::from_bytes(bytes.as_ref())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A keyed SHA-256 (hex) of `parts` (length-prefixed), for stored request
    /// fingerprints: a fingerprint of a body that holds a secret (a vault seal) cannot
    /// be brute-forced from the database without the KEK.
    pub(crate) fn keyed_fingerprint(&self, parts: &[&[u8]]) -> String {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(self.fingerprint_key.as_ref());
        for p in parts {
            h.update((p.len() as u64).to_be_bytes());
            h.update(p);
        }
        hex::encode(h.finalize())
    }

    /// The KEK of one organisation.
    fn org_cipher(&self, org_id: &str) -> Result<Aes256Gcm, KekError> {
        let mut key = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<sha2::Sha256>::new(Some(ORG_KEK_SALT), self.master.as_ref())
            .expand(org_id.as_bytes(), key.as_mut())
            .map_err(|_| KekError::Rng)?;
        Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| KekError::Rng)
    }

    /// Seal a server-wide secret under the master KEK.
    pub(crate) fn seal(&self, aad: &str, secret: &[u8]) -> Result<Vec<u8>, KekError> {
        seal_with(&self.cipher, SEAL_VERSION, aad, secret)
    }

    /// Open a server-wide secret sealed by [`Self::seal`].
    pub(crate) fn open(&self, aad: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KekError> {
        if sealed.first() != Some(&SEAL_VERSION) {
            return Err(KekError::Open);
        }
        open_with(&self.cipher, aad, sealed)
    }

    /// Seal an organisation's secret under the organisation's KEK.
    pub(crate) fn seal_for_org(
        &self,
        org_id: &str,
        aad: &str,
        secret: &[u8],
    ) -> Result<Vec<u8>, KekError> {
        seal_with(&self.org_cipher(org_id)?, ORG_SEAL_VERSION, aad, secret)
    }

    /// Open an organisation's secret: under its KEK, or (a row not yet rewrapped) under
    /// the master KEK.
    pub(crate) fn open_for_org(
        &self,
        org_id: &str,
        aad: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KekError> {
        match sealed.first() {
            Some(&ORG_SEAL_VERSION) => open_with(&self.org_cipher(org_id)?, aad, sealed),
            Some(&SEAL_VERSION) => open_with(&self.cipher, aad, sealed),
            _ => Err(KekError::Open),
        }
    }

    /// Whether `sealed` still needs rewrapping under its organisation's KEK.
    pub(crate) fn is_master_sealed(sealed: &[u8]) -> bool {
        sealed.first() == Some(&SEAL_VERSION)
    }
}

fn seal_with(
    cipher: &Aes256Gcm,
    version: u8,
    aad: &str,
    secret: &[u8],
) -> Result<Vec<u8>, KekError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| KekError::Rng)?;
    let ct = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: secret,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| KekError::Rng)?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
    out.push(version);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open_with(cipher: &Aes256Gcm, aad: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KekError> {
    if sealed.len() < 1 + NONCE_LEN + 16 {
        return Err(KekError::Open);
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&sealed[1..1 + NONCE_LEN]);
    // The version byte only picks the key: a relabelled blob meets the wrong key and fails.
    cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &sealed[1 + NONCE_LEN..],
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| KekError::Open)
}

#[cfg(unix)]
fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_roundtrip_binds_aad() {
        let kek = Kek::random().unwrap();
        let sealed = kek.seal("hk:a:v1", b"secret").unwrap();
        assert_eq!(kek.open("hk:a:v1", &sealed).unwrap().as_slice(), b"secret");
        assert!(kek.open("hk:b:v1", &sealed).is_err());
        let fp = kek.keyed_fingerprint(&[b"POST", b"/v1/x", b"{}"]);
        assert_eq!(fp, kek.keyed_fingerprint(&[b"POST", b"/v1/x", b"{}"]));
        assert_ne!(fp, kek.keyed_fingerprint(&[b"POST", b"/v1/x{", b"}"]));
        let other = Kek::random().unwrap();
        assert!(other.open("hk:a:v1", &sealed).is_err());
    }

    #[test]
    fn one_organisations_wrapped_key_does_not_open_under_another_organisations_kek() {
        let kek = Kek::random().unwrap();
        let sealed = kek.seal_for_org("org_a", "hk:a:v1", b"secret").unwrap();
        assert_eq!(sealed[0], ORG_SEAL_VERSION);
        assert_eq!(
            kek.open_for_org("org_a", "hk:a:v1", &sealed)
                .unwrap()
                .as_slice(),
            b"secret"
        );
        assert!(kek.open_for_org("org_b", "hk:a:v1", &sealed).is_err());
        assert!(
            kek.open("hk:a:v1", &sealed).is_err(),
            "not under the master KEK"
        );
        // Claiming the master version does not help either.
        let mut relabelled = sealed.clone();
        relabelled[0] = SEAL_VERSION;
        assert!(kek.open_for_org("org_a", "hk:a:v1", &relabelled).is_err());
        // Rows sealed before per-organisation KEKs still open (until rewrapped).
        let legacy = kek.seal("hk:a:v1", b"old").unwrap();
        assert!(Kek::is_master_sealed(&legacy) && !Kek::is_master_sealed(&sealed));
        assert_eq!(
            kek.open_for_org("org_a", "hk:a:v1", &legacy)
                .unwrap()
                .as_slice(),
            b"old"
        );
        // The derivation is per master key too.
        let other = Kek::random().unwrap();
        assert!(other.open_for_org("org_a", "hk:a:v1", &sealed).is_err());
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kek.key");
        let a = Kek::load_or_create_file(&path).unwrap();
        let b = Kek::load_or_create_file(&path).unwrap();
        let sealed = a.seal("x", b"y").unwrap();
        assert_eq!(b.open("x", &sealed).unwrap().as_slice(), b"y");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(Kek::from_text(&"ab".repeat(32)).is_ok());
        assert!(Kek::from_text("short").is_err());
    }
}
