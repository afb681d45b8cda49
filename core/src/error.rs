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
    /// The API answered with an error (`{"error":{"code","message","requestId"}}`).
    #[error("{message} (HTTP {status}, {code}{})", request_id.as_deref().map(|id| format!(", request {id}")).unwrap_or_default())]
    Api {
        /// HTTP status.
        status: u16,
        /// The API's stable error code, e.g. `insufficient_scope`.
        code: String,
        /// Human-readable message from the server.
        message: String,
        /// `X-Request-Id` / `error.requestId`, for support.
        request_id: Option<String>,
        /// `Retry-After`, when the server sent one.
        retry_after: Option<std::time::Duration>,
    },
    /// The server could not be reached or the connection broke.
    #[error("connection failed: {0}")]
    Connection(String),
    /// A timeout elapsed (connect, attempt or whole call).
    #[error("timed out: {0}")]
    Timeout(String),
    /// The client is misconfigured (missing key, key over plain HTTP, bad base URL).
    #[error("client configuration: {0}")]
    Config(String),
    /// The server answered with something that is not the documented shape.
    #[error("unexpected response (HTTP {status}): {reason}")]
    InvalidResponse {
        /// HTTP status.
        status: u16,
        /// What was wrong.
        reason: String,
        /// Request id, when the server sent one.
        request_id: Option<String>,
    },
}

impl Error {
    /// A stable, machine-readable code for this error, shared with the HTTP API's
    /// `error.code` vocabulary.
    pub fn code(&self) -> &str {
        match self {
            Error::Api { code, .. } => code,
            Error::Connection(_) => "connection_error",
            Error::Timeout(_) => "timeout",
            Error::Config(_) => "invalid_config",
            Error::InvalidResponse { .. } => "invalid_response",
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

    /// The HTTP status, for errors the API returned.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request id, for errors the API returned.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } | Error::InvalidResponse { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// How long the server asked us to wait (429/503).
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn input(what: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }
}
