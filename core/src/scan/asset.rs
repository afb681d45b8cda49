//! Cryptographic assets found while scanning: the inventory behind the CycloneDX CBOM
//! (`cbom.rs`). Findings say what is wrong; assets say what is there.

use serde::{Deserialize, Serialize};

use super::Location;

/// The cryptographic primitive of an algorithm (CycloneDX `primitive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Primitive {
    /// Digital signature.
    Signature,
    /// Public-key encryption (RSA keys of unknown use).
    Pke,
    /// Key encapsulation.
    Kem,
    /// Key agreement (ECDH).
    KeyAgree,
    /// Authenticated encryption.
    Ae,
    /// Hash function.
    Hash,
    /// Symmetric secret of unknown use.
    Other,
    /// Not known.
    Unknown,
}

/// One algorithm, named the same way wherever it is found (its CBOM `bom-ref` is
/// `crypto/algorithm/<name>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlgorithmAsset {
    /// e.g. `RSA-2048`, `ECDSA-P256`, `ML-DSA-65`, `X25519MLKEM768`, `AES-256-GCM`.
    pub name: String,
    /// Primitive.
    pub primitive: Primitive,
    /// Key size or parameter set (`2048`, `65`, `256`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_set: Option<String>,
    /// Curve name (`P-256`, `Curve25519`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    /// Dotted OID when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// Classical security in bits (NIST SP 800-57).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classical_bits: Option<u32>,
    /// NIST post-quantum security category 0–6 (0: broken by a quantum computer).
    pub quantum_level: u8,
}

impl AlgorithmAsset {
    /// A named algorithm with no further parameters.
    pub fn named(name: impl Into<String>, primitive: Primitive, quantum_level: u8) -> Self {
        AlgorithmAsset {
            name: name.into(),
            primitive,
            parameter_set: None,
            curve: None,
            oid: None,
            classical_bits: None,
            quantum_level,
        }
    }
}

/// A certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateAsset {
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// Subject DN (RFC 4514 text).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// The signature algorithm (e.g. `SHA256withRSA`).
    pub signature_algorithm: AlgorithmAsset,
    /// The subject public key.
    pub public_key: KeyAsset,
    /// Carries the 1.3.9999.42.1 ML-DSA-65 sidecar.
    pub hybrid_sidecar: bool,
    /// Where it was seen.
    pub occurrences: Vec<Location>,
}

/// What kind of key material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    /// A private key.
    PrivateKey,
    /// A public key.
    PublicKey,
    /// A symmetric secret.
    SecretKey,
}

impl KeyKind {
    /// `private key`, `public key`, `secret key`.
    pub fn label(self) -> &'static str {
        match self {
            KeyKind::PrivateKey => "private key",
            KeyKind::PublicKey => "public key",
            KeyKind::SecretKey => "secret key",
        }
    }
}

/// A key (or the key of a certificate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyAsset {
    /// Private, public or secret.
    pub kind: KeyKind,
    /// `sha256:<hex>` of the encoded key (or OpenSSH's `SHA256:<base64>`). Never the key.
    pub fingerprint: String,
    /// The algorithm; `None` when the key is encrypted and its algorithm hidden.
    pub algorithm: Option<AlgorithmAsset>,
    /// Key size in bits, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// `PEM (PKCS#8)`, `OpenSSH`, `JWK`, `DER`, `X.509`.
    pub format: String,
    /// Passphrase-encrypted.
    pub encrypted: bool,
    /// Where it was seen.
    pub occurrences: Vec<Location>,
}

/// One TLS cipher suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CipherSuiteAsset {
    /// IANA name, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub name: String,
    /// IANA code point, e.g. `0x13,0x02`.
    pub identifier: String,
    /// Bulk cipher and hash.
    pub algorithms: Vec<AlgorithmAsset>,
}

/// A protocol spoken by an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolAsset {
    /// `1.3`, `1.2`, `1.1`, `1.0`.
    pub version: String,
    /// The negotiated suite(s).
    pub cipher_suites: Vec<CipherSuiteAsset>,
    /// The key-exchange groups seen accepted.
    pub key_exchange: Vec<AlgorithmAsset>,
    /// Fingerprint of the served leaf certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// The endpoint.
    pub endpoint: Location,
}

/// Any asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "assetType", rename_all = "camelCase")]
#[allow(clippy::large_enum_variant)] // a handful per target; boxing buys nothing
pub enum CryptoAsset {
    /// A certificate.
    Certificate(CertificateAsset),
    /// A key.
    Key(KeyAsset),
    /// A protocol.
    Protocol(ProtocolAsset),
}
