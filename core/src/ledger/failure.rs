//! Why audit-ledger evidence was refused: the reasons of [`crate::Error::Ledger`].

use std::fmt;

use crate::error::ErrorCode;

/// What a ledger verifier refused. Each has its own error code (`ledger_…`), so a
/// caller (and `postq audit verify`'s exit message) says which check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LedgerFailure {
    /// A checkpoint lacks a valid signature of either half of the pinned ledger key, or
    /// names another log (origin).
    BadSignature,
    /// Two checkpoints of the same size with different roots: two histories.
    Fork,
    /// A checkpoint is smaller than one already verified: the log lost rows.
    Shrink,
    /// An inclusion proof does not lead from the row to the checkpoint's root.
    InclusionProofFailed,
    /// A consistency proof does not show the newer tree extending the older one: the
    /// history was rewritten (or the proof is missing or corrupt).
    ConsistencyProofFailed,
    /// A ledger key was given that differs from the one pinned earlier.
    KeyChanged,
}

impl LedgerFailure {
    /// The error code (`ledger_fork`, …).
    pub fn code(self) -> ErrorCode {
        match self {
            LedgerFailure::BadSignature => ErrorCode::LedgerBadSignature,
            LedgerFailure::Fork => ErrorCode::LedgerFork,
            LedgerFailure::Shrink => ErrorCode::LedgerShrink,
            LedgerFailure::InclusionProofFailed => ErrorCode::LedgerInclusionFailed,
            LedgerFailure::ConsistencyProofFailed => ErrorCode::LedgerConsistencyFailed,
            LedgerFailure::KeyChanged => ErrorCode::LedgerKeyChanged,
        }
    }
}

impl fmt::Display for LedgerFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LedgerFailure::BadSignature => "bad checkpoint signature",
            LedgerFailure::Fork => "fork",
            LedgerFailure::Shrink => "shrink",
            LedgerFailure::InclusionProofFailed => "inclusion proof failed",
            LedgerFailure::ConsistencyProofFailed => "consistency proof failed",
            LedgerFailure::KeyChanged => "ledger key changed",
        })
    }
}
