//! Offline verification of a hybrid certificate's sidecar. Every check runs; the report
//! says which passed and names the first that failed.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::Oid;

use super::binding::{Binding, BindingInputs};
use super::certificate;
use super::ecdsa;
use super::extension::{SIDECAR_OID_ARCS, SidecarExtension};
use super::hostname::normalize_hostname;
use crate::Result;
use crate::encoding::b64;

/// The checks of `docs/formats.md` §4, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SidecarCheck {
    /// Exactly one well-formed, non-critical 1.3.9999.42.1 extension.
    ExtensionPresent,
    /// The re-derived binding equals the embedded bytes.
    BindingMatches,
    /// `classicalPub` is the certificate's SPKI.
    ClassicalKeyMatches,
    /// `pqPub` is the extension's ML-DSA key.
    PqKeyMatches,
    /// ML-DSA-65 verifies the sidecar signature.
    PqSignatureOk,
    /// The certificate's ECDSA P-256 self-signature verifies.
    ClassicalSignatureOk,
    /// The certificate is within its validity window.
    ValidityOk,
    /// The requested hostname is bound.
    HostnameOk,
}

impl SidecarCheck {
    /// The stable name (`binding_matches`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SidecarCheck::ExtensionPresent => "extension_present",
            SidecarCheck::BindingMatches => "binding_matches",
            SidecarCheck::ClassicalKeyMatches => "classical_key_matches",
            SidecarCheck::PqKeyMatches => "pq_key_matches",
            SidecarCheck::PqSignatureOk => "pq_signature_ok",
            SidecarCheck::ClassicalSignatureOk => "classical_signature_ok",
            SidecarCheck::ValidityOk => "validity_ok",
            SidecarCheck::HostnameOk => "hostname_ok",
        }
    }
}

/// The result of every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_excessive_bools)] // one flag per documented check
pub struct SidecarChecks {
    /// See [`SidecarCheck::ExtensionPresent`].
    pub extension_present: bool,
    /// See [`SidecarCheck::BindingMatches`].
    pub binding_matches: bool,
    /// See [`SidecarCheck::ClassicalKeyMatches`].
    pub classical_key_matches: bool,
    /// See [`SidecarCheck::PqKeyMatches`].
    pub pq_key_matches: bool,
    /// See [`SidecarCheck::PqSignatureOk`].
    pub pq_signature_ok: bool,
    /// See [`SidecarCheck::ClassicalSignatureOk`].
    pub classical_signature_ok: bool,
    /// See [`SidecarCheck::ValidityOk`].
    pub validity_ok: bool,
    /// See [`SidecarCheck::HostnameOk`] (true when no hostname was asked for).
    pub hostname_ok: bool,
}

impl SidecarChecks {
    fn in_order(&self) -> [(SidecarCheck, bool); 8] {
        [
            (SidecarCheck::ExtensionPresent, self.extension_present),
            (SidecarCheck::BindingMatches, self.binding_matches),
            (
                SidecarCheck::ClassicalKeyMatches,
                self.classical_key_matches,
            ),
            (SidecarCheck::PqKeyMatches, self.pq_key_matches),
            (SidecarCheck::PqSignatureOk, self.pq_signature_ok),
            (
                SidecarCheck::ClassicalSignatureOk,
                self.classical_signature_ok,
            ),
            (SidecarCheck::ValidityOk, self.validity_ok),
            (SidecarCheck::HostnameOk, self.hostname_ok),
        ]
    }
}

/// What to check besides the binding itself.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Require this hostname to be bound (CN or SAN).
    pub hostname: Option<String>,
    /// Judge validity at this time instead of now.
    pub at: Option<OffsetDateTime>,
}

impl VerifyOptions {
    /// Options with the validity time given as RFC 3339 text (as bindings receive it).
    pub fn with_rfc3339(hostname: Option<String>, at: Option<&str>) -> crate::Result<Self> {
        let at = at
            .map(|t| {
                OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| crate::Error::input("validity time", e.to_string()))
            })
            .transpose()?;
        Ok(VerifyOptions { hostname, at })
    }
}

/// The verification report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SidecarReport {
    /// Every check passed.
    pub ok: bool,
    /// The first failed check, in documented order.
    pub failure: Option<SidecarCheck>,
    /// Each check's outcome.
    pub checks: SidecarChecks,
    /// The binding embedded in the extension, when it parsed.
    pub binding: Option<Binding>,
}

/// Verify a certificate (PEM or DER). `Err` only when it is not a certificate at all.
pub fn verify_certificate(input: &[u8], options: &VerifyOptions) -> Result<SidecarReport> {
    let der = certificate::to_der(input)?;
    let cert = certificate::parse(&der)?;
    let mut checks = SidecarChecks::default();

    let extension = find_extension(&cert);
    checks.extension_present = extension.is_some();
    let embedded = extension
        .as_ref()
        .and_then(|e| Binding::parse(&e.binding_bytes).ok());
    let spki = cert.public_key().raw;

    if let Some(ext) = &extension {
        let rederived = rederive_binding(&cert, &ext.pq_public_key);
        checks.binding_matches = rederived.is_some_and(|b| b.to_bytes() == ext.binding_bytes);
        if let Some(binding) = &embedded {
            checks.classical_key_matches = binding.classical_pub == b64(spki);
            checks.pq_key_matches = binding.pq_pub == b64(&ext.pq_public_key);
        }
        checks.pq_signature_ok = verify_mldsa(ext);
    }
    checks.classical_signature_ok = verify_self_signature(&cert);
    checks.validity_ok = match certificate::validity(&cert) {
        Ok((nb, na)) => {
            let now = options.at.unwrap_or_else(OffsetDateTime::now_utc);
            nb < na && nb <= now && now <= na
        }
        Err(_) => false,
    };
    checks.hostname_ok = match &options.hostname {
        None => true,
        Some(wanted) => match (normalize_hostname(wanted), &embedded) {
            (Ok(wanted), Some(b)) => b.hostname == wanted || b.alt_names.contains(&wanted),
            _ => false,
        },
    };

    let failure = checks
        .in_order()
        .into_iter()
        .find(|(_, ok)| !ok)
        .map(|(c, _)| c);
    Ok(SidecarReport {
        ok: failure.is_none(),
        failure,
        checks,
        binding: embedded,
    })
}

/// Exactly one, non-critical, well-formed sidecar extension.
fn find_extension(cert: &X509Certificate<'_>) -> Option<SidecarExtension> {
    let oid = Oid::from(&SIDECAR_OID_ARCS[..]).ok()?;
    let mut matching = cert.extensions().iter().filter(|e| e.oid == oid);
    let ext = matching.next()?;
    if matching.next().is_some() || ext.critical {
        return None;
    }
    SidecarExtension::from_der(ext.value).ok()
}

/// The binding as it should be for this certificate and ML-DSA key.
fn rederive_binding(cert: &X509Certificate<'_>, pq_public_key: &[u8]) -> Option<Binding> {
    let (not_before, not_after) = certificate::validity(cert).ok()?;
    Binding::from_inputs(&BindingInputs {
        hostname: certificate::common_name(cert).ok()?,
        alt_names: certificate::dns_names(cert).ok()?,
        serial: certificate::serial(cert),
        not_before,
        not_after,
        spki_der: cert.public_key().raw,
        pq_public_key,
    })
    .ok()
}

/// Pure ML-DSA-65, empty context, over the binding bytes.
fn verify_mldsa(ext: &SidecarExtension) -> bool {
    crate::hybrid::mldsa65::verify_bytes(
        &ext.pq_public_key,
        &ext.binding_bytes,
        &[],
        &ext.pq_signature,
    )
}

/// The leaf's own ECDSA-P256-SHA256 signature under its own key.
fn verify_self_signature(cert: &X509Certificate<'_>) -> bool {
    const ECDSA_WITH_SHA256: [u64; 7] = [1, 2, 840, 10045, 4, 3, 2];
    let Ok(alg) = Oid::from(&ECDSA_WITH_SHA256[..]) else {
        return false;
    };
    if cert.signature_algorithm.algorithm != alg {
        return false;
    }
    ecdsa::verify_p256_sha256(
        cert.public_key().raw,
        cert.tbs_certificate.as_ref(),
        &cert.signature_value.data,
    )
}
