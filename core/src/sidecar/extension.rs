//! DER of the sidecar extension value:
//! `SEQUENCE { algorithmOid OID, pqPublicKey OCTET STRING, pqSignature OCTET STRING,
//! bindingBytes OCTET STRING }`.

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};

use super::binding::BINDING_LIMIT;
use crate::hybrid::{MLDSA65_PUBLIC_KEY_LEN, MLDSA65_SIGNATURE_LEN};
use crate::{Error, Result};

/// The sidecar extension's OID, 1.3.9999.42.1.
pub const SIDECAR_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.9999.42.1");
/// The same OID as arcs (for certificate builders).
pub const SIDECAR_OID_ARCS: [u64; 5] = [1, 3, 9999, 42, 1];
/// id-ml-dsa-65, 2.16.840.1.101.3.4.3.18.
pub const ID_ML_DSA_65: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.18");
/// Extension values are refused above this size.
pub const EXTENSION_LIMIT: usize = 16 * 1024;

#[derive(Sequence)]
struct SidecarDer {
    algorithm_oid: ObjectIdentifier,
    pq_public_key: OctetString,
    pq_signature: OctetString,
    binding_bytes: OctetString,
}

/// The decoded extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SidecarExtension {
    /// Raw ML-DSA-65 public key (1952 bytes).
    pub pq_public_key: Vec<u8>,
    /// ML-DSA-65 signature over `binding_bytes` with the empty context (3309 bytes).
    pub pq_signature: Vec<u8>,
    /// The canonical binding bytes.
    pub binding_bytes: Vec<u8>,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::input("sidecar extension", reason)
}

impl SidecarExtension {
    /// Encode to DER.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let octets = |b: &[u8]| OctetString::new(b.to_vec()).map_err(|e| invalid(e.to_string()));
        SidecarDer {
            algorithm_oid: ID_ML_DSA_65,
            pq_public_key: octets(&self.pq_public_key)?,
            pq_signature: octets(&self.pq_signature)?,
            binding_bytes: octets(&self.binding_bytes)?,
        }
        .to_der()
        .map_err(|e| invalid(e.to_string()))
    }

    /// Decode and check lengths. Trailing bytes, BER forms and other algorithms are refused.
    pub fn from_der(der_bytes: &[u8]) -> Result<Self> {
        if der_bytes.len() > EXTENSION_LIMIT {
            return Err(invalid(format!(
                "{} bytes exceeds the {EXTENSION_LIMIT}-byte limit",
                der_bytes.len()
            )));
        }
        let decoded = SidecarDer::from_der(der_bytes).map_err(|e| invalid(e.to_string()))?;
        if decoded.algorithm_oid != ID_ML_DSA_65 {
            return Err(Error::Unsupported {
                what: "sidecar algorithm",
                found: decoded.algorithm_oid.to_string(),
            });
        }
        let ext = SidecarExtension {
            pq_public_key: decoded.pq_public_key.into_bytes().into_vec(),
            pq_signature: decoded.pq_signature.into_bytes().into_vec(),
            binding_bytes: decoded.binding_bytes.into_bytes().into_vec(),
        };
        if ext.pq_public_key.len() != MLDSA65_PUBLIC_KEY_LEN {
            return Err(invalid(format!(
                "pqPublicKey is {} bytes, expected {MLDSA65_PUBLIC_KEY_LEN}",
                ext.pq_public_key.len()
            )));
        }
        if ext.pq_signature.len() != MLDSA65_SIGNATURE_LEN {
            return Err(invalid(format!(
                "pqSignature is {} bytes, expected {MLDSA65_SIGNATURE_LEN}",
                ext.pq_signature.len()
            )));
        }
        if ext.binding_bytes.len() > BINDING_LIMIT {
            return Err(invalid("bindingBytes exceeds the 8 KiB limit"));
        }
        Ok(ext)
    }
}
