//! Typed requests and responses of the postq HTTP API (camelCase on the wire), and the
//! resource methods on [`crate::Client`]. One module per resource.

mod audit;
mod error_envelope;
mod health;
mod keys;
mod rollovers;
mod scans;
mod signing;
mod vault;

pub use audit::{AuditEntry, AuditQuery, AuditResource};
pub use error_envelope::{ErrorBody, ErrorEnvelope};
pub use health::Health;
pub use keys::{
    CreateKeyRequest, HybridKey, HybridKeys, KeyVersion, RotateKeyRequest, UpdateKeyRequest,
};
pub use rollovers::{
    ARTIFACTS, Artifact, CreateRolloverRequest, HistoryEntry, PlanStage, ROLLOVER_ELIGIBLE_CODES,
    Rollover, RolloverCreated, RolloverStatus, Rollovers, safe_file_name,
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
        Some(l) if !(1..=100).contains(&l) => Err(Error::input("limit", "must be 1-100")),
        _ => Ok(()),
    }
}
