//! Small shared helpers for the text encodings of `docs/formats.md`.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::{Error, Result};

/// Standard base64 with padding (`b64` in formats.md).
pub(crate) fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// URL-safe base64 without padding (`b64url`, JOSE).
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn from_b64(what: &'static str, text: &str) -> Result<Vec<u8>> {
    STANDARD
        .decode(text)
        .map_err(|e| Error::input(what, format!("not base64: {e}")))
}

pub(crate) fn from_b64url(what: &'static str, text: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| Error::input(what, format!("not base64url: {e}")))
}

/// Decode base64 into exactly `N` bytes.
pub(crate) fn fixed<const N: usize>(what: &'static str, bytes: Vec<u8>) -> Result<[u8; N]> {
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| Error::input(what, format!("expected {N} bytes, got {len}")))
}

/// Refuse inputs above a documented size limit before doing any work on them.
pub(crate) fn check_size(what: &'static str, len: usize, limit: usize) -> Result<()> {
    if len > limit {
        return Err(Error::input(
            what,
            format!("{len} bytes exceeds the {limit}-byte limit"),
        ));
    }
    Ok(())
}
