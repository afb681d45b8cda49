//! The one certificate / key classifier. Entry points take bytes plus a
//! [`ClassifyContext`] (where the bytes came from, the time to judge validity at, the
//! hostname a certificate should carry) and return findings and inventory assets,
//! whatever produced the bytes: a TLS handshake, a file, a Kubernetes Secret.
//!
//! - [`classify_certificate`]: one DER certificate.
//! - [`classify_material`]: anything in a text or binary blob — PEM certificates and
//!   keys (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, DSA, OpenSSH), OpenSSH public key
//!   lines (`authorized_keys`, `known_hosts`, `*.pub`), JWK / JWK Sets, DER
//!   certificates and keys, PKCS#12 bundles (reported, never opened).

pub mod algorithm;
mod cert;
pub mod key;
mod material;

use time::OffsetDateTime;

pub use algorithm::{Curve, KeyAlgorithm};
pub use cert::{
    CertRole, ClassifiedCertificate, EXPIRY_WARNING_DAYS, classify_certificate, fingerprint,
};
pub use material::{MATERIAL_LIMIT, classify_material, might_hold_material};

use super::{CryptoAsset, Finding, Location};

/// Where the bytes came from and how to judge them.
#[derive(Debug, Clone)]
pub struct ClassifyContext {
    /// Where findings point (for files, the line is filled in per item).
    pub location: Location,
    /// The time validity is judged at.
    pub now: OffsetDateTime,
    /// The hostname a leaf certificate should be valid for (sidecar hostname check).
    pub hostname: Option<String>,
    /// Where the bytes are kept, as a private-key finding says it: `in the repository`,
    /// `in a ConfigMap`.
    pub kept: &'static str,
}

impl ClassifyContext {
    /// Judged now, no hostname.
    pub fn new(location: Location) -> Self {
        ClassifyContext {
            location,
            now: OffsetDateTime::now_utc(),
            hostname: None,
            kept: "in the repository",
        }
    }

    /// The same context at another line.
    pub fn at_line(&self, line: u32) -> Self {
        ClassifyContext {
            location: self.location.at_line(line),
            now: self.now,
            hostname: self.hostname.clone(),
            kept: self.kept,
        }
    }
}

/// Findings and assets from one classification.
#[derive(Debug, Clone, Default)]
pub struct Classified {
    /// What is wrong (or notably right).
    pub findings: Vec<Finding>,
    /// What is there.
    pub assets: Vec<CryptoAsset>,
}

impl Classified {
    /// Append another result.
    pub fn extend(&mut self, other: Classified) {
        self.findings.extend(other.findings);
        self.assets.extend(other.assets);
    }
}
