//! The stable `error.code` vocabulary, defined once: the reference server answers with
//! these codes and the client reports them (plus the local ones a request never reached
//! the server for). Servers may add codes, so a client keeps an unknown code as text.

/// Every error code postq itself produces, on the server and in the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub enum ErrorCode {
    // ---- answered by the API
    /// 400: the body or a parameter failed validation.
    ValidationError,
    /// 400: the body could not be read or is not JSON.
    InvalidRequest,
    /// 400: a list cursor that this list did not issue.
    InvalidCursor,
    /// 400: the `Idempotency-Key` header is malformed.
    InvalidIdempotencyKey,
    /// 400: the public key given for verification does not parse.
    InvalidPublicKey,
    /// 400: the finding named by a rollover is not eligible for one.
    FindingNotEligible,
    /// 400: the reference server's `X-PostQ-Fault` header does not parse.
    InvalidFault,
    /// 401: missing, unknown or revoked API key.
    Unauthorized,
    /// 403: the API key lacks the scope the route needs.
    InsufficientScope,
    /// 403: the vault's uniform refusal (no enumeration).
    AccessDenied,
    /// 404: no such resource (or route) in the organisation.
    NotFound,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 409: generic conflict.
    Conflict,
    /// 409: a request with this idempotency key is still running.
    IdempotencyInProgress,
    /// 409: the idempotency key was used with a different request.
    IdempotencyKeyReused,
    /// 409: a key was rotated concurrently.
    ConcurrentRotation,
    /// 409: the rollover cannot move to that status from its current one.
    InvalidTransition,
    /// 409: a one-shot response (a rollover's private key) was already delivered.
    AlreadyDelivered,
    /// 413: the body exceeds the server's limit.
    PayloadTooLarge,
    /// 429: rate limited; see `Retry-After`.
    RateLimited,
    /// 500: the server failed.
    InternalError,
    /// 5xx: a server error without a more precise code.
    ServerError,
    /// Any status injected by the reference server's `X-PostQ-Fault` without a more
    /// precise code.
    InjectedFault,
    // ---- produced locally (also reported by the API where it checks the same thing)
    /// A malformed signature envelope.
    InvalidSignature,
    /// The signature names another key or key version.
    KeyMismatch,
    /// A malformed input (key, DER, JSON, argument).
    InvalidInput,
    /// A certificate that does not parse.
    InvalidCertificate,
    /// A format version or algorithm this build does not know.
    UnsupportedVersion,
    /// A sealed envelope did not open.
    SealOpenFailed,
    /// No operating-system randomness.
    RandomnessUnavailable,
    /// A primitive failed where it should not.
    CryptoFailure,
    /// A ledger checkpoint lacks a valid signature of the pinned key.
    LedgerBadSignature,
    /// Two ledger checkpoints of one size with different roots.
    LedgerFork,
    /// A ledger checkpoint smaller than one verified before.
    LedgerShrink,
    /// A ledger inclusion proof failed.
    LedgerInclusionFailed,
    /// A ledger consistency proof failed (history rewritten).
    LedgerConsistencyFailed,
    /// A ledger key differs from the pinned one.
    LedgerKeyChanged,
    /// The server could not be reached.
    ConnectionError,
    /// A timeout elapsed.
    Timeout,
    /// The client is misconfigured.
    InvalidConfig,
    /// The server's answer is not the documented shape.
    InvalidResponse,
    /// An error status the client has no better code for.
    HttpError,
}

impl ErrorCode {
    /// The wire form, e.g. `insufficient_scope`.
    pub fn as_str(self) -> &'static str {
        use ErrorCode as C;
        match self {
            C::ValidationError => "validation_error",
            C::InvalidRequest => "invalid_request",
            C::InvalidCursor => "invalid_cursor",
            C::InvalidIdempotencyKey => "invalid_idempotency_key",
            C::InvalidPublicKey => "invalid_public_key",
            C::FindingNotEligible => "finding_not_eligible",
            C::InvalidFault => "invalid_fault",
            C::Unauthorized => "unauthorized",
            C::InsufficientScope => "insufficient_scope",
            C::AccessDenied => "access_denied",
            C::NotFound => "not_found",
            C::MethodNotAllowed => "method_not_allowed",
            C::Conflict => "conflict",
            C::IdempotencyInProgress => "idempotency_in_progress",
            C::IdempotencyKeyReused => "idempotency_key_reused",
            C::ConcurrentRotation => "concurrent_rotation",
            C::InvalidTransition => "invalid_transition",
            C::AlreadyDelivered => "already_delivered",
            C::PayloadTooLarge => "payload_too_large",
            C::RateLimited => "rate_limited",
            C::InternalError => "internal_error",
            C::ServerError => "server_error",
            C::InjectedFault => "injected_fault",
            C::InvalidSignature => "invalid_signature",
            C::KeyMismatch => "key_mismatch",
            C::InvalidInput => "invalid_input",
            C::InvalidCertificate => "invalid_certificate",
            C::UnsupportedVersion => "unsupported_version",
            C::SealOpenFailed => "seal_open_failed",
            C::RandomnessUnavailable => "randomness_unavailable",
            C::CryptoFailure => "crypto_failure",
            C::LedgerBadSignature => "ledger_bad_signature",
            C::LedgerFork => "ledger_fork",
            C::LedgerShrink => "ledger_shrink",
            C::LedgerInclusionFailed => "ledger_inclusion_failed",
            C::LedgerConsistencyFailed => "ledger_consistency_failed",
            C::LedgerKeyChanged => "ledger_key_changed",
            C::ConnectionError => "connection_error",
            C::Timeout => "timeout",
            C::InvalidConfig => "invalid_config",
            C::InvalidResponse => "invalid_response",
            C::HttpError => "http_error",
        }
    }

    /// The code to use for an error status that came without a more precise one: what
    /// the client reports for a bare error response and what the reference server
    /// answers for an injected fault.
    pub fn for_status(status: u16) -> Self {
        match status {
            400 => ErrorCode::ValidationError,
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::InsufficientScope,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            409 => ErrorCode::Conflict,
            413 => ErrorCode::PayloadTooLarge,
            429 => ErrorCode::RateLimited,
            s if s >= 500 => ErrorCode::ServerError,
            _ => ErrorCode::HttpError,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ErrorCode {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde() {
        for code in [
            ErrorCode::ValidationError,
            ErrorCode::InsufficientScope,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::UnsupportedVersion,
            ErrorCode::HttpError,
            ErrorCode::LedgerConsistencyFailed,
        ] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
        }
        assert!("no_such_code".parse::<ErrorCode>().is_err());
    }
}
