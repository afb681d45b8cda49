//! Minting the hybrid leaf: a self-signed ECDSA-P256 certificate that carries the
//! ML-DSA-65 sidecar. Deterministic given [`MintSeeds`] (ECDSA is RFC 6979).

use std::fmt;

use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::{EncodePrivateKey as _, LineEnding};
use rcgen::{
    CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod,
    KeyUsagePurpose, PublicKeyData, SerialNumber,
};
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::binding::{Binding, BindingInputs};
use super::extension::{SIDECAR_OID_ARCS, SidecarExtension};
use super::hostname::normalize_hostname;
use crate::hybrid::mldsa65;
use crate::{Error, Result};

/// What to mint.
#[derive(Debug, Clone)]
pub struct MintRequest {
    /// The site's hostname: subject CN and first SAN.
    pub hostname: String,
    /// Extra SAN dNSNames.
    pub alt_names: Vec<String>,
    /// Start of validity (default: now, truncated to the second).
    pub not_before: Option<OffsetDateTime>,
    /// Validity length in days (default 90).
    pub validity_days: u32,
}

impl MintRequest {
    /// A 90-day certificate for `hostname` starting now.
    pub fn new(hostname: impl Into<String>) -> Self {
        MintRequest {
            hostname: hostname.into(),
            alt_names: Vec::new(),
            not_before: None,
            validity_days: 90,
        }
    }
}

/// The randomness a mint consumes; fixed seeds make it reproducible (test vectors).
pub struct MintSeeds {
    /// The ECDSA P-256 secret scalar.
    pub ecdsa_secret: [u8; 32],
    /// The ML-DSA-65 key-generation seed ξ.
    pub mldsa_seed: [u8; 32],
    /// Serial number bytes (the top bit is cleared to keep it positive).
    pub serial: [u8; 16],
}

impl fmt::Debug for MintSeeds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MintSeeds { .. }")
    }
}

impl Drop for MintSeeds {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.ecdsa_secret.zeroize();
        self.mldsa_seed.zeroize();
    }
}

/// A minted certificate. The private key is here exactly once; `Debug` hides it.
pub struct MintedCertificate {
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// The certificate, DER.
    pub certificate_der: Vec<u8>,
    /// The ECDSA P-256 private key, PKCS#8 PEM. Deliver once; never store.
    pub private_key_pem: Zeroizing<String>,
    /// The canonical binding the sidecar signs.
    pub binding: Binding,
    /// The raw ML-DSA-65 public key in the extension.
    pub pq_public_key: Vec<u8>,
}

impl fmt::Debug for MintedCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintedCertificate")
            .field("binding", &self.binding)
            .field("private_key_pem", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Mint with fresh randomness from the OS.
pub fn mint(request: &MintRequest) -> Result<MintedCertificate> {
    let mut seeds = MintSeeds {
        ecdsa_secret: [0; 32],
        mldsa_seed: [0; 32],
        serial: [0; 16],
    };
    // A random scalar is below the P-256 order except with negligible probability;
    // retry rather than bias it.
    for _ in 0..8 {
        getrandom::fill(&mut seeds.ecdsa_secret).map_err(|_| Error::Randomness)?;
        if p256::ecdsa::SigningKey::from_slice(&seeds.ecdsa_secret).is_ok() {
            break;
        }
    }
    getrandom::fill(&mut seeds.mldsa_seed).map_err(|_| Error::Randomness)?;
    getrandom::fill(&mut seeds.serial).map_err(|_| Error::Randomness)?;
    mint_with_seeds(request, &seeds)
}

/// The Subject Key Identifier (RFC 5280 §4.2.1.2) by RFC 7093 method 1: the leftmost
/// 160 bits of SHA-256 over the subjectPublicKey BIT STRING's value (for P-256, the
/// 65-byte uncompressed point). rcgen computes one only with its own crypto backend,
/// which core does not build, so it is computed here.
fn subject_key_identifier(subject_public_key: &[u8]) -> Vec<u8> {
    Sha256::digest(subject_public_key)[..20].to_vec()
}

/// rcgen signs the certificate through this: RFC 6979 ECDSA P-256 with SHA-256.
struct EcdsaSigner {
    key: p256::ecdsa::SigningKey,
    public_point: Vec<u8>,
}

impl PublicKeyData for EcdsaSigner {
    fn der_bytes(&self) -> &[u8] {
        &self.public_point
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl rcgen::SigningKey for EcdsaSigner {
    fn sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, rcgen::Error> {
        let signature: p256::ecdsa::Signature = self.key.sign(msg);
        Ok(signature.to_der().as_bytes().to_vec())
    }
}

/// Mint from fixed randomness.
pub fn mint_with_seeds(request: &MintRequest, seeds: &MintSeeds) -> Result<MintedCertificate> {
    build(request, seeds, &testing::Tamper::default())
}

/// Deliberately broken certificates for negative test vectors. Never use otherwise.
#[doc(hidden)]
pub mod testing {
    use time::OffsetDateTime;

    /// What to break.
    #[derive(Debug, Default, Clone)]
    pub struct Tamper {
        /// Put this `notAfter` in the certificate and binding (e.g. before `notBefore`).
        pub not_after: Option<OffsetDateTime>,
        /// Bind this SPKI instead of the certificate's.
        pub binding_classical_pub: Option<Vec<u8>>,
        /// Put this ML-DSA-65 seed's public key in the binding, sign with the real one.
        pub binding_pq_seed: Option<[u8; 32]>,
        /// Mark the extension critical.
        pub critical: bool,
        /// Leave the sidecar extension out.
        pub omit_extension: bool,
    }

    /// Mint with the given tampering.
    pub fn mint_tampered(
        request: &super::MintRequest,
        seeds: &super::MintSeeds,
        tamper: &Tamper,
    ) -> crate::Result<super::MintedCertificate> {
        super::build(request, seeds, tamper)
    }
}

fn build(
    request: &MintRequest,
    seeds: &MintSeeds,
    tamper: &testing::Tamper,
) -> Result<MintedCertificate> {
    let hostname = normalize_hostname(&request.hostname)?;
    let mut names = vec![hostname.clone()];
    for extra in &request.alt_names {
        let n = normalize_hostname(extra)?;
        if !names.contains(&n) {
            names.push(n);
        }
    }
    if request.validity_days == 0 || request.validity_days > 825 {
        return Err(Error::input("validity", "must be 1-825 days"));
    }
    let not_before = request
        .not_before
        .unwrap_or_else(OffsetDateTime::now_utc)
        .replace_nanosecond(0)
        .map_err(|e| Error::input("not_before", e.to_string()))?;
    let not_after = tamper
        .not_after
        .unwrap_or(not_before + Duration::days(i64::from(request.validity_days)));

    let ecdsa = p256::ecdsa::SigningKey::from_slice(&seeds.ecdsa_secret)
        .map_err(|_| Error::input("ECDSA seed", "not a valid P-256 scalar"))?;
    let signer = EcdsaSigner {
        public_point: ecdsa
            .verifying_key()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec(),
        key: ecdsa,
    };
    let spki = signer.subject_public_key_info();

    let mut serial = seeds.serial;
    serial[0] &= 0x7f;
    if serial[0] == 0 {
        serial[0] = 0x01; // keep DER minimal: no leading zero byte
    }

    let mldsa = mldsa65::SigningKey::from_seed(&seeds.mldsa_seed);
    let pq_public_key = mldsa.public_key().to_vec();

    let bound_pq_key = match tamper.binding_pq_seed {
        Some(seed) => mldsa65::SigningKey::from_seed(&seed).public_key().to_vec(),
        None => pq_public_key.clone(),
    };
    let binding = Binding::from_inputs(&BindingInputs {
        hostname: &hostname,
        alt_names: names.iter().map(String::as_str).collect(),
        serial: &serial,
        not_before,
        not_after,
        spki_der: tamper.binding_classical_pub.as_deref().unwrap_or(&spki),
        pq_public_key: &bound_pq_key,
    })?;
    let binding_bytes = binding.to_bytes();
    // Deterministic (rnd = 0): the binding is public and unique per certificate.
    let pq_signature = mldsa.sign(&binding_bytes, &[], [0u8; 32])?.to_vec();
    let extension = SidecarExtension {
        pq_public_key: pq_public_key.clone(),
        pq_signature,
        binding_bytes,
    };

    let mut params =
        CertificateParams::new(names).map_err(|e| Error::input("hostname", e.to_string()))?;
    params
        .distinguished_name
        .push(DnType::CommonName, hostname.as_str());
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.not_before = not_before;
    params.not_after = not_after;
    params.is_ca = IsCa::ExplicitNoCa;
    // Computed from the public key (docs/formats.md §4), never from rcgen's default
    // method, which depends on its `crypto` feature: the minted bytes must not move.
    params.key_identifier_method =
        KeyIdMethod::PreSpecified(subject_key_identifier(&signer.public_point));
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let mut custom = CustomExtension::from_oid_content(&SIDECAR_OID_ARCS, extension.to_der()?);
    custom.set_criticality(tamper.critical);
    if !tamper.omit_extension {
        params.custom_extensions.push(custom);
    }
    let cert = params
        .self_signed(&signer)
        .map_err(|e| Error::InvalidCertificate(format!("could not build certificate: {e}")))?;

    let private_key_pem = signer
        .key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| Error::Crypto("could not encode the private key"))?;
    Ok(MintedCertificate {
        certificate_pem: cert.pem(),
        certificate_der: cert.der().to_vec(),
        private_key_pem: Zeroizing::new(private_key_pem.to_string()),
        binding,
        pq_public_key,
    })
}
