//! Inclusion and consistency proofs on the wire (`docs/formats.md` §7) and their
//! verification, the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.

use serde::{Deserialize, Serialize};

use super::LedgerFailure;
use super::tree::NodeHash;
use crate::{Error, Result};

/// Longest inclusion path accepted (a tree of 2^64 leaves needs 64).
pub const MAX_INCLUSION_PATH: usize = 64;
/// Longest consistency path accepted.
pub const MAX_CONSISTENCY_PATH: usize = 128;

/// Proof that leaf `leaf_index` is in the tree of `tree_size` leaves (RFC 9162 §2.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InclusionProof {
    /// Zero-based leaf index (a row's `seq − 1`).
    pub leaf_index: u64,
    /// The tree size the proof is for.
    pub tree_size: u64,
    /// Sibling hashes from the leaf up to the root's child.
    pub inclusion_path: Vec<NodeHash>,
}

/// Proof that the tree of `tree_size_1` leaves is a prefix of the tree of `tree_size_2`
/// leaves (RFC 9162 §2.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsistencyProof {
    /// The older, smaller size.
    #[serde(rename = "treeSize1")]
    pub tree_size_1: u64,
    /// The newer size.
    #[serde(rename = "treeSize2")]
    pub tree_size_2: u64,
    /// The RFC's `PROOF(treeSize1, D[0:treeSize2])`.
    pub consistency_path: Vec<NodeHash>,
}

fn inclusion_failed(detail: impl Into<String>) -> Error {
    Error::Ledger {
        failure: LedgerFailure::InclusionProofFailed,
        detail: detail.into(),
    }
}

fn consistency_failed(detail: impl Into<String>) -> Error {
    Error::Ledger {
        failure: LedgerFailure::ConsistencyProofFailed,
        detail: detail.into(),
    }
}

/// Proof JSON is refused above this size (a full path is under 6 KiB).
const PROOF_JSON_LIMIT: usize = 16 * 1024;

fn parse_json<T: serde::de::DeserializeOwned>(what: &'static str, text: &str) -> Result<T> {
    crate::encoding::check_size(what, text.len(), PROOF_JSON_LIMIT)?;
    serde_json::from_str(text).map_err(|e| Error::input(what, e.to_string()))
}

impl InclusionProof {
    /// Parse the JSON form (`invalid_input` on any deviation).
    pub fn from_json(text: &str) -> Result<Self> {
        parse_json("inclusion proof", text)
    }

    /// Check that a leaf with hash `leaf_hash` is at `leaf_index` in the tree whose root
    /// at `tree_size` is `root`.
    pub fn verify(&self, leaf_hash: &NodeHash, root: &NodeHash) -> Result<()> {
        if self.inclusion_path.len() > MAX_INCLUSION_PATH {
            return Err(inclusion_failed("inclusion path is too long"));
        }
        match root_from_inclusion_path(
            self.leaf_index,
            self.tree_size,
            leaf_hash,
            &self.inclusion_path,
        ) {
            Some(computed) if computed == *root => Ok(()),
            Some(computed) => Err(inclusion_failed(format!(
                "leaf {} of tree size {} leads to root {computed}, not {root}",
                self.leaf_index, self.tree_size
            ))),
            None => Err(inclusion_failed(format!(
                "the path does not fit leaf {} of tree size {}",
                self.leaf_index, self.tree_size
            ))),
        }
    }
}

/// RFC 9162 §2.1.3.2 steps 1–5, returning the computed root (`None` when the path has the
/// wrong shape for the index and size).
fn root_from_inclusion_path(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &NodeHash,
    path: &[NodeHash],
) -> Option<NodeHash> {
    if leaf_index >= tree_size {
        return None;
    }
    let mut f_n = leaf_index;
    let mut s_n = tree_size - 1;
    let mut r = *leaf_hash;
    for p in path {
        if s_n == 0 {
            return None;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = NodeHash::node(p, &r);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            r = NodeHash::node(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    (s_n == 0).then_some(r)
}

impl ConsistencyProof {
    /// Parse the JSON form (`invalid_input` on any deviation).
    pub fn from_json(text: &str) -> Result<Self> {
        parse_json("consistency proof", text)
    }

    /// Check that `root1` (the root at `tree_size_1`) and `root2` (at `tree_size_2`)
    /// belong to one append-only history.
    pub fn verify(&self, root1: &NodeHash, root2: &NodeHash) -> Result<()> {
        let (m, n, path) = (self.tree_size_1, self.tree_size_2, &self.consistency_path);
        if path.len() > MAX_CONSISTENCY_PATH {
            return Err(consistency_failed("consistency path is too long"));
        }
        if m > n {
            return Err(consistency_failed(format!(
                "tree size {m} is larger than {n}: the log shrank"
            )));
        }
        if m == 0 || m == n {
            if !path.is_empty() {
                return Err(consistency_failed(format!(
                    "a proof from size {m} to {n} must be empty"
                )));
            }
            if m == n && root1 != root2 {
                return Err(consistency_failed(format!(
                    "two different roots at tree size {m}: {root1} and {root2}"
                )));
            }
            return Ok(());
        }
        match roots_from_consistency_path(m, n, root1, path) {
            Some((fr, sr)) if fr == *root1 && sr == *root2 => Ok(()),
            Some(_) => Err(consistency_failed(format!(
                "the tree of size {n} (root {root2}) does not extend the tree of size {m} (root {root1})"
            ))),
            None => Err(consistency_failed(format!(
                "the path does not fit tree sizes {m} and {n}"
            ))),
        }
    }
}

/// RFC 9162 §2.1.4.2 steps 2–7 for `0 < m < n`: the two roots the path leads to, or
/// `None` when the path has the wrong shape.
fn roots_from_consistency_path(
    m: u64,
    n: u64,
    root1: &NodeHash,
    path: &[NodeHash],
) -> Option<(NodeHash, NodeHash)> {
    let mut hashes: Vec<NodeHash> = Vec::with_capacity(path.len() + 1);
    if m.is_power_of_two() {
        hashes.push(*root1);
    }
    hashes.extend_from_slice(path);
    let (first, rest) = hashes.split_first()?;
    let mut f_n = m - 1;
    let mut s_n = n - 1;
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let mut fr = *first;
    let mut sr = *first;
    for c in rest {
        if s_n == 0 {
            return None;
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = NodeHash::node(c, &fr);
            sr = NodeHash::node(c, &sr);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            sr = NodeHash::node(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    (s_n == 0).then_some((fr, sr))
}

#[cfg(test)]
mod tests {
    use super::super::tree::MerkleTree;
    use super::*;

    fn tree(n: u64) -> MerkleTree {
        let mut t = MerkleTree::new();
        for i in 0..n {
            t.push(format!("row {i}").as_bytes());
        }
        t
    }

    #[test]
    fn every_inclusion_proof_of_small_trees_verifies_and_tampering_fails() {
        let t = tree(33);
        for size in 1..=33 {
            let root = t.root_at(size).unwrap();
            for index in 0..size {
                let leaf = NodeHash::leaf(format!("row {index}").as_bytes());
                let proof = t.inclusion_proof(index, size).unwrap();
                proof.verify(&leaf, &root).unwrap();
                let other = NodeHash::leaf(b"not a row");
                assert!(proof.verify(&other, &root).is_err());
                if let Some(first) = proof.inclusion_path.first().copied() {
                    let mut bad = proof.clone();
                    bad.inclusion_path[0] = NodeHash::node(&first, &first);
                    assert!(bad.verify(&leaf, &root).is_err());
                    let mut short = proof.clone();
                    short.inclusion_path.pop();
                    assert!(short.verify(&leaf, &root).is_err());
                }
                let mut long = proof.clone();
                long.inclusion_path.push(root);
                assert!(long.verify(&leaf, &root).is_err());
                let mut moved = proof.clone();
                moved.leaf_index = (index + 1) % size;
                if size > 1 {
                    assert!(moved.verify(&leaf, &root).is_err(), "{index}/{size}");
                }
            }
        }
    }

    #[test]
    fn every_consistency_proof_of_small_trees_verifies_and_tampering_fails() {
        let t = tree(33);
        for n in 0..=33 {
            let root2 = t.root_at(n).unwrap();
            for m in 0..=n {
                let root1 = t.root_at(m).unwrap();
                let proof = t.consistency_proof(m, n).unwrap();
                proof.verify(&root1, &root2).unwrap();
                if m > 0 && m < n {
                    let other = NodeHash::leaf(b"forged");
                    assert!(proof.verify(&other, &root2).is_err(), "{m}->{n}");
                    assert!(proof.verify(&root1, &other).is_err(), "{m}->{n}");
                    for i in 0..proof.consistency_path.len() {
                        let mut bad = proof.clone();
                        bad.consistency_path[i] = other;
                        assert!(bad.verify(&root1, &root2).is_err(), "{m}->{n} hash {i}");
                    }
                    let mut short = proof.clone();
                    short.consistency_path.pop();
                    assert!(short.verify(&root1, &root2).is_err());
                }
            }
        }
        let mut shrink = t.consistency_proof(3, 5).unwrap();
        shrink.tree_size_1 = 6;
        assert!(
            shrink
                .verify(&t.root_at(5).unwrap(), &t.root_at(5).unwrap())
                .is_err()
        );
    }

    #[test]
    fn proofs_round_trip_as_json() {
        let t = tree(11);
        let proof = t.inclusion_proof(6, 11).unwrap();
        let json = serde_json::to_string(&proof).unwrap();
        assert!(json.starts_with(r#"{"leafIndex":6,"treeSize":11,"inclusionPath":[""#));
        assert_eq!(
            serde_json::from_str::<InclusionProof>(&json).unwrap(),
            proof
        );
        let proof = t.consistency_proof(5, 11).unwrap();
        let json = serde_json::to_string(&proof).unwrap();
        assert!(json.starts_with(r#"{"treeSize1":5,"treeSize2":11,"consistencyPath":[""#));
        assert_eq!(
            serde_json::from_str::<ConsistencyProof>(&json).unwrap(),
            proof
        );
        for bad in [
            r#"{"treeSize1":1,"treeSize2":2,"consistencyPath":["AAAA"]}"#,
            r#"{"treeSize1":1,"treeSize2":2,"consistencyPath":[],"extra":1}"#,
            r#"{"treeSize1":-1,"treeSize2":2,"consistencyPath":[]}"#,
        ] {
            assert_eq!(
                ConsistencyProof::from_json(bad).unwrap_err().code(),
                "invalid_input"
            );
        }
        assert!(InclusionProof::from_json(&"x".repeat(20_000)).is_err());
    }
}
