//! The error body every API error carries: `{"error":{"code","message","requestId"}}`.

use serde::{Deserialize, Serialize};

/// The error envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `validation_error`, `insufficient_scope`
    /// (`postq::error::ErrorCode`; servers may add codes).
    #[cfg_attr(feature = "schema", schema(example = "insufficient_scope"))]
    pub code: String,
    /// Human-readable explanation; never contains secrets or payloads.
    pub message: String,
    /// The `X-Request-Id` of the request, for support.
    #[serde(default)]
    pub request_id: Option<String>,
}
