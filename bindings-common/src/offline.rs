//! Offline checks whose results are JSON documents (a sidecar report, a chain report),
//! shared by the bindings so each parses times and rows the same way. Hybrid signature
//! verification is not here: it is the hot path, and each binding calls
//! `postq::hybrid` directly with its own zero-copy types.

use postq::ledger::{LedgerEntry, verify_chain, verify_complete_chain};
use postq::sidecar::VerifyOptions;
use zeroize::Zeroizing;

use crate::ErrorInfo;
use crate::run::to_json;

/// Verify a hybrid certificate's ML-DSA-65 sidecar (PEM or DER). `hostname` must then
/// be bound; `at` (RFC 3339) judges validity at that time instead of now. Returns the
/// `SidecarReport` JSON.
pub fn verify_certificate(
    certificate: &[u8],
    hostname: Option<String>,
    at: Option<&str>,
) -> Result<Zeroizing<String>, ErrorInfo> {
    let options = VerifyOptions::with_rfc3339(hostname, at)?;
    let report = postq::sidecar::verify_certificate(certificate, &options)?;
    to_json(&report)
}

/// Verify ledger rows (a JSON array of `LedgerEntry`, ascending `seq`); `complete`
/// also requires `seq` 1, 2, 3 … without gaps. Returns the `ChainReport` JSON.
pub fn verify_ledger(rows: &str, complete: bool) -> Result<Zeroizing<String>, ErrorInfo> {
    let rows: Vec<LedgerEntry> =
        serde_json::from_str(rows).map_err(|e| ErrorInfo::bad_arguments("ledger rows", &e))?;
    let report = if complete {
        verify_complete_chain(&rows)
    } else {
        verify_chain(&rows)
    };
    to_json(&report)
}
