//! A client's memory of one ledger: the pinned key and the last checkpoint it verified.
//! It only moves forward along one append-only history (`docs/formats.md` §7).

use serde::{Deserialize, Serialize};

use super::checkpoint::Checkpoint;
use super::key::LedgerKey;
use super::proof::{ConsistencyProof, InclusionProof};
use super::{LedgerEntry, LedgerFailure};
use crate::{Error, Result};

/// A state file is refused above this size.
pub const STATE_LIMIT: usize = 256 * 1024;

/// What observing a checkpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// The first checkpoint seen: nothing to be consistent with yet.
    First(Checkpoint),
    /// The same tree as before.
    Unchanged(Checkpoint),
    /// The tree grew, and the consistency proof showed it only appended.
    Extended {
        /// The checkpoint held before.
        from: Checkpoint,
        /// The checkpoint held now.
        to: Checkpoint,
    },
}

impl Observation {
    /// The checkpoint now held.
    pub fn checkpoint(&self) -> &Checkpoint {
        match self {
            Observation::First(c) | Observation::Unchanged(c) => c,
            Observation::Extended { to, .. } => to,
        }
    }
}

/// The pinned ledger key and the last verified checkpoint (kept as the signed note, so
/// contradicting checkpoints are evidence).
#[derive(Debug, Clone)]
pub struct Witness {
    key: LedgerKey,
    latest: Option<(Checkpoint, String)>,
}

/// The state file's JSON, fields in wire order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessJson {
    v: u32,
    key: LedgerKey,
    checkpoint: Option<String>,
}

fn failure(failure: LedgerFailure, detail: String) -> Error {
    Error::Ledger { failure, detail }
}

impl Witness {
    /// Pin `key`; no checkpoint seen yet.
    pub fn pin(key: LedgerKey) -> Self {
        Witness { key, latest: None }
    }

    /// The pinned key.
    pub fn key(&self) -> &LedgerKey {
        &self.key
    }

    /// The last verified checkpoint.
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.latest.as_ref().map(|(c, _)| c)
    }

    /// The last verified checkpoint as the signed note it came in.
    pub fn signed_checkpoint(&self) -> Option<&str> {
        self.latest.as_ref().map(|(_, note)| note.as_str())
    }

    /// Refuse a key other than the pinned one (`ledger_key_changed`).
    pub fn expect_key(&self, key: &LedgerKey) -> Result<()> {
        if *key == self.key {
            return Ok(());
        }
        Err(failure(
            LedgerFailure::KeyChanged,
            format!(
                "the key given ({}, Ed25519 {:08x}) is not the pinned key ({}, Ed25519 {:08x})",
                key.origin(),
                key.ed25519_key_id(),
                self.key.origin(),
                self.key.ed25519_key_id()
            ),
        ))
    }

    /// Take in a signed checkpoint. With a checkpoint already held, a larger one needs
    /// `proof` (from the held size to the new one); a smaller one is a shrink, an equal
    /// size with another root a fork. The held checkpoint changes only on success.
    pub fn observe(
        &mut self,
        signed_note: &str,
        proof: Option<&ConsistencyProof>,
    ) -> Result<Observation> {
        let new = self.key.verify_checkpoint(signed_note)?;
        let observation = match &self.latest {
            None => Observation::First(new.clone()),
            Some((old, _)) => check_extends(old, &new, proof)?,
        };
        self.latest = Some((new, signed_note.to_owned()));
        Ok(observation)
    }

    /// Check that `entry` is the row at its `seq` in the held checkpoint's tree.
    pub fn verify_inclusion(&self, entry: &LedgerEntry, proof: &InclusionProof) -> Result<()> {
        let Some((held, _)) = &self.latest else {
            return Err(failure(
                LedgerFailure::InclusionProofFailed,
                "no checkpoint verified yet".into(),
            ));
        };
        if proof.tree_size != held.size || Some(proof.leaf_index) != entry.seq.checked_sub(1) {
            return Err(failure(
                LedgerFailure::InclusionProofFailed,
                format!(
                    "the proof is for leaf {} of tree size {}, not row seq {} of the held tree size {}",
                    proof.leaf_index, proof.tree_size, entry.seq, held.size
                ),
            ));
        }
        proof.verify(&entry.leaf_hash(), &held.root)
    }

    /// The state file JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&WitnessJson {
            v: 1,
            key: self.key.clone(),
            checkpoint: self.latest.as_ref().map(|(_, note)| note.clone()),
        })
        .unwrap_or_default()
    }

    /// Load a state file; the stored checkpoint is verified again against the stored key.
    pub fn from_json(text: &str) -> Result<Self> {
        crate::encoding::check_size("ledger state", text.len(), STATE_LIMIT)?;
        let json: WitnessJson =
            serde_json::from_str(text).map_err(|e| Error::input("ledger state", e.to_string()))?;
        if json.v != 1 {
            return Err(Error::Unsupported {
                what: "ledger state version",
                found: json.v.to_string(),
            });
        }
        let mut witness = Witness::pin(json.key);
        if let Some(note) = json.checkpoint {
            witness.observe(&note, None)?;
        }
        Ok(witness)
    }
}

/// The rules of the table in `docs/formats.md` §7 for a held `old` and a verified `new`.
fn check_extends(
    old: &Checkpoint,
    new: &Checkpoint,
    proof: Option<&ConsistencyProof>,
) -> Result<Observation> {
    if new.size < old.size {
        return Err(failure(
            LedgerFailure::Shrink,
            format!(
                "the log has {} rows now, but a checkpoint of {} rows was verified before",
                new.size, old.size
            ),
        ));
    }
    if new.size == old.size {
        if new.root != old.root {
            return Err(failure(
                LedgerFailure::Fork,
                format!(
                    "two checkpoints of {} rows with different roots: {} (held) and {} (new)",
                    old.size, old.root, new.root
                ),
            ));
        }
        return Ok(Observation::Unchanged(new.clone()));
    }
    let Some(proof) = proof else {
        // The empty tree is a prefix of every tree: nothing to prove.
        if old.size == 0 {
            return Ok(Observation::Extended {
                from: old.clone(),
                to: new.clone(),
            });
        }
        return Err(failure(
            LedgerFailure::ConsistencyProofFailed,
            format!(
                "no consistency proof from {} to {} rows",
                old.size, new.size
            ),
        ));
    };
    if proof.tree_size_1 != old.size || proof.tree_size_2 != new.size {
        return Err(failure(
            LedgerFailure::ConsistencyProofFailed,
            format!(
                "the proof is from {} to {} rows, not from {} to {}",
                proof.tree_size_1, proof.tree_size_2, old.size, new.size
            ),
        ));
    }
    proof.verify(&old.root, &new.root)?;
    Ok(Observation::Extended {
        from: old.clone(),
        to: new.clone(),
    })
}
