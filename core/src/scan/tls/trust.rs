//! Judging the chain a server sent: does it lead to a trusted root (the system's, plus
//! any `--ca-file`), and does the leaf name the host. webpki does the work.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;

/// Trust anchors for one scan run.
pub struct TrustStore {
    roots: Arc<RootCertStore>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl TrustStore {
    /// The system's roots (if they can be read) plus `extra` DER certificates.
    pub fn new(extra: &[Vec<u8>]) -> TrustStore {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        roots.add_parsable_certificates(extra.iter().map(|d| CertificateDer::from(d.clone())));
        TrustStore {
            roots: Arc::new(roots),
            algorithms: rustls::crypto::aws_lc_rs::default_provider()
                .signature_verification_algorithms,
        }
    }

    /// `Ok` when the chain leads to a trust anchor, judged at `at` (the middle of the
    /// leaf's validity, so an expired certificate is reported as expired and not as
    /// untrusted). `Err` carries webpki's reason.
    pub fn verify_chain(
        &self,
        chain: &[CertificateDer<'static>],
        at: UnixTime,
    ) -> Result<(), String> {
        let Some((leaf, intermediates)) = chain.split_first() else {
            return Err("no certificate".into());
        };
        let parsed = ParsedCertificate::try_from(leaf).map_err(|e| e.to_string())?;
        verify_server_cert_signed_by_trust_anchor(
            &parsed,
            &self.roots,
            intermediates,
            at,
            self.algorithms.all,
        )
        .map_err(|e| e.to_string())
    }

    /// Does the leaf carry `name` (DNS name or IP address)?
    pub fn matches_name(
        leaf: &CertificateDer<'static>,
        name: &ServerName<'_>,
    ) -> Result<(), String> {
        let parsed = ParsedCertificate::try_from(leaf).map_err(|e| e.to_string())?;
        verify_server_name(&parsed, name).map_err(|e| e.to_string())
    }
}
