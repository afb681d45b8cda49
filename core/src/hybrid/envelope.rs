//! The composite signature envelope: `b64` of compact JSON holding both halves
//! (`docs/formats.md` §2).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{ALGORITHM, ED25519_SIGNATURE_LEN, MLDSA65_SIGNATURE_LEN, check_key_id};
use crate::{Error, Result};

/// Envelope strings are refused above this size.
pub const ENVELOPE_LIMIT: usize = 16 * 1024;

/// Standard base64 with padding, strict (canonical padding and trailing bits), like
/// `crate::encoding::b64`; SIMD because every verify decodes ≈ 9 KiB of it twice nested.
const B64: base64_simd::Base64 = base64_simd::STANDARD;

/// A parsed signature envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEnvelope {
    key_id: String,
    key_version: u32,
    mldsa65: Box<[u8; MLDSA65_SIGNATURE_LEN]>,
    ed25519: [u8; ED25519_SIGNATURE_LEN],
}

/// The JSON inside the base64, fields in wire order. Strings borrow from the decoded
/// bytes (base64 and key ids never need JSON escapes; `Cow` still accepts them).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EnvelopeJson<'a> {
    v: u32,
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(borrow)]
    key_id: Cow<'a, str>,
    key_version: u32,
    #[serde(borrow)]
    mldsa65: Cow<'a, str>,
    #[serde(borrow)]
    ed25519: Cow<'a, str>,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidSignature(reason.into())
}

/// Decode one half straight into its fixed-size array.
fn decode_half<const N: usize>(name: &str, text: &str) -> Result<[u8; N]> {
    let len = B64
        .decoded_length(text.as_bytes())
        .map_err(|_| invalid(format!("{name} is not base64")))?;
    if len != N {
        return Err(invalid(format!("{name} half is {len} bytes, expected {N}")));
    }
    let mut out = [0u8; N];
    B64.decode(text.as_bytes(), base64_simd::Out::from_slice(&mut out))
        .map_err(|_| invalid(format!("{name} is not base64")))?;
    Ok(out)
}

impl SignatureEnvelope {
    pub(crate) fn new(
        key_id: &str,
        key_version: u32,
        mldsa65: Vec<u8>,
        ed25519: Vec<u8>,
    ) -> Result<Self> {
        let (Ok(mldsa65), Ok(ed25519)) = (
            <Box<[u8; MLDSA65_SIGNATURE_LEN]>>::try_from(mldsa65.into_boxed_slice()),
            <[u8; ED25519_SIGNATURE_LEN]>::try_from(ed25519),
        ) else {
            return Err(invalid("wrong half lengths"));
        };
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
        let json_bytes = B64
            .decode_to_vec(text.as_bytes())
            .map_err(|_| invalid("not base64"))?;
        let json: EnvelopeJson<'_> = serde_json::from_slice(&json_bytes)
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
                found: json.alg.into_owned(),
            });
        }
        check_key_id(&json.key_id).map_err(|_| invalid("bad keyId"))?;
        if json.key_version == 0 {
            return Err(invalid("keyVersion must be at least 1"));
        }
        let mldsa65 = Box::new(decode_half("mldsa65", &json.mldsa65)?);
        let ed25519 = decode_half("ed25519", &json.ed25519)?;
        Ok(SignatureEnvelope {
            key_id: json.key_id.into_owned(),
            key_version: json.key_version,
            mldsa65,
            ed25519,
        })
    }

    /// The base64 envelope string.
    pub fn encode(&self) -> String {
        let json = EnvelopeJson {
            v: 1,
            alg: Cow::Borrowed(ALGORITHM),
            key_id: Cow::Borrowed(&self.key_id),
            key_version: self.key_version,
            mldsa65: Cow::Owned(B64.encode_to_string(self.mldsa65.as_slice())),
            ed25519: Cow::Owned(B64.encode_to_string(self.ed25519)),
        };
        B64.encode_to_string(serde_json::to_vec(&json).unwrap_or_default())
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
        self.mldsa65.as_slice()
    }

    /// The Ed25519 half (64 bytes).
    pub fn ed25519(&self) -> &[u8] {
        &self.ed25519
    }

    /// The IETF composite signature `mldsa65 ‖ ed25519`.
    pub fn composite(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MLDSA65_SIGNATURE_LEN + ED25519_SIGNATURE_LEN);
        out.extend_from_slice(self.mldsa65.as_slice());
        out.extend_from_slice(&self.ed25519);
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed expectation is a test failure

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    fn sample() -> SignatureEnvelope {
        SignatureEnvelope::new(
            "key_1",
            2,
            (0..MLDSA65_SIGNATURE_LEN).map(|i| i as u8).collect(),
            vec![7; ED25519_SIGNATURE_LEN],
        )
        .unwrap()
    }

    fn not_base64(text: &str) -> bool {
        matches!(SignatureEnvelope::parse(text), Err(Error::InvalidSignature(m)) if m.contains("not base64"))
    }

    #[test]
    fn round_trip_matches_the_base64_crate() {
        let envelope = sample();
        let text = envelope.encode();
        assert_eq!(SignatureEnvelope::parse(&text).unwrap(), envelope);
        let json = STANDARD.decode(&text).unwrap();
        assert_eq!(STANDARD.encode(&json), text);
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json["mldsa65"], STANDARD.encode(envelope.mldsa65()));
        assert_eq!(json["ed25519"], STANDARD.encode(envelope.ed25519()));
    }

    #[test]
    fn outer_base64_must_be_canonical() {
        // "e30=" is "{}" (a JSON error, not a base64 one).
        assert!(!not_base64("e30="));
        assert!(not_base64("e31=")); // non-zero trailing bits
        assert!(not_base64("e30")); // padding missing
        assert!(not_base64("e30=\n")); // whitespace
        assert!(not_base64("e3-=")); // URL-safe alphabet
    }

    #[test]
    fn halves_must_be_canonical_base64_of_the_right_length() {
        let envelope = sample();
        let ed = STANDARD.encode(envelope.ed25519());
        // The last data character of a 64-byte value carries 4 padding bits.
        let mut bad_ed = ed.clone().into_bytes();
        let last = ed.len() - 3;
        bad_ed[last] = if bad_ed[last] == b'B' { b'C' } else { b'B' };
        let with = |mldsa: String, ed: String| {
            let json = format!(
                r#"{{"v":1,"alg":"mldsa65+ed25519","keyId":"key_1","keyVersion":2,"mldsa65":"{mldsa}","ed25519":"{ed}"}}"#
            );
            SignatureEnvelope::parse(&STANDARD.encode(json))
        };
        let mldsa = STANDARD.encode(envelope.mldsa65());
        assert_eq!(with(mldsa.clone(), ed.clone()).unwrap(), envelope);
        let err = with(mldsa.clone(), String::from_utf8(bad_ed).unwrap()).unwrap_err();
        assert!(err.to_string().contains("ed25519 is not base64"), "{err}");
        let err = with(mldsa[..mldsa.len() - 4].to_owned(), ed.clone()).unwrap_err();
        assert!(
            err.to_string().contains("mldsa65 half is 3306 bytes"),
            "{err}"
        );
        let err = with(mldsa.replace('A', "*"), ed).unwrap_err();
        assert!(err.to_string().contains("mldsa65 is not base64"), "{err}");
    }
}
