//! Typed requests and responses of the postq HTTP API (camelCase on the wire), and the
//! resource methods on [`crate::Client`]. One module per resource.

mod audit;
mod error_envelope;
mod health;
mod ingest;
mod keys;
mod rollovers;
mod scans;
mod signing;
mod vault;

pub use audit::{AuditEntry, AuditQuery, AuditResource, KeySource, SignedCheckpoint};
pub use error_envelope::{ErrorBody, ErrorEnvelope};
pub use health::Health;
pub use ingest::{
    Ingest, IngestKubernetesRequest, KubernetesFinding, KubernetesObjectRef, KubernetesSummary,
};
pub use keys::{
    CreateKeyRequest, HybridKey, HybridKeys, KeyVersion, RotateKeyRequest, UpdateKeyRequest,
};
pub use rollovers::{
    ARTIFACTS, Artifact, CreateRolloverRequest, HistoryEntry, PlanStage, ROLLOVER_ELIGIBLE_CODES,
    RollbackRequest, Rollover, RolloverCreated, RolloverStatus, Rollovers, TransitionRequest,
    safe_file_name,
};
pub use scans::{
    CreateScanRequest, Finding, FindingInput, Include, ListQuery, RiskLevel, Scan, ScanSummary,
    Scans, Severity,
};
pub use signing::{PayloadEncoding, SignRequest, SignResponse, VerifyRequest, VerifyResponse};
pub use vault::{Credential, Deleted, SealRequest, UnsealedCredential, Vault};

use crate::{Error, Result};

/// Path segments (ids) must be plain tokens, so no request can be redirected elsewhere.
pub(crate) fn path_id<'a>(what: &'static str, id: &'a str) -> Result<&'a str> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
        && id != "."
        && id != "..";
    if ok {
        Ok(id)
    } else {
        Err(Error::input(
            what,
            "must be 1-128 characters of [A-Za-z0-9_.:-]",
        ))
    }
}

pub(crate) fn check_limit(limit: Option<u32>) -> Result<()> {
    match limit {
        Some(l) if !(1..=100).contains(&l) => Err(Error::input(
            "list query",
            "limit must be between 1 and 100",
        )),
        _ => Ok(()),
    }
}

/// The rule for a label-like text field of a request, shared by the client (checked
/// before sending) and the reference server: not blank, at most `max` characters, no
/// control characters but newline, tab and carriage return. The reason names the field
/// (`findings[2].title must not be empty`), so the server answers with it as is.
pub(crate) fn check_text(what: &'static str, field: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::input(what, format!("{field} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(Error::input(
            what,
            format!("{field} must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(Error::input(
            what,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(())
}

/// Writes a whole-number `f64` as a JSON integer (`85`, not `85.0`): scores are numbers
/// on the wire and read more naturally this way; fractions stay as they are.
pub(crate) fn whole_number<S: serde::Serializer>(
    value: &f64,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
    if value.fract() == 0.0 && value.abs() < EXACT {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}
