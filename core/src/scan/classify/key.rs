//! Keys in their common encodings -> [`KeyAlgorithm`]: X.509 SubjectPublicKeyInfo,
//! PKCS#8, PKCS#1, SEC1, OpenSSH and JWK. Parsing is done by the RustCrypto / x509-parser
//! / ssh-key crates; this module only asks them what the key is.

use der::Decode as _;
use der::asn1::ObjectIdentifier;
use x509_parser::prelude::FromDer as _;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::algorithm::{KeyAlgorithm, algorithm_by_oid, curve_by_name, curve_by_oid, uint_bits};

/// From a parsed SubjectPublicKeyInfo.
pub fn from_spki(spki: &SubjectPublicKeyInfo<'_>) -> KeyAlgorithm {
    let oid = spki.algorithm.algorithm.to_id_string();
    match algorithm_by_oid(&oid) {
        KeyAlgorithm::Rsa { .. } => KeyAlgorithm::Rsa {
            bits: match spki.parsed() {
                Ok(PublicKey::RSA(rsa)) => Some(uint_bits(rsa.modulus)),
                _ => None,
            },
        },
        KeyAlgorithm::Ec(_) => KeyAlgorithm::Ec(
            spki.algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .and_then(|o| curve_by_oid(&o.to_id_string())),
        ),
        other => other,
    }
}

/// From SubjectPublicKeyInfo DER (`PUBLIC KEY` PEM).
pub fn from_spki_der(der: &[u8]) -> Option<KeyAlgorithm> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(der).ok()?;
    Some(from_spki(&spki))
}

/// From PKCS#8 PrivateKeyInfo / OneAsymmetricKey DER (`PRIVATE KEY` PEM).
pub fn from_pkcs8_der(der: &[u8]) -> Option<KeyAlgorithm> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der).ok()?;
    let oid = info.algorithm.oid.to_string();
    Some(match algorithm_by_oid(&oid) {
        KeyAlgorithm::Rsa { .. } => KeyAlgorithm::Rsa {
            bits: pkcs1::RsaPrivateKeyRef::try_from(info.private_key.as_bytes())
                .ok()
                .map(|k| uint_bits(k.modulus.as_bytes())),
        },
        KeyAlgorithm::Ec(_) => KeyAlgorithm::Ec(
            info.algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .and_then(|o| curve_by_oid(&o.to_string())),
        ),
        other => other,
    })
}

/// From PKCS#1 `RSAPrivateKey` DER.
pub fn from_pkcs1_private_der(der: &[u8]) -> Option<KeyAlgorithm> {
    let key = pkcs1::RsaPrivateKeyRef::try_from(der).ok()?;
    Some(KeyAlgorithm::Rsa {
        bits: Some(uint_bits(key.modulus.as_bytes())),
    })
}

/// From PKCS#1 `RSAPublicKey` DER.
pub fn from_pkcs1_public_der(der: &[u8]) -> Option<KeyAlgorithm> {
    let key = pkcs1::RsaPublicKeyRef::try_from(der).ok()?;
    Some(KeyAlgorithm::Rsa {
        bits: Some(uint_bits(key.modulus.as_bytes())),
    })
}

/// From SEC1 `ECPrivateKey` DER.
pub fn from_sec1_der(der: &[u8]) -> Option<KeyAlgorithm> {
    let key = sec1::EcPrivateKey::try_from(der).ok()?;
    Some(KeyAlgorithm::Ec(
        key.parameters
            .and_then(|p| p.named_curve())
            .and_then(|o| curve_by_oid(&o.to_string())),
    ))
}

/// From an OpenSSH public key.
pub fn from_ssh(key: &ssh_key::public::KeyData) -> KeyAlgorithm {
    use ssh_key::public::{EcdsaPublicKey, KeyData};
    match key {
        KeyData::Rsa(rsa) => KeyAlgorithm::Rsa {
            bits: Some(uint_bits(rsa.n.as_positive_bytes().unwrap_or_default())),
        },
        KeyData::Dsa(_) => KeyAlgorithm::Dsa,
        KeyData::Ecdsa(ec) => KeyAlgorithm::Ec(curve_by_name(match ec {
            EcdsaPublicKey::NistP256(_) => "P-256",
            EcdsaPublicKey::NistP384(_) => "P-384",
            EcdsaPublicKey::NistP521(_) => "P-521",
        })),
        KeyData::SkEcdsaSha2NistP256(_) => KeyAlgorithm::Ec(curve_by_name("P-256")),
        KeyData::Ed25519(_) | KeyData::SkEd25519(_) => KeyAlgorithm::Ed25519,
        other => KeyAlgorithm::Unknown(other.algorithm().as_str().to_owned()),
    }
}

/// From a JWK object's members (`kty`, `crv`, `alg`, `n`).
pub fn from_jwk(jwk: &serde_json::Map<String, serde_json::Value>) -> KeyAlgorithm {
    let text = |k: &str| jwk.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    match text("kty") {
        "RSA" => KeyAlgorithm::Rsa {
            bits: crate::encoding::from_b64url("JWK n", text("n"))
                .ok()
                .map(|n| uint_bits(&n)),
        },
        "EC" => KeyAlgorithm::Ec(curve_by_name(text("crv"))),
        "OKP" => match text("crv") {
            "Ed25519" => KeyAlgorithm::Ed25519,
            "Ed448" => KeyAlgorithm::Ed448,
            "X25519" => KeyAlgorithm::X25519,
            "X448" => KeyAlgorithm::X448,
            other => KeyAlgorithm::Unknown(format!("OKP {other}")),
        },
        // draft-ietf-cose-dilithium: `AKP` keys name their algorithm in `alg`.
        "AKP" => match text("alg") {
            "ML-DSA-44" => KeyAlgorithm::MlDsa(44),
            "ML-DSA-65" => KeyAlgorithm::MlDsa(65),
            "ML-DSA-87" => KeyAlgorithm::MlDsa(87),
            a if a.starts_with("ML-KEM-") => KeyAlgorithm::MlKem(a[7..].parse().unwrap_or(768)),
            a if a.starts_with("SLH-DSA") => KeyAlgorithm::SlhDsa,
            other => KeyAlgorithm::Unknown(format!("AKP {other}")),
        },
        other => KeyAlgorithm::Unknown(format!("kty {other}")),
    }
}
