//! C2SP `signed-note`: a text, a blank line, and `— <key name> b64(key ID ‖ signature)`
//! lines. Only the framing lives here; which keys sign and how is in `key.rs`.

use sha2::{Digest, Sha256};

use crate::encoding::{b64, check_size, from_b64};
use crate::{Error, Result};

/// A signed note is refused above this size (16 ML-DSA-65 signatures fit, as the spec
/// asks verifiers to accept).
pub const NOTE_LIMIT: usize = 128 * 1024;
/// At most this many signature lines.
pub const MAX_SIGNATURES: usize = 64;

/// U+2014 EM DASH and a space: the start of every signature line.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
const WHAT: &str = "signed note";

/// One signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The 4-byte key ID, big-endian.
    pub key_id: u32,
    /// The signature bytes after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// `— <name> b64(key ID ‖ signature)\n`.
    pub fn line(&self) -> String {
        let mut bytes = self.key_id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, b64(&bytes))
    }
}

/// A parsed signed note: the text (ending in a newline) and its signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedNote {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// The encoded note: text, blank line, signature lines.
    pub fn encode(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for signature in &self.signatures {
            out.push_str(&signature.line());
        }
        out
    }

    /// Parse the framing: UTF-8 without control characters but newline, the text up to
    /// the last blank line, then well-formed signature lines only.
    pub fn parse(message: &str) -> Result<SignedNote> {
        check_size(WHAT, message.len(), NOTE_LIMIT)?;
        if message.chars().any(|c| c < ' ' && c != '\n') {
            return Err(Error::input(WHAT, "contains a control character"));
        }
        let split = message
            .rfind("\n\n")
            .ok_or_else(|| Error::input(WHAT, "no blank line before the signatures"))?;
        let (text, signatures) = (&message[..=split], &message[split + 2..]);
        if signatures.is_empty() || !signatures.ends_with('\n') {
            return Err(Error::input(WHAT, "signature block must end in a newline"));
        }
        let lines: Vec<&str> = signatures[..signatures.len() - 1].split('\n').collect();
        if lines.len() > MAX_SIGNATURES {
            return Err(Error::input(
                WHAT,
                format!("more than {MAX_SIGNATURES} signatures"),
            ));
        }
        let signatures = lines
            .into_iter()
            .map(parse_signature_line)
            .collect::<Result<Vec<_>>>()?;
        Ok(SignedNote {
            text: text.to_owned(),
            signatures,
        })
    }
}

fn parse_signature_line(line: &str) -> Result<NoteSignature> {
    let rest = line
        .strip_prefix(SIGNATURE_PREFIX)
        .ok_or_else(|| Error::input(WHAT, "a signature line must start with an em dash"))?;
    let (name, encoded) = rest
        .split_once(' ')
        .ok_or_else(|| Error::input(WHAT, "a signature line needs a key name and a signature"))?;
    check_key_name(name)?;
    let bytes = from_b64(WHAT, encoded)?;
    if bytes.len() < 5 {
        return Err(Error::input(WHAT, "a signature is shorter than 5 bytes"));
    }
    let (id, signature) = bytes.split_at(4);
    let key_id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
    Ok(NoteSignature {
        name: name.to_owned(),
        key_id,
        signature: signature.to_vec(),
    })
}

/// signed-note key names: non-empty, no Unicode spaces, no `+`.
pub(crate) fn check_key_name(name: &str) -> Result<()> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(Error::input(
            "note key name",
            "must be non-empty, without spaces or '+'",
        ));
    }
    Ok(())
}

/// `SHA-256(name ‖ 0x0A ‖ signature type ‖ public key)[0:4]`, big-endian.
pub(crate) fn key_id(name: &str, signature_type: &[u8], public_key: &[u8]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n'])
        .chain_update(signature_type)
        .chain_update(public_key)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// A verifier key: `name+hex8(key ID)+b64(signature type ‖ public key)`.
pub(crate) fn vkey(name: &str, signature_type: &[u8], public_key: &[u8]) -> String {
    let mut material = signature_type.to_vec();
    material.extend_from_slice(public_key);
    format!(
        "{name}+{:08x}+{}",
        key_id(name, signature_type, public_key),
        b64(&material)
    )
}

/// Parse a verifier key of a known signature type: returns the name and the public key,
/// after checking that the key ID matches.
pub(crate) fn parse_vkey(text: &str, signature_type: &[u8]) -> Result<(String, Vec<u8>)> {
    const WHAT: &str = "note verifier key";
    // Names and key IDs hold no '+'; the base64 after the second one may.
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(material)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::input(WHAT, "expected name+keyid+key"));
    };
    check_key_name(name)?;
    if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::input(WHAT, "the key ID must be 8 hex digits"));
    }
    let id = u32::from_str_radix(id_hex, 16).map_err(|e| Error::input(WHAT, e.to_string()))?;
    let material = from_b64(WHAT, material)?;
    let public_key = material
        .strip_prefix(signature_type)
        .ok_or_else(|| Error::input(WHAT, "not the expected signature type"))?;
    if key_id(name, signature_type, public_key) != id {
        return Err(Error::input(WHAT, "the key ID does not match the key"));
    }
    Ok((name.to_owned(), public_key.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verifier key and note of the signed-note specification's example.
    const SPEC_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    const SPEC_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    #[test]
    fn the_specification_example_parses_and_verifies() {
        let (name, key) = parse_vkey(SPEC_VKEY, &[0x01]).unwrap();
        assert_eq!(name, "example.com/foo");
        assert_eq!(vkey(&name, &[0x01], &key), SPEC_VKEY);
        let note = SignedNote::parse(SPEC_NOTE).unwrap();
        assert_eq!(note.text, "This is an example message.\n");
        assert_eq!(note.encode(), SPEC_NOTE);
        let sig = &note.signatures[0];
        assert_eq!(sig.key_id, 0x530d903a);
        let key = ed25519_dalek::VerifyingKey::from_bytes(&key.try_into().unwrap()).unwrap();
        let signature =
            ed25519_dalek::Signature::from_bytes(&sig.signature.clone().try_into().unwrap());
        key.verify_strict(note.text.as_bytes(), &signature).unwrap();
    }

    #[test]
    fn malformed_notes_are_refused() {
        let bad = [
            "no signatures\n",
            "text\n\n",
            "text\n\n\u{2014} name AAAAAAA=",
            "text\n\n- name AAAAAAAA\n",
            "text\n\n\u{2014} name\n",
            "text\n\n\u{2014} na+me AAAAAAAA\n",
            "text\n\n\u{2014} name AAAA\n",
            "text\n\n\u{2014} name not-base64!\n",
            "te\rxt\n\n\u{2014} name AAAAAAAA\n",
        ];
        for note in bad {
            assert!(SignedNote::parse(note).is_err(), "{note:?}");
        }
        assert!(
            parse_vkey(
                "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                &[1]
            )
            .is_err()
        );
        assert!(parse_vkey(SPEC_VKEY, &[2]).is_err());
        assert!(parse_vkey("a+b", &[1]).is_err());
    }
}
