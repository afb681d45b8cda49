//! The one error type of the core. Every parser and primitive returns it; bindings map
//! it to their own classes by [`Error::kind`] (one class per [`ErrorKind`]), and carry
//! [`Error::code`] for callers that need the precise reason.

mod codes;

pub use codes::ErrorCode;

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
    /// Audit-ledger evidence was refused: a checkpoint's signature, a proof, or the
    /// log's history (a fork or a shrink). `failure` says which; its code is `ledger_…`.
    #[error("audit ledger: {failure}: {detail}")]
    Ledger {
        /// Which check failed.
        failure: crate::ledger::LedgerFailure,
        /// The sizes, roots or key names involved.
        detail: String,
    },
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

/// The kinds of failure a caller tells apart. Each binding maps a kind to one exception
/// class, in one place; the HTTP statuses follow the PostQ API reference's error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum ErrorKind {
    /// Bad input caught locally before any request (malformed key, signature,
    /// certificate or argument, a signature of another key, bad client configuration).
    Validation,
    /// 401: the API key is missing, invalid or revoked.
    Auth,
    /// 403: the key lacks a scope, or access is denied (the vault's uniform answer).
    Permission,
    /// 404: no such resource in the organisation.
    NotFound,
    /// 409: idempotency key reuse or in progress, a concurrent change, a refused
    /// state transition.
    Conflict,
    /// 429: rate limited; see `retry_after`.
    RateLimit,
    /// 5xx, after the client's retries.
    Server,
    /// The server could not be reached or the connection broke.
    Connection,
    /// A connect, attempt or whole-call timeout elapsed.
    Timeout,
    /// Any other error status from the API (400 validation, 413, 422 …).
    Api,
    /// A 2xx/4xx answer that is not the documented shape.
    InvalidResponse,
    /// A cryptographic operation or check failed (a sealed envelope did not open, no OS
    /// randomness, audit-ledger evidence was refused).
    Crypto,
}

impl ErrorKind {
    /// The kind of an HTTP error status.
    pub fn for_status(status: u16) -> Self {
        match status {
            401 => ErrorKind::Auth,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimit,
            s if s >= 500 => ErrorKind::Server,
            _ => ErrorKind::Api,
        }
    }

    /// The wire name (`rate_limit`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Auth => "auth",
            ErrorKind::Permission => "permission",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimit => "rate_limit",
            ErrorKind::Server => "server",
            ErrorKind::Connection => "connection",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Api => "api",
            ErrorKind::InvalidResponse => "invalid_response",
            ErrorKind::Crypto => "crypto",
        }
    }
}

impl Error {
    /// A stable, machine-readable code for this error, shared with the HTTP API's
    /// `error.code` vocabulary.
    pub fn code(&self) -> &str {
        let local = match self {
            Error::Api { code, .. } => return code,
            Error::Connection(_) => ErrorCode::ConnectionError,
            Error::Timeout(_) => ErrorCode::Timeout,
            Error::Config(_) => ErrorCode::InvalidConfig,
            Error::InvalidResponse { .. } => ErrorCode::InvalidResponse,
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::InvalidSignature(_) => ErrorCode::InvalidSignature,
            Error::KeyMismatch { .. } => ErrorCode::KeyMismatch,
            Error::InvalidCertificate(_) => ErrorCode::InvalidCertificate,
            Error::Unsupported { .. } => ErrorCode::UnsupportedVersion,
            Error::SealOpenFailed => ErrorCode::SealOpenFailed,
            Error::Randomness => ErrorCode::RandomnessUnavailable,
            Error::Crypto(_) => ErrorCode::CryptoFailure,
            Error::Ledger { failure, .. } => failure.code(),
        };
        local.as_str()
    }

    /// What kind of failure this is: the one mapping every binding turns into its own
    /// exception class (`PostQAuthError`, `PostQRateLimitError`, …).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { status, .. } => ErrorKind::for_status(*status),
            Error::InvalidResponse { status, .. } if *status >= 500 => ErrorKind::Server,
            Error::InvalidResponse { .. } => ErrorKind::InvalidResponse,
            Error::Connection(_) => ErrorKind::Connection,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::InvalidInput { .. }
            | Error::InvalidSignature(_)
            | Error::KeyMismatch { .. }
            | Error::InvalidCertificate(_)
            | Error::Unsupported { .. }
            | Error::Config(_) => ErrorKind::Validation,
            Error::SealOpenFailed | Error::Randomness | Error::Crypto(_) | Error::Ledger { .. } => {
                ErrorKind::Crypto
            }
        }
    }

    /// The message without decoration: the server's message for API errors, else the
    /// whole display text.
    pub fn message(&self) -> String {
        match self {
            Error::Api { message, .. } if !message.is_empty() => message.clone(),
            other => other.to_string(),
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
