//! Reading the fields the sidecar binds out of a parsed certificate.

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use super::CERTIFICATE_LIMIT;
use crate::encoding::check_size;
use crate::{Error, Result};

/// Accept PEM or DER; return DER.
pub(crate) fn to_der(input: &[u8]) -> Result<Vec<u8>> {
    check_size("certificate", input.len(), CERTIFICATE_LIMIT)?;
    let text_start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if input[text_start..].starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(&input[text_start..])
            .map_err(|e| Error::InvalidCertificate(format!("bad PEM: {e}")))?;
        if pem.label != "CERTIFICATE" {
            return Err(Error::InvalidCertificate(format!(
                "PEM block is `{}`, not CERTIFICATE",
                pem.label
            )));
        }
        Ok(pem.contents)
    } else {
        Ok(input.to_vec())
    }
}

pub(crate) fn parse(der: &[u8]) -> Result<X509Certificate<'_>> {
    let (rest, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| Error::InvalidCertificate(e.to_string()))?;
    if !rest.is_empty() {
        return Err(Error::InvalidCertificate(format!(
            "{} trailing bytes after the certificate",
            rest.len()
        )));
    }
    Ok(cert)
}

/// The subject common name (the binding's `hostname`).
pub(crate) fn common_name<'a>(cert: &'a X509Certificate<'_>) -> Result<&'a str> {
    cert.subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .ok_or_else(|| Error::InvalidCertificate("subject has no UTF-8 common name".into()))
}

/// All dNSName entries of the subjectAltName extension, in certificate order.
pub(crate) fn dns_names<'a>(cert: &'a X509Certificate<'_>) -> Result<Vec<&'a str>> {
    let san = cert
        .subject_alternative_name()
        .map_err(|e| Error::InvalidCertificate(format!("bad subjectAltName: {e}")))?;
    Ok(san
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DNSName(name) => Some(*name),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default())
}

/// The serial number's content bytes as encoded (big-endian; a leading 0x00 sign byte
/// is dropped by the hex encoding of the binding).
pub(crate) fn serial<'a>(cert: &X509Certificate<'a>) -> &'a [u8] {
    cert.raw_serial()
}

pub(crate) fn validity(cert: &X509Certificate<'_>) -> Result<(OffsetDateTime, OffsetDateTime)> {
    let v = cert.validity();
    let at = |t: i64| {
        OffsetDateTime::from_unix_timestamp(t)
            .map_err(|_| Error::InvalidCertificate("validity time out of range".into()))
    };
    Ok((at(v.not_before.timestamp())?, at(v.not_after.timestamp())?))
}
