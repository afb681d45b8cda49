//! The composite signature envelope: `b64` of compact JSON holding both halves
//! (`docs/formats.md` §2).

use serde::{Deserialize, Serialize};

use super::{ALGORITHM, ED25519_SIGNATURE_LEN, MLDSA65_SIGNATURE_LEN, check_key_id};
use crate::encoding::{b64, from_b64};
use crate::{Error, Result};

/// Envelope strings are refused above this size.
pub const ENVELOPE_LIMIT: usize = 16 * 1024;

/// A parsed signature envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEnvelope {
    key_id: String,
    key_version: u32,
    mldsa65: Vec<u8>,
    ed25519: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EnvelopeJson {
    v: u32,
    alg: String,
    key_id: String,
    key_version: u32,
    mldsa65: String,
    ed25519: String,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidSignature(reason.into())
}

impl SignatureEnvelope {
    pub(crate) fn new(
        key_id: &str,
        key_version: u32,
        mldsa65: Vec<u8>,
        ed25519: Vec<u8>,
    ) -> Result<Self> {
        if mldsa65.len() != MLDSA65_SIGNATURE_LEN || ed25519.len() != ED25519_SIGNATURE_LEN {
            return Err(invalid("wrong half lengths"));
        }
        Ok(SignatureEnvelope {
            key_id: key_id.to_owned(),
            key_version,
            mldsa65,
            ed25519,
        })
    }

    /// Parse the base64 envelope string.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() > ENVELOPE_LIMIT {
            return Err(invalid(format!(
                "{} bytes exceeds the {ENVELOPE_LIMIT}-byte limit",
                text.len()
            )));
        }
        let json_bytes = from_b64("signature", text).map_err(|_| invalid("not base64"))?;
        let json: EnvelopeJson = serde_json::from_slice(&json_bytes)
            .map_err(|e| invalid(format!("not a signature envelope: {e}")))?;
        if json.v != 1 {
            return Err(Error::Unsupported {
                what: "signature envelope version",
                found: json.v.to_string(),
            });
        }
        if json.alg != ALGORITHM {
            return Err(Error::Unsupported {
                what: "algorithm",
                found: json.alg,
            });
        }
        check_key_id(&json.key_id).map_err(|_| invalid("bad keyId"))?;
        if json.key_version == 0 {
            return Err(invalid("keyVersion must be at least 1"));
        }
        let mldsa65 =
            from_b64("mldsa65", &json.mldsa65).map_err(|_| invalid("mldsa65 is not base64"))?;
        let ed25519 =
            from_b64("ed25519", &json.ed25519).map_err(|_| invalid("ed25519 is not base64"))?;
        if mldsa65.len() != MLDSA65_SIGNATURE_LEN {
            return Err(invalid(format!(
                "mldsa65 half is {} bytes, expected {MLDSA65_SIGNATURE_LEN}",
                mldsa65.len()
            )));
        }
        if ed25519.len() != ED25519_SIGNATURE_LEN {
            return Err(invalid(format!(
                "ed25519 half is {} bytes, expected {ED25519_SIGNATURE_LEN}",
                ed25519.len()
            )));
        }
        Ok(SignatureEnvelope {
            key_id: json.key_id,
            key_version: json.key_version,
            mldsa65,
            ed25519,
        })
    }

    /// The base64 envelope string.
    pub fn encode(&self) -> String {
        let json = EnvelopeJson {
            v: 1,
            alg: ALGORITHM.to_owned(),
            key_id: self.key_id.clone(),
            key_version: self.key_version,
            mldsa65: b64(&self.mldsa65),
            ed25519: b64(&self.ed25519),
        };
        b64(serde_json::to_string(&json).unwrap_or_default().as_bytes())
    }

    /// The key id that signed.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key version that signed.
    pub fn key_version(&self) -> u32 {
        self.key_version
    }

    /// The ML-DSA-65 half (3309 bytes).
    pub fn mldsa65(&self) -> &[u8] {
        &self.mldsa65
    }

    /// The Ed25519 half (64 bytes).
    pub fn ed25519(&self) -> &[u8] {
        &self.ed25519
    }

    /// The IETF composite signature `mldsa65 ‖ ed25519`.
    pub fn composite(&self) -> Vec<u8> {
        let mut out = self.mldsa65.clone();
        out.extend_from_slice(&self.ed25519);
        out
    }
}
