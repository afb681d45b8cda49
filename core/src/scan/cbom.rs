//! CycloneDX 1.6 CBOM (Cryptography Bill of Materials). No Rust CycloneDX crate models
//! 1.6 `cryptoProperties` yet, so these are serde types for exactly the part of the
//! schema we write; the tests validate every document against the official schema.
//!
//! Components (`type: cryptographic-asset`) and their `bom-ref`s:
//! - `crypto/algorithm/<name>`: every algorithm seen (key, signature, key exchange,
//!   bulk cipher, hash);
//! - `crypto/certificate/<sha256>`: certificates;
//! - `crypto/key/<fingerprint>`: keys found in files and certificate public keys;
//! - `crypto/protocol/tls/<host:port>`: a TLS endpoint with its cipher suite.
//!
//! `dependencies` link protocol -> certificate, groups and suite algorithms;
//! certificate -> signature algorithm and public key; key -> algorithm.

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::asset::{AlgorithmAsset, CertificateAsset, KeyAsset, KeyKind, ProtocolAsset};
use super::{CryptoAsset, Location, ScanReport};

/// The document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
}

#[derive(Debug, Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
}

#[derive(Debug, Serialize)]
struct Tools {
    components: Vec<ToolComponent>,
}

#[derive(Debug, Serialize)]
struct ToolComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    name: String,
    #[serde(rename = "cryptoProperties")]
    crypto: CryptoProperties,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
}

#[derive(Debug, Clone, Serialize)]
struct Evidence {
    occurrences: Vec<Occurrence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Occurrence {
    location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct CryptoProperties {
    asset_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    algorithm_properties: Option<AlgorithmProperties>,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate_properties: Option<CertificateProperties>,
    #[serde(skip_serializing_if = "Option::is_none")]
    related_crypto_material_properties: Option<MaterialProperties>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocol_properties: Option<ProtocolProperties>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oid: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct AlgorithmProperties {
    primitive: super::asset::Primitive,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter_set_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    curve: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    classical_security_level: Option<u32>,
    nist_quantum_security_level: u8,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct CertificateProperties {
    subject_name: String,
    issuer_name: String,
    not_valid_before: String,
    not_valid_after: String,
    signature_algorithm_ref: String,
    subject_public_key_ref: String,
    certificate_format: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct MaterialProperties {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    algorithm_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u32>,
    format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secured_by: Option<SecuredBy>,
}

#[derive(Debug, Clone, Serialize)]
struct SecuredBy {
    mechanism: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProtocolProperties {
    #[serde(rename = "type")]
    kind: &'static str,
    version: String,
    cipher_suites: Vec<CipherSuite>,
    crypto_ref_array: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct CipherSuite {
    name: String,
    algorithms: Vec<String>,
    identifiers: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

/// Components and edges, de-duplicated by `bom-ref`.
#[derive(Default)]
struct Builder {
    components: BTreeMap<String, Component>,
    edges: BTreeMap<String, Vec<String>>,
}

fn occurrence(l: &Location) -> Occurrence {
    match l {
        Location::File { path, line } => Occurrence {
            location: path.clone(),
            line: *line,
        },
        other => Occurrence {
            location: other.display(),
            line: None,
        },
    }
}

impl Builder {
    fn add(&mut self, c: Component) {
        match self.components.get_mut(&c.bom_ref) {
            Some(existing) => {
                if let (Some(have), Some(new)) = (&mut existing.evidence, c.evidence) {
                    for o in new.occurrences {
                        if !have.occurrences.contains(&o) {
                            have.occurrences.push(o);
                        }
                    }
                }
            }
            None => {
                self.components.insert(c.bom_ref.clone(), c);
            }
        }
    }

    fn edge(&mut self, from: &str, to: &str) {
        let list = self.edges.entry(from.to_owned()).or_default();
        if !list.iter().any(|t| t == to) {
            list.push(to.to_owned());
        }
    }

    fn algorithm(&mut self, a: &AlgorithmAsset) -> String {
        let bom_ref = format!("crypto/algorithm/{}", a.name);
        self.add(Component {
            kind: "cryptographic-asset",
            bom_ref: bom_ref.clone(),
            name: a.name.clone(),
            crypto: CryptoProperties {
                asset_type: "algorithm",
                algorithm_properties: Some(AlgorithmProperties {
                    primitive: a.primitive,
                    parameter_set_identifier: a.parameter_set.clone(),
                    curve: a.curve.clone(),
                    classical_security_level: a.classical_bits,
                    nist_quantum_security_level: a.quantum_level,
                }),
                certificate_properties: None,
                related_crypto_material_properties: None,
                protocol_properties: None,
                oid: a.oid.clone(),
            },
            evidence: None,
        });
        bom_ref
    }

    fn key(&mut self, k: &KeyAsset) -> String {
        let bom_ref = format!("crypto/key/{}", k.fingerprint);
        let algorithm_ref = k.algorithm.as_ref().map(|a| self.algorithm(a));
        let name = match &k.algorithm {
            Some(a) => format!("{} {}", a.name, k.kind.label()),
            None => k.kind.label().to_owned(),
        };
        self.add(Component {
            kind: "cryptographic-asset",
            bom_ref: bom_ref.clone(),
            name,
            crypto: CryptoProperties {
                asset_type: "related-crypto-material",
                algorithm_properties: None,
                certificate_properties: None,
                related_crypto_material_properties: Some(MaterialProperties {
                    kind: match k.kind {
                        KeyKind::PrivateKey => "private-key",
                        KeyKind::PublicKey => "public-key",
                        KeyKind::SecretKey => "secret-key",
                    },
                    id: k.fingerprint.clone(),
                    algorithm_ref: algorithm_ref.clone(),
                    size: k.size,
                    format: k.format.clone(),
                    secured_by: k.encrypted.then_some(SecuredBy {
                        mechanism: "passphrase",
                    }),
                }),
                protocol_properties: None,
                oid: None,
            },
            evidence: Some(Evidence {
                occurrences: k.occurrences.iter().map(occurrence).collect(),
            }),
        });
        if let Some(a) = algorithm_ref {
            self.edge(&bom_ref, &a);
        }
        bom_ref
    }

    fn certificate(&mut self, c: &CertificateAsset) -> String {
        let bom_ref = format!("crypto/certificate/{}", c.fingerprint);
        let signature = self.algorithm(&c.signature_algorithm);
        let key = self.key(&c.public_key);
        self.add(Component {
            kind: "cryptographic-asset",
            bom_ref: bom_ref.clone(),
            name: if c.subject.is_empty() {
                c.fingerprint.clone()
            } else {
                c.subject.clone()
            },
            crypto: CryptoProperties {
                asset_type: "certificate",
                algorithm_properties: None,
                certificate_properties: Some(CertificateProperties {
                    subject_name: c.subject.clone(),
                    issuer_name: c.issuer.clone(),
                    not_valid_before: c.not_before.clone(),
                    not_valid_after: c.not_after.clone(),
                    signature_algorithm_ref: signature.clone(),
                    subject_public_key_ref: key.clone(),
                    certificate_format: "X.509",
                }),
                related_crypto_material_properties: None,
                protocol_properties: None,
                oid: None,
            },
            evidence: Some(Evidence {
                occurrences: c.occurrences.iter().map(occurrence).collect(),
            }),
        });
        self.edge(&bom_ref, &signature);
        self.edge(&bom_ref, &key);
        bom_ref
    }

    fn protocol(&mut self, p: &ProtocolAsset) -> String {
        let endpoint = p.endpoint.display();
        let bom_ref = format!("crypto/protocol/tls/{endpoint}");
        let mut refs = Vec::new();
        let suites: Vec<CipherSuite> = p
            .cipher_suites
            .iter()
            .map(|s| {
                let algorithms: Vec<String> =
                    s.algorithms.iter().map(|a| self.algorithm(a)).collect();
                refs.extend(algorithms.iter().cloned());
                CipherSuite {
                    name: s.name.clone(),
                    algorithms,
                    identifiers: vec![s.identifier.clone()],
                }
            })
            .collect();
        for g in &p.key_exchange {
            refs.push(self.algorithm(g));
        }
        if let Some(fp) = &p.certificate {
            let cert_ref = format!("crypto/certificate/{fp}");
            if self.components.contains_key(&cert_ref) {
                refs.push(cert_ref);
            }
        }
        refs.dedup();
        self.add(Component {
            kind: "cryptographic-asset",
            bom_ref: bom_ref.clone(),
            name: format!("TLS {} {endpoint}", p.version),
            crypto: CryptoProperties {
                asset_type: "protocol",
                algorithm_properties: None,
                certificate_properties: None,
                related_crypto_material_properties: None,
                protocol_properties: Some(ProtocolProperties {
                    kind: "tls",
                    version: p.version.clone(),
                    cipher_suites: suites,
                    crypto_ref_array: refs.clone(),
                }),
                oid: None,
            },
            evidence: Some(Evidence {
                occurrences: vec![occurrence(&p.endpoint)],
            }),
        });
        for r in refs {
            self.edge(&bom_ref, &r);
        }
        bom_ref
    }
}

fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // Fall back to the time: the serial only has to be unique per document.
        let nanos = OffsetDateTime::now_utc()
            .unix_timestamp_nanos()
            .to_be_bytes();
        b.copy_from_slice(&nanos);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The CBOM of every report's assets (certificates first so protocols can refer to them).
pub fn to_cbom(reports: &[ScanReport]) -> Bom {
    let mut b = Builder::default();
    let assets: Vec<&CryptoAsset> = reports.iter().flat_map(|r| r.assets.iter()).collect();
    for a in &assets {
        match a {
            CryptoAsset::Certificate(c) => {
                b.certificate(c);
            }
            CryptoAsset::Key(k) => {
                b.key(k);
            }
            CryptoAsset::Protocol(_) => {}
        }
    }
    for a in &assets {
        if let CryptoAsset::Protocol(p) = a {
            b.protocol(p);
        }
    }
    Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!("urn:uuid:{}", uuid_v4()),
        version: 1,
        metadata: Metadata {
            timestamp: OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .format(&Rfc3339)
                .unwrap_or_default(),
            tools: Tools {
                components: vec![ToolComponent {
                    kind: "application",
                    name: "postq",
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
        },
        dependencies: b
            .edges
            .iter()
            .map(|(from, to)| Dependency {
                reference: from.clone(),
                depends_on: to.clone(),
            })
            .collect(),
        components: b.components.into_values().collect(),
    }
}
