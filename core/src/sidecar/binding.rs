//! The canonical binding: compact JSON, fields in the reference's order
//! (v, alg, hostname, altNames, serial, notBefore, notAfter, classicalPub, pqPub).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::hostname::normalize_hostname;
use crate::encoding::{b64, check_size};
use crate::{Error, Result};

/// Binding bytes are refused above this size.
pub const BINDING_LIMIT: usize = 8 * 1024;
/// The sidecar signature algorithm named in the binding.
pub const BINDING_ALG: &str = "ML-DSA-65";

/// The binding object. Field order here is the wire order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Binding {
    /// Format version, `1`.
    pub v: u32,
    /// `ML-DSA-65`.
    pub alg: String,
    /// The subject CN, normalised.
    pub hostname: String,
    /// The SAN dNSNames, normalised, de-duplicated, sorted.
    pub alt_names: Vec<String>,
    /// Serial number, lowercase hex, no leading zeros.
    pub serial: String,
    /// RFC 3339 UTC, seconds, `Z`.
    pub not_before: String,
    /// RFC 3339 UTC, seconds, `Z`.
    pub not_after: String,
    /// b64 of the certificate's SubjectPublicKeyInfo DER.
    pub classical_pub: String,
    /// b64 of the raw ML-DSA-65 public key.
    pub pq_pub: String,
}

/// The fields a binding is made from, as they appear in (or will go into) a certificate.
pub(crate) struct BindingInputs<'a> {
    pub hostname: &'a str,
    pub alt_names: Vec<&'a str>,
    pub serial: &'a [u8],
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub spki_der: &'a [u8],
    pub pq_public_key: &'a [u8],
}

impl Binding {
    pub(crate) fn from_inputs(inputs: &BindingInputs<'_>) -> Result<Self> {
        let mut alt_names = inputs
            .alt_names
            .iter()
            .map(|n| normalize_hostname(n))
            .collect::<Result<Vec<_>>>()?;
        alt_names.sort();
        alt_names.dedup();
        Ok(Binding {
            v: 1,
            alg: BINDING_ALG.to_owned(),
            hostname: normalize_hostname(inputs.hostname)?,
            alt_names,
            serial: serial_hex(inputs.serial),
            not_before: rfc3339_seconds(inputs.not_before)?,
            not_after: rfc3339_seconds(inputs.not_after)?,
            classical_pub: b64(inputs.spki_der),
            pq_pub: b64(inputs.pq_public_key),
        })
    }

    /// The canonical bytes (what the sidecar signs).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parse binding bytes (strict: unknown fields and oversize input are refused).
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        check_size("binding", bytes.len(), BINDING_LIMIT)?;
        let binding: Binding =
            serde_json::from_slice(bytes).map_err(|e| Error::input("binding", e.to_string()))?;
        if binding.v != 1 {
            return Err(Error::Unsupported {
                what: "binding version",
                found: binding.v.to_string(),
            });
        }
        Ok(binding)
    }
}

/// Unsigned big-endian integer → lowercase hex without leading zeros (`"0"` for zero).
fn serial_hex(serial: &[u8]) -> String {
    let hex = hex::encode(serial);
    let trimmed = hex.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` in UTC.
pub(crate) fn rfc3339_seconds(t: OffsetDateTime) -> Result<String> {
    let t = t.to_offset(time::UtcOffset::UTC);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&format)
        .map_err(|e| Error::input("time", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_hex_strips_leading_zeros() {
        assert_eq!(serial_hex(&[0x00, 0x0a, 0xbc]), "abc");
        assert_eq!(serial_hex(&[0x00]), "0");
        assert_eq!(serial_hex(&[]), "0");
        assert_eq!(serial_hex(&[0x7f, 0x01]), "7f01");
    }
}
