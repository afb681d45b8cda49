//! One X.509 certificate -> asset + findings: key algorithm and size, signature hash,
//! validity, and the hybrid sidecar (verified with [`crate::sidecar::verify_certificate`],
//! the routine behind `postq cert verify`).

use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::Oid;

use super::algorithm::KeyAlgorithm;
use super::{ClassifyContext, key};
use crate::scan::asset::{AlgorithmAsset, CertificateAsset, KeyAsset, KeyKind, Primitive};
use crate::scan::{Finding, FindingCode};
use crate::sidecar::{SIDECAR_OID_ARCS, VerifyOptions, verify_certificate};
use crate::{Error, Result};

/// Days before expiry from which `CERT-EXPIRES-SOON` is reported.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Which checks apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertRole {
    /// The leaf a server presented, or a certificate on its own (a file, a Secret):
    /// every check.
    Leaf,
    /// A chain certificate above the leaf: key and signature hash only (a root's
    /// self-signature is never checked by clients, so it is skipped).
    Chain,
}

/// A classified certificate.
#[derive(Debug, Clone)]
pub struct ClassifiedCertificate {
    /// The inventory entry.
    pub asset: CertificateAsset,
    /// What is wrong (or notably right) with it.
    pub findings: Vec<Finding>,
    /// Subject and issuer are the same name.
    pub self_issued: bool,
}

/// The signature algorithm by OID: (name, hash is broken, asset).
fn signature_algorithm(oid: &str) -> (String, bool, AlgorithmAsset) {
    let (name, weak, level) = match oid {
        "1.2.840.113549.1.1.2" => ("MD2withRSA", true, 0),
        "1.2.840.113549.1.1.4" => ("MD5withRSA", true, 0),
        "1.2.840.113549.1.1.5" => ("SHA1withRSA", true, 0),
        "1.2.840.10045.4.1" => ("SHA1withECDSA", true, 0),
        "1.2.840.10040.4.3" => ("SHA1withDSA", true, 0),
        "1.2.840.113549.1.1.11" => ("SHA256withRSA", false, 0),
        "1.2.840.113549.1.1.12" => ("SHA384withRSA", false, 0),
        "1.2.840.113549.1.1.13" => ("SHA512withRSA", false, 0),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", false, 0),
        "1.2.840.10045.4.3.2" => ("SHA256withECDSA", false, 0),
        "1.2.840.10045.4.3.3" => ("SHA384withECDSA", false, 0),
        "1.2.840.10045.4.3.4" => ("SHA512withECDSA", false, 0),
        "1.3.101.112" => ("Ed25519", false, 0),
        "1.3.101.113" => ("Ed448", false, 0),
        "2.16.840.1.101.3.4.3.17" => ("ML-DSA-44", false, 2),
        "2.16.840.1.101.3.4.3.18" => ("ML-DSA-65", false, 3),
        "2.16.840.1.101.3.4.3.19" => ("ML-DSA-87", false, 5),
        other => (other, false, 0),
    };
    let mut asset = AlgorithmAsset::named(name, Primitive::Signature, level);
    asset.oid = Some(oid.to_owned());
    (name.to_owned(), weak, asset)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn has_sidecar(cert: &X509Certificate<'_>) -> bool {
    let Ok(oid) = Oid::from(&SIDECAR_OID_ARCS) else {
        return false;
    };
    cert.extensions().iter().any(|e| e.oid == oid)
}

/// `sha256:<hex>` of some bytes.
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Classify one certificate (DER).
pub fn classify_certificate(
    der: &[u8],
    role: CertRole,
    ctx: &ClassifyContext,
) -> Result<ClassifiedCertificate> {
    let (rest, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| Error::InvalidCertificate(e.to_string()))?;
    if !rest.is_empty() {
        return Err(Error::InvalidCertificate("trailing bytes".into()));
    }
    let fp = fingerprint(der);
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();
    let validity = cert.validity();
    let not_before = OffsetDateTime::from_unix_timestamp(validity.not_before.timestamp())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let not_after = OffsetDateTime::from_unix_timestamp(validity.not_after.timestamp())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let short = if subject.is_empty() {
        fp.clone()
    } else {
        subject.clone()
    };
    let evidence = |extra: String| format!("certificate {short} ({fp}){extra}");
    let mut findings = Vec::new();

    let algorithm = key::from_spki(cert.public_key());
    if let Some(f) = algorithm.finding("public key", &evidence(String::new()), &ctx.location) {
        findings.push(f);
    }

    let (sig_name, weak_hash, sig_asset) =
        signature_algorithm(&cert.signature_algorithm.algorithm.to_id_string());
    if weak_hash && !(role == CertRole::Chain && self_issued) {
        findings.push(Finding::new(
            FindingCode::CertWeakSignature,
            format!("certificate signed with {sig_name}"),
            evidence(String::new()),
            ctx.location.clone(),
        ));
    }

    let mut hybrid = false;
    if role == CertRole::Leaf {
        let days_left = (not_after - ctx.now).whole_days();
        let window = format!(", valid {} .. {}", rfc3339(not_before), rfc3339(not_after));
        if ctx.now > not_after {
            findings.push(Finding::new(
                FindingCode::CertExpired,
                format!("certificate expired {} days ago", -days_left),
                evidence(window),
                ctx.location.clone(),
            ));
        } else if ctx.now < not_before {
            findings.push(Finding::new(
                FindingCode::CertNotYetValid,
                "",
                evidence(window),
                ctx.location.clone(),
            ));
        } else if days_left < EXPIRY_WARNING_DAYS {
            findings.push(Finding::new(
                FindingCode::CertExpiresSoon,
                format!("certificate expires in {days_left} days"),
                evidence(window),
                ctx.location.clone(),
            ));
        }
        if has_sidecar(&cert) {
            hybrid = true;
            findings.push(sidecar_finding(der, ctx, &evidence(String::new())));
        }
    }

    let spki = cert.public_key().raw;
    let asset = CertificateAsset {
        fingerprint: fp.clone(),
        subject,
        issuer,
        not_before: rfc3339(not_before),
        not_after: rfc3339(not_after),
        signature_algorithm: sig_asset,
        public_key: public_key_asset(&algorithm, spki, ctx),
        hybrid_sidecar: hybrid,
        occurrences: vec![ctx.location.clone()],
    };
    Ok(ClassifiedCertificate {
        asset,
        findings,
        self_issued,
    })
}

fn public_key_asset(algorithm: &KeyAlgorithm, spki: &[u8], ctx: &ClassifyContext) -> KeyAsset {
    KeyAsset {
        kind: KeyKind::PublicKey,
        fingerprint: fingerprint(spki),
        algorithm: algorithm.asset(),
        size: algorithm.bits(),
        format: "X.509 SubjectPublicKeyInfo".to_owned(),
        encrypted: false,
        occurrences: vec![ctx.location.clone()],
    }
}

/// Verify the 1.3.9999.42.1 sidecar: `CERT-HYBRID-BOUND` or `CERT-HYBRID-INVALID`.
fn sidecar_finding(der: &[u8], ctx: &ClassifyContext, evidence: &str) -> Finding {
    let options = VerifyOptions {
        hostname: ctx.hostname.clone(),
        at: Some(ctx.now),
    };
    match verify_certificate(der, &options) {
        Ok(report) if report.ok => Finding::new(
            FindingCode::CertHybridBound,
            "",
            format!("{evidence}; every sidecar check passed"),
            ctx.location.clone(),
        ),
        Ok(report) => {
            let failed = report.failure.map(|c| c.as_str()).unwrap_or("unknown");
            Finding::new(
                FindingCode::CertHybridInvalid,
                format!("hybrid sidecar does not verify ({failed} failed)"),
                format!("{evidence}; first failed check: {failed}"),
                ctx.location.clone(),
            )
        }
        Err(e) => Finding::new(
            FindingCode::CertHybridInvalid,
            "hybrid sidecar does not verify (unreadable)",
            format!("{evidence}; {e}"),
            ctx.location.clone(),
        ),
    }
}
