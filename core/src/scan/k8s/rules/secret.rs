//! `kubernetes.io/tls` Secrets: the leaf certificate and its chain through the one
//! certificate classifier, the key's algorithm for the inventory, and whether `tls.key`
//! is the key of `tls.crt`'s leaf (aws-lc-rs derives the public key, through rustls).

use rustls::pki_types::PrivateKeyDer;
use rustls::pki_types::pem::PemObject as _;
use x509_parser::prelude::FromDer as _;

use super::{context, data_entries};
use crate::scan::classify::{CertRole, classify_certificate, classify_material, fingerprint, key};
use crate::scan::k8s::{K8sScanner, Object, SecretFacts};
use crate::scan::{CryptoAsset, Finding, FindingCode};

const KEPT: &str = "in a TLS Secret";

pub(in crate::scan::k8s) fn scan(scanner: &mut K8sScanner, object: &Object) -> bool {
    if object.str_at("type") != Some("kubernetes.io/tls") {
        return false;
    }
    let entries = data_entries(object, &["data"], &["stringData"]);
    let value = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let mut facts = SecretFacts::default();

    let crt = value("tls.crt");
    let certs = match &crt {
        Some(Ok(bytes)) => certificates(bytes),
        _ => Vec::new(),
    };
    match certs.split_first() {
        Some((leaf, chain)) => {
            let ctx = context(scanner, object, "tls.crt", KEPT);
            if let Ok(c) = classify_certificate(leaf, CertRole::Leaf, &ctx) {
                facts.leaf = x509_parser::certificate::X509Certificate::from_der(leaf)
                    .ok()
                    .map(|(_, cert)| (key::from_spki(cert.public_key()), c.asset.subject.clone()));
                for f in c.findings {
                    facts.findings.push(scanner.push(f));
                }
                scanner.assets.push(CryptoAsset::Certificate(c.asset));
            }
            for der in chain {
                if let Ok(c) = classify_certificate(der, CertRole::Chain, &ctx) {
                    scanner.findings.extend(c.findings);
                    scanner.assets.push(CryptoAsset::Certificate(c.asset));
                }
            }
        }
        None => {
            let why = match &crt {
                None => "tls.crt is missing".to_owned(),
                Some(Err(e)) => e.clone(),
                Some(Ok(_)) => "tls.crt holds no certificate".to_owned(),
            };
            scanner.push(unreadable(object, "tls.crt", why));
        }
    }
    if let Some(Ok(bytes)) = value("ca.crt") {
        let ctx = context(scanner, object, "ca.crt", KEPT);
        for der in certificates(&bytes) {
            if let Ok(c) = classify_certificate(&der, CertRole::Chain, &ctx) {
                scanner.findings.extend(c.findings);
                scanner.assets.push(CryptoAsset::Certificate(c.asset));
            }
        }
    }

    match value("tls.key") {
        Some(Ok(bytes)) => {
            // The key's algorithm is its certificate's: the certificate's findings stand
            // for both, and a private key is where it belongs. Only the inventory entry.
            let ctx = context(scanner, object, "tls.key", KEPT);
            let found = classify_material(&bytes, None, &ctx);
            let readable = !found.assets.is_empty();
            scanner.assets.extend(found.assets);
            if !readable {
                scanner.push(unreadable(
                    object,
                    "tls.key",
                    "tls.key holds no private key".into(),
                ));
            } else if let Some(leaf) = certs.first()
                && let Some(f) = mismatch(object, leaf, &bytes)
            {
                facts.findings.push(scanner.push(f));
            }
        }
        Some(Err(why)) => {
            scanner.push(unreadable(object, "tls.key", why));
        }
        None => {
            scanner.push(unreadable(object, "tls.key", "tls.key is missing".into()));
        }
    }
    if let Some(ns) = &object.namespace {
        scanner
            .secrets
            .insert((ns.clone(), object.name.clone()), facts);
    }
    true
}

/// Every certificate in PEM text (or the bytes themselves when they are one DER
/// certificate).
fn certificates(bytes: &[u8]) -> Vec<Vec<u8>> {
    let pems: Vec<Vec<u8>> = pem::parse_many(bytes)
        .map(|blocks| {
            blocks
                .into_iter()
                .filter(|p| matches!(p.tag(), "CERTIFICATE" | "X509 CERTIFICATE"))
                .map(pem::Pem::into_contents)
                .collect()
        })
        .unwrap_or_default();
    if pems.is_empty() && x509_parser::parse_x509_certificate(bytes).is_ok() {
        return vec![bytes.to_vec()];
    }
    pems
}

fn unreadable(object: &Object, field: &str, why: String) -> Finding {
    Finding::new(
        FindingCode::K8sTlsSecretUnreadable,
        format!("TLS Secret {} cannot be read: {why}", object.display()),
        why,
        object.location(Some(field)),
    )
}

/// `K8S-TLS-KEY-MISMATCH` when the key's public half is not the leaf's. Keys rustls
/// cannot load (DSA, encrypted, unusual curves) are not judged.
fn mismatch(object: &Object, leaf: &[u8], key_pem: &[u8]) -> Option<Finding> {
    let der = PrivateKeyDer::from_pem_slice(key_pem).ok()?;
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let signing = provider.key_provider.load_private_key(der).ok()?;
    let spki = signing.public_key()?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf).ok()?;
    if cert.public_key().raw == spki.as_ref() {
        return None;
    }
    Some(Finding::new(
        FindingCode::K8sTlsKeyMismatch,
        format!(
            "TLS Secret {}: tls.key does not match tls.crt",
            object.display()
        ),
        format!(
            "certificate {} key {}; tls.key's public key {}",
            cert.subject(),
            fingerprint(cert.public_key().raw),
            fingerprint(spki.as_ref())
        ),
        object.location(Some("tls.key")),
    ))
}
