//! Public-key algorithms: recognising them (by OID, SSH name or JWK members), naming
//! them once, and judging them (the key-algorithm findings of the catalogue).

use crate::scan::asset::{AlgorithmAsset, Primitive};
use crate::scan::{Finding, FindingCode, Location};

/// A named elliptic curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Curve {
    /// `P-256`, `secp256k1`, `brainpoolP256r1`, …
    pub name: &'static str,
    /// Field size in bits.
    pub bits: u32,
}

/// Curves by OID (RFC 5480, SEC 2, RFC 5639).
const CURVES: &[(&str, Curve)] = &[
    (
        "1.2.840.10045.3.1.1",
        Curve {
            name: "P-192",
            bits: 192,
        },
    ),
    (
        "1.3.132.0.33",
        Curve {
            name: "P-224",
            bits: 224,
        },
    ),
    (
        "1.2.840.10045.3.1.7",
        Curve {
            name: "P-256",
            bits: 256,
        },
    ),
    (
        "1.3.132.0.34",
        Curve {
            name: "P-384",
            bits: 384,
        },
    ),
    (
        "1.3.132.0.35",
        Curve {
            name: "P-521",
            bits: 521,
        },
    ),
    (
        "1.3.132.0.10",
        Curve {
            name: "secp256k1",
            bits: 256,
        },
    ),
    (
        "1.3.132.0.8",
        Curve {
            name: "secp160r1",
            bits: 160,
        },
    ),
    (
        "1.3.36.3.3.2.8.1.1.7",
        Curve {
            name: "brainpoolP256r1",
            bits: 256,
        },
    ),
    (
        "1.3.36.3.3.2.8.1.1.11",
        Curve {
            name: "brainpoolP384r1",
            bits: 384,
        },
    ),
    (
        "1.3.36.3.3.2.8.1.1.13",
        Curve {
            name: "brainpoolP512r1",
            bits: 512,
        },
    ),
];

/// Look a curve up by dotted OID.
pub fn curve_by_oid(oid: &str) -> Option<Curve> {
    CURVES.iter().find(|(o, _)| *o == oid).map(|(_, c)| *c)
}

/// Look a curve up by name (`P-256`, `secp256r1`, `nistp256`).
pub fn curve_by_name(name: &str) -> Option<Curve> {
    let canonical = match name {
        "secp256r1" | "prime256v1" | "nistp256" => "P-256",
        "secp384r1" | "nistp384" => "P-384",
        "secp521r1" | "nistp521" => "P-521",
        "secp224r1" => "P-224",
        "secp192r1" | "prime192v1" => "P-192",
        other => other,
    };
    CURVES
        .iter()
        .find(|(_, c)| c.name == canonical)
        .map(|(_, c)| *c)
}

/// What a key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA; `bits` is `None` when the key is encrypted.
    Rsa {
        /// Modulus size.
        bits: Option<u32>,
    },
    /// ECDSA / ECDH on a named curve (`None`: unknown curve or encrypted key).
    Ec(Option<Curve>),
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// X25519.
    X25519,
    /// X448.
    X448,
    /// DSA.
    Dsa,
    /// ML-DSA-44/65/87.
    MlDsa(u16),
    /// ML-KEM-512/768/1024.
    MlKem(u16),
    /// SLH-DSA (any parameter set).
    SlhDsa,
    /// Something else (dotted OID or name).
    Unknown(String),
}

/// OIDs of the algorithms above (RFC 8017, 5480, 8410, 3279, FIPS 203/204/205 via CSOR).
pub fn algorithm_by_oid(oid: &str) -> KeyAlgorithm {
    match oid {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => KeyAlgorithm::Rsa { bits: None },
        "1.2.840.10045.2.1" => KeyAlgorithm::Ec(None),
        "1.3.101.110" => KeyAlgorithm::X25519,
        "1.3.101.111" => KeyAlgorithm::X448,
        "1.3.101.112" => KeyAlgorithm::Ed25519,
        "1.3.101.113" => KeyAlgorithm::Ed448,
        "1.2.840.10040.4.1" => KeyAlgorithm::Dsa,
        "2.16.840.1.101.3.4.3.17" => KeyAlgorithm::MlDsa(44),
        "2.16.840.1.101.3.4.3.18" => KeyAlgorithm::MlDsa(65),
        "2.16.840.1.101.3.4.3.19" => KeyAlgorithm::MlDsa(87),
        "2.16.840.1.101.3.4.4.1" => KeyAlgorithm::MlKem(512),
        "2.16.840.1.101.3.4.4.2" => KeyAlgorithm::MlKem(768),
        "2.16.840.1.101.3.4.4.3" => KeyAlgorithm::MlKem(1024),
        o if o.starts_with("2.16.840.1.101.3.4.3.") => {
            // 20..=31 are the twelve SLH-DSA parameter sets.
            match o.rsplit('.').next().and_then(|n| n.parse::<u32>().ok()) {
                Some(20..=31) => KeyAlgorithm::SlhDsa,
                _ => KeyAlgorithm::Unknown(o.to_owned()),
            }
        }
        other => KeyAlgorithm::Unknown(other.to_owned()),
    }
}

/// NIST SP 800-57 Part 1 Table 2: classical security of an RSA/DSA modulus size.
fn rsa_security_bits(bits: u32) -> u32 {
    match bits {
        0..=1023 => 64,
        1024..=2047 => 80,
        2048..=3071 => 112,
        3072..=7679 => 128,
        7680..=15359 => 192,
        _ => 256,
    }
}

impl KeyAlgorithm {
    /// Key size in bits, when meaningful and known.
    pub fn bits(&self) -> Option<u32> {
        match self {
            KeyAlgorithm::Rsa { bits } => *bits,
            KeyAlgorithm::Ec(curve) => curve.map(|c| c.bits),
            KeyAlgorithm::Ed25519 | KeyAlgorithm::X25519 => Some(255),
            KeyAlgorithm::Ed448 | KeyAlgorithm::X448 => Some(448),
            _ => None,
        }
    }

    /// Short human name: `RSA-2048`, `EC P-256`, `Ed25519`, `ML-DSA-65`.
    pub fn describe(&self) -> String {
        match self {
            KeyAlgorithm::Rsa { bits: Some(b) } => format!("RSA-{b}"),
            KeyAlgorithm::Rsa { bits: None } => "RSA".to_owned(),
            KeyAlgorithm::Ec(Some(c)) => format!("EC {}", c.name),
            KeyAlgorithm::Ec(None) => "EC".to_owned(),
            KeyAlgorithm::Ed25519 => "Ed25519".to_owned(),
            KeyAlgorithm::Ed448 => "Ed448".to_owned(),
            KeyAlgorithm::X25519 => "X25519".to_owned(),
            KeyAlgorithm::X448 => "X448".to_owned(),
            KeyAlgorithm::Dsa => "DSA".to_owned(),
            KeyAlgorithm::MlDsa(p) => format!("ML-DSA-{p}"),
            KeyAlgorithm::MlKem(p) => format!("ML-KEM-{p}"),
            KeyAlgorithm::SlhDsa => "SLH-DSA".to_owned(),
            KeyAlgorithm::Unknown(o) => format!("unknown algorithm {o}"),
        }
    }

    /// The CBOM algorithm asset (`None` when too little is known to name it).
    pub fn asset(&self) -> Option<AlgorithmAsset> {
        let mut a = match self {
            KeyAlgorithm::Rsa { bits: Some(b) } => {
                let mut a = AlgorithmAsset::named(format!("RSA-{b}"), Primitive::Pke, 0);
                a.parameter_set = Some(b.to_string());
                a.classical_bits = Some(rsa_security_bits(*b));
                a.oid = Some("1.2.840.113549.1.1.1".to_owned());
                a
            }
            KeyAlgorithm::Ec(Some(c)) => {
                let mut a = AlgorithmAsset::named(
                    format!("ECDSA-{}", c.name.replace('-', "")),
                    Primitive::Signature,
                    0,
                );
                a.curve = Some(c.name.to_owned());
                a.classical_bits = Some(c.bits / 2);
                a.oid = Some("1.2.840.10045.2.1".to_owned());
                a
            }
            KeyAlgorithm::Ed25519 => edwards("Ed25519", "Curve25519", 128, "1.3.101.112", true),
            KeyAlgorithm::Ed448 => edwards("Ed448", "Curve448", 224, "1.3.101.113", true),
            KeyAlgorithm::X25519 => edwards("X25519", "Curve25519", 128, "1.3.101.110", false),
            KeyAlgorithm::X448 => edwards("X448", "Curve448", 224, "1.3.101.111", false),
            KeyAlgorithm::Dsa => {
                let mut a = AlgorithmAsset::named("DSA", Primitive::Signature, 0);
                a.oid = Some("1.2.840.10040.4.1".to_owned());
                a
            }
            KeyAlgorithm::MlDsa(p) => {
                let (level, classical, arc) = match p {
                    44 => (2, 128, 17),
                    65 => (3, 192, 18),
                    _ => (5, 256, 19),
                };
                let mut a =
                    AlgorithmAsset::named(format!("ML-DSA-{p}"), Primitive::Signature, level);
                a.parameter_set = Some(p.to_string());
                a.classical_bits = Some(classical);
                a.oid = Some(format!("2.16.840.1.101.3.4.3.{arc}"));
                a
            }
            KeyAlgorithm::MlKem(p) => {
                let (level, classical, arc) = match p {
                    512 => (1, 128, 1),
                    768 => (3, 192, 2),
                    _ => (5, 256, 3),
                };
                let mut a = AlgorithmAsset::named(format!("ML-KEM-{p}"), Primitive::Kem, level);
                a.parameter_set = Some(p.to_string());
                a.classical_bits = Some(classical);
                a.oid = Some(format!("2.16.840.1.101.3.4.4.{arc}"));
                a
            }
            KeyAlgorithm::SlhDsa => AlgorithmAsset::named("SLH-DSA", Primitive::Signature, 1),
            KeyAlgorithm::Rsa { bits: None } | KeyAlgorithm::Ec(None) => return None,
            KeyAlgorithm::Unknown(o) => {
                let mut a = AlgorithmAsset::named(o.clone(), Primitive::Unknown, 0);
                if o.chars().all(|c| c.is_ascii_digit() || c == '.') {
                    a.oid = Some(o.clone());
                }
                a
            }
        };
        if a.parameter_set.is_none() {
            a.parameter_set = self.bits().map(|b| b.to_string());
        }
        Some(a)
    }

    /// The key-algorithm finding (`None` when the algorithm is hidden by encryption).
    pub fn finding(&self, what: &str, evidence: &str, location: &Location) -> Option<Finding> {
        let (code, detail) = match self {
            KeyAlgorithm::Rsa { bits: None } | KeyAlgorithm::Ec(None) => return None,
            KeyAlgorithm::Rsa { bits: Some(b) } if *b < 2048 => {
                (FindingCode::RsaWeak, format!("RSA-{b} {what}"))
            }
            KeyAlgorithm::Rsa { bits: Some(b) } if *b < 3072 => {
                (FindingCode::Rsa2048, format!("RSA-{b} {what}"))
            }
            KeyAlgorithm::Rsa { bits: Some(b) } => {
                (FindingCode::RsaQuantumVulnerable, format!("RSA-{b} {what}"))
            }
            KeyAlgorithm::Ec(Some(c)) if c.bits < 224 => {
                (FindingCode::EccWeak, format!("EC {} {what}", c.name))
            }
            KeyAlgorithm::Ec(Some(c)) => (
                FindingCode::EccQuantumVulnerable,
                format!("EC {} {what}", c.name),
            ),
            KeyAlgorithm::Ed25519
            | KeyAlgorithm::Ed448
            | KeyAlgorithm::X25519
            | KeyAlgorithm::X448 => (
                FindingCode::EccQuantumVulnerable,
                format!("{} {what}", self.describe()),
            ),
            KeyAlgorithm::Dsa => (FindingCode::DsaWeak, format!("DSA {what}")),
            KeyAlgorithm::MlDsa(_) | KeyAlgorithm::MlKem(_) | KeyAlgorithm::SlhDsa => {
                (FindingCode::PqKey, format!("{} {what}", self.describe()))
            }
            KeyAlgorithm::Unknown(o) => (FindingCode::KeyUnknown, format!("{what} ({o})")),
        };
        Some(Finding::new(code, detail, evidence, location.clone()))
    }
}

fn edwards(name: &str, curve: &str, classical: u32, oid: &str, signature: bool) -> AlgorithmAsset {
    let primitive = if signature {
        Primitive::Signature
    } else {
        Primitive::KeyAgree
    };
    let mut a = AlgorithmAsset::named(name, primitive, 0);
    a.curve = Some(curve.to_owned());
    a.classical_bits = Some(classical);
    a.oid = Some(oid.to_owned());
    a
}

/// Bit length of a big-endian unsigned integer (leading zero bytes and bits ignored).
pub fn uint_bits(bytes: &[u8]) -> u32 {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => &[],
    };
    match trimmed.first() {
        Some(first) => u32::try_from(trimmed.len() * 8).unwrap_or(u32::MAX) - first.leading_zeros(),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::Named {
            name: "k".to_owned(),
        }
    }

    #[test]
    fn severities_follow_the_catalogue() {
        let code = |a: KeyAlgorithm| a.finding("public key", "", &loc()).map(|f| f.code);
        assert_eq!(
            code(KeyAlgorithm::Rsa { bits: Some(1024) }),
            Some(FindingCode::RsaWeak)
        );
        assert_eq!(
            code(KeyAlgorithm::Rsa { bits: Some(2048) }),
            Some(FindingCode::Rsa2048)
        );
        assert_eq!(
            code(KeyAlgorithm::Rsa { bits: Some(4096) }),
            Some(FindingCode::RsaQuantumVulnerable)
        );
        assert_eq!(
            code(KeyAlgorithm::Ec(curve_by_name("P-192"))),
            Some(FindingCode::EccWeak)
        );
        assert_eq!(
            code(KeyAlgorithm::Ec(curve_by_name("secp256r1"))),
            Some(FindingCode::EccQuantumVulnerable)
        );
        assert_eq!(code(KeyAlgorithm::MlDsa(65)), Some(FindingCode::PqKey));
        assert_eq!(code(KeyAlgorithm::Rsa { bits: None }), None);
        let rsa = KeyAlgorithm::Rsa { bits: Some(2048) }
            .finding("public key", "", &loc())
            .map(|f| f.title);
        assert_eq!(rsa.as_deref(), Some("RSA-2048 public key"));
    }

    #[test]
    fn oids() {
        assert_eq!(
            algorithm_by_oid("2.16.840.1.101.3.4.3.18"),
            KeyAlgorithm::MlDsa(65)
        );
        assert_eq!(
            algorithm_by_oid("2.16.840.1.101.3.4.3.25"),
            KeyAlgorithm::SlhDsa
        );
        assert_eq!(algorithm_by_oid("1.3.101.112"), KeyAlgorithm::Ed25519);
        assert_eq!(uint_bits(&[0x00, 0x80, 0, 0]), 24);
        assert_eq!(uint_bits(&[0x01, 0xff]), 9);
    }
}
