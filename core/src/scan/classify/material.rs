//! Finding key material in a blob of bytes (a file, a ConfigMap value) and classifying
//! each item. Text formats are located by their markers (PEM armour, OpenSSH key
//! lines, JWK `"kty"`) so that a 1 MiB file without any costs one `memchr` pass.

use der::Decode as _;
use der::asn1::{AnyRef, ObjectIdentifier};
use memchr::memmem;

use super::algorithm::KeyAlgorithm;
use super::cert::{CertRole, classify_certificate, fingerprint};
use super::{Classified, ClassifyContext, key};
use crate::scan::asset::{CryptoAsset, KeyAsset, KeyKind};
use crate::scan::{Finding, FindingCode};

/// Blobs larger than this are not classified (callers skip them earlier).
pub const MATERIAL_LIMIT: usize = 16 * 1024 * 1024;

/// How a key was found.
struct FoundKey {
    kind: KeyKind,
    algorithm: KeyAlgorithm,
    format: &'static str,
    encrypted: bool,
    fingerprint: String,
}

/// Classify everything recognisable in `bytes`. `file_name` (if any) lets binary
/// formats be recognised by extension (`.p12`, `.pfx`, `.der`, `.cer`, `.crt`, `.key`).
pub fn classify_material(
    bytes: &[u8],
    file_name: Option<&str>,
    ctx: &ClassifyContext,
) -> Classified {
    let mut out = Classified::default();
    if bytes.len() > MATERIAL_LIMIT {
        return out;
    }
    let binary = memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some();
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if binary || bytes.first() == Some(&0x30) {
        if classify_der(bytes, &ext, ctx, &mut out) {
            return out;
        }
        if binary {
            return out;
        }
    }
    if !might_hold_material(bytes) {
        return out;
    }
    let lines = LineIndex::new(bytes);
    pem_blocks(bytes, &lines, ctx, &mut out);
    openssh_public_keys(bytes, &lines, ctx, &mut out);
    jwks(bytes, &lines, ctx, &mut out);
    out
}

/// Most text holds no key material: three SIMD searches for the markers of the text
/// formats (PEM armour, OpenSSH key lines, JWK members) decide that.
pub fn might_hold_material(bytes: &[u8]) -> bool {
    [BEGIN, b" AAAA".as_slice(), b"\"kty\"".as_slice()]
        .iter()
        .any(|m| memmem::find(bytes, m).is_some())
}

/// Byte offset -> 1-based line number.
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(bytes: &[u8]) -> Self {
        LineIndex {
            newlines: memchr::memchr_iter(b'\n', bytes).collect(),
        }
    }

    fn line_of(&self, offset: usize) -> u32 {
        u32::try_from(self.newlines.partition_point(|&n| n < offset) + 1).unwrap_or(u32::MAX)
    }
}

fn push_key(found: FoundKey, ctx: &ClassifyContext, out: &mut Classified) {
    let what = found.kind.label();
    let alg = found.algorithm.describe();
    let evidence = format!(
        "{} {alg} {what}{}, {}",
        found.format,
        if found.encrypted { " (encrypted)" } else { "" },
        found.fingerprint
    );
    match (found.kind, found.encrypted) {
        (KeyKind::PrivateKey | KeyKind::SecretKey, false) => out.findings.push(Finding::new(
            FindingCode::PrivateKeyExposed,
            format!("{alg} {what} {}", ctx.kept),
            evidence.clone(),
            ctx.location.clone(),
        )),
        (KeyKind::PrivateKey | KeyKind::SecretKey, true) => out.findings.push(Finding::new(
            FindingCode::PrivateKeyEncrypted,
            format!("encrypted {alg} {what} {}", ctx.kept),
            evidence.clone(),
            ctx.location.clone(),
        )),
        (KeyKind::PublicKey, _) => {}
    }
    if found.kind != KeyKind::SecretKey
        && let Some(f) = found.algorithm.finding(what, &evidence, &ctx.location)
    {
        out.findings.push(f);
    }
    out.assets.push(CryptoAsset::Key(KeyAsset {
        kind: found.kind,
        fingerprint: found.fingerprint,
        algorithm: found.algorithm.asset(),
        size: found.algorithm.bits(),
        format: found.format.to_owned(),
        encrypted: found.encrypted,
        occurrences: vec![ctx.location.clone()],
    }));
}

fn push_certificate(der: &[u8], ctx: &ClassifyContext, out: &mut Classified) -> bool {
    match classify_certificate(der, CertRole::Leaf, ctx) {
        Ok(c) => {
            out.findings.extend(c.findings);
            out.assets.push(CryptoAsset::Certificate(c.asset));
            true
        }
        Err(_) => false,
    }
}

const BEGIN: &[u8] = b"-----BEGIN ";

fn pem_blocks(bytes: &[u8], lines: &LineIndex, ctx: &ClassifyContext, out: &mut Classified) {
    let mut from = 0;
    while let Some(pos) = memmem::find(&bytes[from..], BEGIN) {
        let start = from + pos;
        from = start + BEGIN.len();
        let Some(label_len) = memmem::find(&bytes[from..], b"-----") else {
            break;
        };
        let label = String::from_utf8_lossy(&bytes[from..from + label_len]).into_owned();
        if label.len() > 64 || label.contains('\n') {
            continue;
        }
        let end_marker = format!("-----END {label}-----");
        let Some(end_pos) = memmem::find(&bytes[from..], end_marker.as_bytes()) else {
            continue;
        };
        let end = from + end_pos + end_marker.len();
        let block = &bytes[start..end];
        from = end;
        let at = ctx.at_line(lines.line_of(start));
        pem_block(&label, block, &at, out);
    }
}

fn pem_block(label: &str, block: &[u8], ctx: &ClassifyContext, out: &mut Classified) {
    // Armoured PGP keys are not PEM; their presence is the finding.
    if label == "PGP PRIVATE KEY BLOCK" {
        push_key(
            FoundKey {
                kind: KeyKind::PrivateKey,
                algorithm: KeyAlgorithm::Unknown("OpenPGP".to_owned()),
                format: "OpenPGP armour",
                encrypted: false,
                fingerprint: fingerprint(block),
            },
            ctx,
            out,
        );
        return;
    }
    if label == "OPENSSH PRIVATE KEY" {
        if let Ok(k) = ssh_key::PrivateKey::from_openssh(block) {
            push_key(
                FoundKey {
                    kind: KeyKind::PrivateKey,
                    algorithm: key::from_ssh(k.public_key().key_data()),
                    format: "OpenSSH",
                    encrypted: k.is_encrypted(),
                    fingerprint: k
                        .public_key()
                        .fingerprint(ssh_key::HashAlg::Sha256)
                        .to_string(),
                },
                ctx,
                out,
            );
        }
        return;
    }
    let Ok(pem) = pem::parse(block) else {
        return;
    };
    let der = pem.contents();
    let legacy_encrypted = pem
        .headers()
        .get("Proc-Type")
        .is_some_and(|v| v.contains("ENCRYPTED"));
    let fp = fingerprint(der);
    let private = |algorithm: Option<KeyAlgorithm>, format: &'static str, encrypted: bool| {
        algorithm.map(|algorithm| FoundKey {
            kind: KeyKind::PrivateKey,
            algorithm,
            format,
            encrypted,
            fingerprint: fp.clone(),
        })
    };
    let found = match label {
        "CERTIFICATE" | "X509 CERTIFICATE" => {
            push_certificate(der, ctx, out);
            None
        }
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            use x509_parser::prelude::FromDer as _;
            x509_parser::certification_request::X509CertificationRequest::from_der(der)
                .ok()
                .map(|(_, csr)| FoundKey {
                    kind: KeyKind::PublicKey,
                    algorithm: key::from_spki(&csr.certification_request_info.subject_pki),
                    format: "PEM (PKCS#10 request)",
                    encrypted: false,
                    fingerprint: fp.clone(),
                })
        }
        "PRIVATE KEY" => private(key::from_pkcs8_der(der), "PEM (PKCS#8)", false),
        "ENCRYPTED PRIVATE KEY" => private(
            Some(KeyAlgorithm::Unknown("hidden by encryption".to_owned())),
            "PEM (encrypted PKCS#8)",
            true,
        ),
        "RSA PRIVATE KEY" if legacy_encrypted => {
            private(Some(KeyAlgorithm::Rsa { bits: None }), "PEM (PKCS#1)", true)
        }
        "RSA PRIVATE KEY" => private(key::from_pkcs1_private_der(der), "PEM (PKCS#1)", false),
        "EC PRIVATE KEY" if legacy_encrypted => {
            private(Some(KeyAlgorithm::Ec(None)), "PEM (SEC1)", true)
        }
        "EC PRIVATE KEY" => private(key::from_sec1_der(der), "PEM (SEC1)", false),
        "DSA PRIVATE KEY" => private(Some(KeyAlgorithm::Dsa), "PEM (DSA)", legacy_encrypted),
        "PUBLIC KEY" => key::from_spki_der(der).map(|algorithm| FoundKey {
            kind: KeyKind::PublicKey,
            algorithm,
            format: "PEM (SubjectPublicKeyInfo)",
            encrypted: false,
            fingerprint: fp.clone(),
        }),
        "RSA PUBLIC KEY" => key::from_pkcs1_public_der(der).map(|algorithm| FoundKey {
            kind: KeyKind::PublicKey,
            algorithm,
            format: "PEM (PKCS#1)",
            encrypted: false,
            fingerprint: fp.clone(),
        }),
        _ => None,
    };
    if let Some(found) = found {
        push_key(found, ctx, out);
    }
}

/// Algorithm names that start an OpenSSH public key (after any options or host list).
const SSH_KEY_TYPES: &[&str] = &[
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

fn openssh_public_keys(
    bytes: &[u8],
    lines: &LineIndex,
    ctx: &ClassifyContext,
    out: &mut Classified,
) {
    let mut last_line = 0;
    for pos in memmem::find_iter(bytes, b" AAAA") {
        let line_start = memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let line_no = lines.line_of(pos);
        if line_no == last_line {
            continue;
        }
        let Ok(line) = std::str::from_utf8(&bytes[line_start..line_end]) else {
            continue;
        };
        let token_start = line[..pos - line_start]
            .rfind(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .map_or(0, |i| i + 1);
        let token = &line[token_start..pos - line_start];
        if !SSH_KEY_TYPES.contains(&token) {
            continue;
        }
        let candidate = line[token_start..].trim_end_matches(['\r', '"', '\'', ',']);
        let Ok(public) = ssh_key::PublicKey::from_openssh(candidate) else {
            continue;
        };
        last_line = line_no;
        push_key(
            FoundKey {
                kind: KeyKind::PublicKey,
                algorithm: key::from_ssh(public.key_data()),
                format: "OpenSSH",
                encrypted: false,
                fingerprint: public.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
            },
            &ctx.at_line(line_no),
            out,
        );
    }
}

fn jwks(bytes: &[u8], lines: &LineIndex, ctx: &ClassifyContext, out: &mut Classified) {
    let kty_offsets: Vec<usize> = memmem::find_iter(bytes, b"\"kty\"").collect();
    if kty_offsets.is_empty() {
        return;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    let keys: Vec<&serde_json::Map<String, serde_json::Value>> = match &value {
        serde_json::Value::Object(o) if o.contains_key("kty") => vec![o],
        serde_json::Value::Object(o) => o
            .get("keys")
            .and_then(|k| k.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_object()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    for (i, jwk) in keys.into_iter().enumerate() {
        let line = kty_offsets.get(i).map_or(1, |o| lines.line_of(*o));
        let has = |m: &str| jwk.contains_key(m);
        let kty = jwk.get("kty").and_then(|v| v.as_str()).unwrap_or_default();
        let (kind, algorithm) = if kty == "oct" {
            if !has("k") {
                continue;
            }
            (
                KeyKind::SecretKey,
                KeyAlgorithm::Unknown("symmetric (oct)".to_owned()),
            )
        } else {
            let private = has("d") || has("priv");
            let kind = if private {
                KeyKind::PrivateKey
            } else {
                KeyKind::PublicKey
            };
            (kind, key::from_jwk(jwk))
        };
        // Fingerprint the canonical public members only, never `d`/`priv`/`k`.
        let public: serde_json::Map<String, serde_json::Value> = jwk
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "d" | "p" | "q" | "dp" | "dq" | "qi" | "priv" | "k" | "oth"
                )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let fp_source = if kind == KeyKind::SecretKey {
            jwk.get("k").map(|v| v.to_string()).unwrap_or_default()
        } else {
            serde_json::Value::Object(public).to_string()
        };
        push_key(
            FoundKey {
                kind,
                algorithm,
                format: "JWK",
                encrypted: false,
                fingerprint: fingerprint(fp_source.as_bytes()),
            },
            &ctx.at_line(line),
            out,
        );
    }
}

/// PKCS#12 `PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData … }`.
#[derive(der::Sequence)]
struct Pfx<'a> {
    version: u8,
    auth_safe: ContentInfo<'a>,
    mac_data: Option<AnyRef<'a>>,
}

#[derive(der::Sequence)]
struct ContentInfo<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    content: Option<AnyRef<'a>>,
}

const PKCS7_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const PKCS7_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

fn is_pkcs12(bytes: &[u8]) -> bool {
    Pfx::from_der(bytes).is_ok_and(|p| {
        p.version == 3
            && (p.auth_safe.content_type == PKCS7_DATA
                || p.auth_safe.content_type == PKCS7_SIGNED_DATA)
    })
}

/// DER certificates, DER private keys and PKCS#12 bundles. True when recognised.
fn classify_der(bytes: &[u8], ext: &str, ctx: &ClassifyContext, out: &mut Classified) -> bool {
    if matches!(ext, "p12" | "pfx") || is_pkcs12(bytes) {
        out.findings.push(Finding::new(
            FindingCode::Pkcs12Bundle,
            format!("PKCS#12 bundle {}", ctx.kept),
            format!("PKCS#12 ({} bytes), {}", bytes.len(), fingerprint(bytes)),
            ctx.location.clone(),
        ));
        out.assets.push(CryptoAsset::Key(KeyAsset {
            kind: KeyKind::PrivateKey,
            fingerprint: fingerprint(bytes),
            algorithm: None,
            size: None,
            format: "PKCS#12".to_owned(),
            encrypted: true,
            occurrences: vec![ctx.location.clone()],
        }));
        return true;
    }
    if x509_parser::parse_x509_certificate(bytes).is_ok_and(|(rest, _)| rest.is_empty()) {
        return push_certificate(bytes, ctx, out);
    }
    if let Some(algorithm) = key::from_pkcs8_der(bytes) {
        push_key(
            FoundKey {
                kind: KeyKind::PrivateKey,
                algorithm,
                format: "DER (PKCS#8)",
                encrypted: false,
                fingerprint: fingerprint(bytes),
            },
            ctx,
            out,
        );
        return true;
    }
    false
}
