//! The one error type of the core. Every parser and primitive returns it; bindings map
//! it to their own classes by [`Error::code`].

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure the core reports. Messages never contain secret material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input (key, JSON, DER, …) is malformed, the wrong size or too large.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was being parsed, e.g. `public key JSON`.
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A signature envelope could not be parsed (this is not "did not verify").
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
    /// The signature names a different key or key version than the one given.
    #[error("signature was made by key {found}, not {expected}")]
    KeyMismatch {
        /// `keyId#vN` of the key supplied for verification.
        expected: String,
        /// `keyId#vN` named in the signature envelope.
        found: String,
    },
    /// A certificate could not be parsed at all (checks on a parsed one are reported
    /// in a [`crate::sidecar::SidecarReport`] instead).
    #[error("invalid certificate: {0}")]
    InvalidCertificate(String),
    /// A format version or algorithm this build does not know.
    #[error("unsupported {what}: {found}")]
    Unsupported {
        /// Which field.
        what: &'static str,
        /// The value found.
        found: String,
    },
    /// A sealed envelope did not open. Deliberately without detail: no oracle.
    #[error("sealed envelope could not be opened")]
    SealOpenFailed,
    /// The operating system's random number generator failed.
    #[error("operating system randomness unavailable")]
    Randomness,
    /// A primitive failed where it should not (e.g. ML-DSA rejection sampling gave up).
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),
}

impl Error {
    /// A stable, machine-readable code for this error, shared with the HTTP API's
    /// `error.code` vocabulary.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::InvalidSignature(_) => "invalid_signature",
            Error::KeyMismatch { .. } => "key_mismatch",
            Error::InvalidCertificate(_) => "invalid_certificate",
            Error::Unsupported { .. } => "unsupported_version",
            Error::SealOpenFailed => "seal_open_failed",
            Error::Randomness => "randomness_unavailable",
            Error::Crypto(_) => "crypto_failure",
        }
    }

    pub(crate) fn input(what: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }
}
