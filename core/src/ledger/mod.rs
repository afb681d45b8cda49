//! The audit ledger, verified offline.
//!
//! - The hash chain (`docs/formats.md` §6): each row's SHA-256 covers its canonical JSON
//!   including the previous row's hash, so any edit, deletion or reordering inside a
//!   verified range is detected.
//! - The Merkle tree, signed checkpoints and proofs (§7): the rows of an organisation are
//!   the leaves of an RFC 9162 tree ([`MerkleTree`], [`tree`]); the server signs tree
//!   heads as C2SP signed notes with both halves of its hybrid ledger key
//!   ([`sign_checkpoint`], [`LedgerKey::verify_checkpoint`]); [`InclusionProof`] and
//!   [`ConsistencyProof`] tie rows to checkpoints and checkpoints to each other; a
//!   [`Witness`] pins the key, remembers the last checkpoint and refuses a fork, a
//!   shrink, a bad signature or a failed proof.

mod checkpoint;
mod event;
mod failure;
mod key;
mod note;
mod proof;
pub mod tree;
mod witness;

use std::collections::BTreeMap;

pub use checkpoint::{Checkpoint, ORIGIN_LIMIT, Origin};
pub use event::EventType;
pub use failure::LedgerFailure;
pub use key::{
    LedgerKey, MLDSA65_NAME_SUFFIX, MLDSA65_NOTE_IDENTIFIER, sign_checkpoint, sign_checkpoint_with,
};
pub use note::{MAX_SIGNATURES, NOTE_LIMIT};
pub use proof::{ConsistencyProof, InclusionProof, MAX_CONSISTENCY_PATH, MAX_INCLUSION_PATH};
pub use tree::{MerkleTree, NodeHash};
pub use witness::{Observation, STATE_LIMIT, Witness};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prevHash` of an organisation's first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One ledger row, as stored and as served by `GET /v1/audit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// Position in the organisation's chain, from 1.
    pub seq: u64,
    /// Row id (`evt_…`).
    pub id: String,
    /// Owning organisation.
    pub org_id: String,
    /// What happened (`sign`, `verify`, `key.create`, …).
    pub event_type: EventType,
    /// Who did it (`apikey:…`).
    pub actor: String,
    /// The resource acted on, if any.
    pub resource_id: Option<String>,
    /// RFC 3339 UTC with milliseconds.
    pub occurred_at: String,
    /// Flat string details; sorted by key in the canonical form.
    pub details: BTreeMap<String, String>,
    /// The previous row's hash (or [`GENESIS_HASH`]).
    pub prev_hash: String,
    /// SHA-256 of the canonical form, lowercase hex.
    pub hash: String,
}

/// The hashed form: every field but `hash`, in wire order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Canonical<'a> {
    seq: u64,
    id: &'a str,
    org_id: &'a str,
    event_type: &'a str,
    actor: &'a str,
    resource_id: Option<&'a str>,
    occurred_at: &'a str,
    details: &'a BTreeMap<String, String>,
    prev_hash: &'a str,
}

impl LedgerEntry {
    /// The canonical bytes that are hashed.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&Canonical {
            seq: self.seq,
            id: &self.id,
            org_id: &self.org_id,
            event_type: self.event_type.as_str(),
            actor: &self.actor,
            resource_id: self.resource_id.as_deref(),
            occurred_at: &self.occurred_at,
            details: &self.details,
            prev_hash: &self.prev_hash,
        })
        .unwrap_or_default()
    }

    /// `SHA-256(canonical)` in lowercase hex.
    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_bytes()))
    }

    /// The row's leaf hash in the Merkle tree: `SHA-256(0x00 ‖ canonical)`.
    pub fn leaf_hash(&self) -> NodeHash {
        NodeHash::leaf(&self.canonical_bytes())
    }

    /// Fill `prev_hash` from the previous row (or genesis), `seq`, and `hash`.
    pub fn chain_after(self, previous: Option<&LedgerEntry>) -> Self {
        self.chain_and_leaf_after(previous).0
    }

    /// [`Self::chain_after`], also returning the row's Merkle leaf hash: what appending
    /// to the ledger needs, from one serialization of the canonical form.
    pub fn chain_and_leaf_after(mut self, previous: Option<&LedgerEntry>) -> (Self, NodeHash) {
        match previous {
            Some(p) => {
                self.seq = p.seq + 1;
                self.prev_hash = p.hash.clone();
            }
            None => {
                self.seq = 1;
                self.prev_hash = GENESIS_HASH.to_owned();
            }
        }
        let leaf = self.fill_hash();
        (self, leaf)
    }

    /// Set `hash` from the row's fields (`seq` and `prev_hash` already set) and return its
    /// Merkle leaf hash, from one serialization of the canonical form.
    pub fn fill_hash(&mut self) -> NodeHash {
        let canonical = self.canonical_bytes();
        self.hash = hex::encode(Sha256::digest(&canonical));
        NodeHash::leaf(&canonical)
    }
}

/// Why a chain failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChainFailure {
    /// A row's stored hash is not the hash of its contents.
    HashMismatch,
    /// A row's `prevHash` is not the previous row's hash (or genesis for `seq` 1).
    BrokenLink,
    /// `seq` does not strictly increase.
    OutOfOrder,
    /// A complete chain skips a `seq` (a row was deleted) or does not start at 1.
    MissingRow,
}

impl ChainFailure {
    /// The wire name, e.g. `hash_mismatch`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainFailure::HashMismatch => "hash_mismatch",
            ChainFailure::BrokenLink => "broken_link",
            ChainFailure::OutOfOrder => "out_of_order",
            ChainFailure::MissingRow => "missing_row",
        }
    }
}

impl std::fmt::Display for ChainFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of [`verify_chain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChainReport {
    /// Every row and every link checked out.
    pub ok: bool,
    /// Rows checked.
    pub rows: usize,
    /// Links between consecutive `seq`s that were checked.
    pub links_checked: usize,
    /// `seq` of the first bad row.
    pub failed_seq: Option<u64>,
    /// Why it failed.
    pub reason: Option<ChainFailure>,
}

/// Verify rows in ascending `seq` order (a full export or a filtered page): every row's
/// hash, every link between consecutive `seq`s, and the genesis link of `seq` 1.
pub fn verify_chain(rows: &[LedgerEntry]) -> ChainReport {
    let mut links_checked = 0;
    let fail = |seq: u64, reason, links_checked| ChainReport {
        ok: false,
        rows: rows.len(),
        links_checked,
        failed_seq: Some(seq),
        reason: Some(reason),
    };
    let mut previous: Option<&LedgerEntry> = None;
    for row in rows {
        if row.compute_hash() != row.hash {
            return fail(row.seq, ChainFailure::HashMismatch, links_checked);
        }
        match previous {
            Some(p) if row.seq <= p.seq => {
                return fail(row.seq, ChainFailure::OutOfOrder, links_checked);
            }
            Some(p) if row.seq == p.seq + 1 => {
                links_checked += 1;
                if row.prev_hash != p.hash {
                    return fail(row.seq, ChainFailure::BrokenLink, links_checked);
                }
            }
            _ => {}
        }
        if row.seq == 1 {
            links_checked += 1;
            if row.prev_hash != GENESIS_HASH {
                return fail(row.seq, ChainFailure::BrokenLink, links_checked);
            }
        }
        previous = Some(row);
    }
    ChainReport {
        ok: true,
        rows: rows.len(),
        links_checked,
        failed_seq: None,
        reason: None,
    }
}

/// Verify a complete export: [`verify_chain`] plus no gaps, starting at `seq` 1, so a
/// deleted row is detected too.
pub fn verify_complete_chain(rows: &[LedgerEntry]) -> ChainReport {
    let report = verify_chain(rows);
    if !report.ok {
        return report;
    }
    for (expected, row) in (1u64..).zip(rows) {
        if row.seq != expected {
            return ChainReport {
                ok: false,
                failed_seq: Some(row.seq),
                reason: Some(ChainFailure::MissingRow),
                ..report
            };
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::ChainFailure;

    #[test]
    fn chain_failure_text_is_its_wire_name() {
        for f in [
            ChainFailure::HashMismatch,
            ChainFailure::BrokenLink,
            ChainFailure::OutOfOrder,
            ChainFailure::MissingRow,
        ] {
            let wire = serde_json::to_value(f).unwrap();
            assert_eq!(wire, serde_json::Value::String(f.as_str().to_owned()));
            assert_eq!(f.to_string(), f.as_str());
        }
    }
}
