//! The RFC 9162 Merkle tree over an organisation's rows (`docs/formats.md` §7): hashing,
//! roots at any size, and inclusion and consistency paths.
//!
//! The algorithms read only the hashes of *complete* subtrees (2^level leaves starting
//! at a multiple of 2^level), through [`SubtreeHashes`]. Those hashes never change once
//! the subtree is full, so a store can write them once, as they complete
//! ([`hashes_completed_by`]), and answer any root or proof at any past size with
//! O(log n) reads each. [`MerkleTree`] keeps them in memory; a database keeps them in a
//! table and, if its reads are asynchronous, asks [`needed_subtrees`] which to fetch
//! first.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::encoding::{b64, fixed, from_b64};
use crate::{Error, Result};

/// A 32-byte SHA-256 tree hash (leaf, inner node or root). On the wire: `b64`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeHash([u8; 32]);

impl NodeHash {
    /// Wrap 32 raw bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        NodeHash(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `SHA-256(0x00 ‖ data)`: the hash of a leaf.
    pub fn leaf(data: &[u8]) -> Self {
        NodeHash(
            Sha256::new()
                .chain_update([0x00])
                .chain_update(data)
                .finalize()
                .into(),
        )
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`: the hash of an inner node.
    pub fn node(left: &NodeHash, right: &NodeHash) -> Self {
        NodeHash(
            Sha256::new()
                .chain_update([0x01])
                .chain_update(left.0)
                .chain_update(right.0)
                .finalize()
                .into(),
        )
    }

    /// `SHA-256("")`: the root of the empty tree.
    pub fn empty_tree() -> Self {
        NodeHash(Sha256::digest([]).into())
    }

    /// Standard base64 with padding, as in checkpoints and proofs.
    pub fn to_base64(&self) -> String {
        b64(&self.0)
    }

    /// Parse the base64 form (exactly 32 bytes, canonical encoding).
    pub fn from_base64(text: &str) -> Result<Self> {
        const WHAT: &str = "tree hash";
        Ok(NodeHash(fixed(WHAT, from_b64(WHAT, text)?)?))
    }

    /// Lowercase hex, for messages.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for NodeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeHash({})", self.to_hex())
    }
}

impl fmt::Display for NodeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl Serialize for NodeHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for NodeHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        NodeHash::from_base64(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl utoipa::PartialSchema for NodeHash {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A 32-byte SHA-256 tree hash, standard base64 with padding.",
            ))
            .min_length(Some(44))
            .max_length(Some(44))
            .into()
    }
}

#[cfg(feature = "schema")]
impl utoipa::ToSchema for NodeHash {}

/// A complete subtree: the `2^level` leaves starting at leaf `index << level`.
/// Level 0 is a single leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubtreeId {
    /// Height: the subtree holds `2^level` leaves (`level` ≤ 63).
    pub level: u8,
    /// Position among the subtrees of that height, from the left.
    pub index: u64,
}

impl SubtreeId {
    /// The subtrees that become complete when the leaf `leaf_index` is appended, from the
    /// leaf itself (level 0) upwards: one more for every trailing one bit of the index.
    pub fn completed_by(leaf_index: u64) -> impl Iterator<Item = SubtreeId> {
        (0..=leaf_index.trailing_ones()).map(move |level| SubtreeId {
            // `level` ≤ 64 only when every bit is set, which no u64 leaf index can be
            // while the tree size (index + 1) still fits: the shift stays in range.
            level: u8::try_from(level).unwrap_or(u8::MAX),
            index: leaf_index.checked_shr(level).unwrap_or(0),
        })
    }

    /// The index of the last leaf in the subtree: the append that completes it.
    pub fn completing_leaf(&self) -> u64 {
        let end = (u128::from(self.index) + 1) << self.level.min(63);
        u64::try_from(end - 1).unwrap_or(u64::MAX)
    }
}

/// Read access to the hashes of complete subtrees.
pub trait SubtreeHashes {
    /// The hash of a complete subtree; an error when it is not (yet) stored.
    fn subtree_hash(&self, id: SubtreeId) -> Result<NodeHash>;
}

impl SubtreeHashes for HashMap<SubtreeId, NodeHash> {
    fn subtree_hash(&self, id: SubtreeId) -> Result<NodeHash> {
        self.get(&id).copied().ok_or_else(|| missing(id))
    }
}

impl SubtreeHashes for BTreeMap<SubtreeId, NodeHash> {
    fn subtree_hash(&self, id: SubtreeId) -> Result<NodeHash> {
        self.get(&id).copied().ok_or_else(|| missing(id))
    }
}

fn missing(id: SubtreeId) -> Error {
    Error::input(
        "Merkle tree",
        format!("subtree {}@{} is not stored", id.index, id.level),
    )
}

/// The largest power of two strictly smaller than `n` (`n` ≥ 2).
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[lo:hi])` for `lo < hi`: one read when the range is a complete subtree, else
/// the RFC's left/right split (the left part is always complete).
fn range_hash<S: SubtreeHashes + ?Sized>(store: &S, lo: u64, hi: u64) -> Result<NodeHash> {
    let n = hi - lo;
    if n.is_power_of_two() && lo.is_multiple_of(n) {
        let level = n.trailing_zeros();
        return store.subtree_hash(SubtreeId {
            level: u8::try_from(level).unwrap_or(u8::MAX),
            index: lo >> level,
        });
    }
    let k = split_point(n);
    Ok(NodeHash::node(
        &range_hash(store, lo, lo + k)?,
        &range_hash(store, lo + k, hi)?,
    ))
}

/// The root hash of the tree of `size` leaves.
pub fn root<S: SubtreeHashes + ?Sized>(store: &S, size: u64) -> Result<NodeHash> {
    if size == 0 {
        return Ok(NodeHash::empty_tree());
    }
    range_hash(store, 0, size)
}

/// `PATH(index, D[0:size])` of RFC 9162 §2.1.3.1: the inclusion path of a leaf, from its
/// sibling up to the root's child.
pub fn inclusion_path<S: SubtreeHashes + ?Sized>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<Vec<NodeHash>> {
    if index >= size {
        return Err(Error::input(
            "inclusion proof request",
            format!("leaf index {index} is not below tree size {size}"),
        ));
    }
    let mut path = Vec::new();
    collect_path(store, index, 0, size, &mut path)?;
    Ok(path)
}

fn collect_path<S: SubtreeHashes + ?Sized>(
    store: &S,
    m: u64,
    lo: u64,
    hi: u64,
    out: &mut Vec<NodeHash>,
) -> Result<()> {
    let n = hi - lo;
    if n == 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m < k {
        collect_path(store, m, lo, lo + k, out)?;
        out.push(range_hash(store, lo + k, hi)?);
    } else {
        collect_path(store, m - k, lo + k, hi, out)?;
        out.push(range_hash(store, lo, lo + k)?);
    }
    Ok(())
}

/// `PROOF(size1, D[0:size2])` of RFC 9162 §2.1.4.1: the consistency path between two
/// sizes. Empty when the sizes are equal or `size1` is 0.
pub fn consistency_path<S: SubtreeHashes + ?Sized>(
    store: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<NodeHash>> {
    if size1 > size2 {
        return Err(Error::input(
            "consistency proof request",
            format!("tree size {size1} is larger than {size2}"),
        ));
    }
    let mut path = Vec::new();
    if size1 > 0 && size1 < size2 {
        collect_subproof(store, size1, 0, size2, true, &mut path)?;
    }
    Ok(path)
}

fn collect_subproof<S: SubtreeHashes + ?Sized>(
    store: &S,
    m: u64,
    lo: u64,
    hi: u64,
    whole_old_tree: bool,
    out: &mut Vec<NodeHash>,
) -> Result<()> {
    let n = hi - lo;
    if m == n {
        if !whole_old_tree {
            out.push(range_hash(store, lo, hi)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        collect_subproof(store, m, lo, lo + k, whole_old_tree, out)?;
        out.push(range_hash(store, lo + k, hi)?);
    } else {
        collect_subproof(store, m - k, lo + k, hi, false, out)?;
        out.push(range_hash(store, lo, lo + k)?);
    }
    Ok(())
}

/// The subtree hashes to store when the leaf `leaf_index` (with hash `leaf_hash`) is
/// appended to a tree of `leaf_index` leaves: the leaf itself and every inner node it
/// completes. Reads the left siblings from `store`.
pub fn hashes_completed_by<S: SubtreeHashes + ?Sized>(
    store: &S,
    leaf_index: u64,
    leaf_hash: NodeHash,
) -> Result<Vec<(SubtreeId, NodeHash)>> {
    let mut out: Vec<(SubtreeId, NodeHash)> = Vec::new();
    for id in SubtreeId::completed_by(leaf_index) {
        let hash = match out.last() {
            None => leaf_hash,
            Some((right_id, right)) => {
                let left = store.subtree_hash(SubtreeId {
                    level: right_id.level,
                    index: right_id.index - 1,
                })?;
                NodeHash::node(&left, right)
            }
        };
        out.push((id, hash));
    }
    Ok(out)
}

/// Which subtree hashes an operation reads, without reading any: run `operation` against
/// a recorder. The set depends only on the sizes and indexes, never on hash values, so
/// a store with asynchronous reads fetches exactly these, puts them in a map and runs
/// the operation again on the map.
pub fn needed_subtrees<T>(
    operation: impl FnOnce(&dyn SubtreeHashes) -> Result<T>,
) -> Result<Vec<SubtreeId>> {
    struct Recorder(RefCell<Vec<SubtreeId>>);
    impl SubtreeHashes for Recorder {
        fn subtree_hash(&self, id: SubtreeId) -> Result<NodeHash> {
            self.0.borrow_mut().push(id);
            Ok(NodeHash::from_bytes([0; 32]))
        }
    }
    let recorder = Recorder(RefCell::new(Vec::new()));
    operation(&recorder)?;
    let mut ids = recorder.0.into_inner();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// An in-memory tree: every complete subtree hash, level by level (about 2n hashes,
/// 64 bytes per leaf). Roots and proofs at any size up to the current one.
#[derive(Debug, Clone, Default)]
pub struct MerkleTree {
    /// `levels[k][i]` is the hash of [`SubtreeId`] `{ level: k, index: i }`.
    levels: Vec<Vec<NodeHash>>,
}

impl MerkleTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tree over these rows' canonical bytes, in order (leaf `i` = row `seq` `i + 1`:
    /// give the complete chain, as [`super::verify_complete_chain`] checks it).
    pub fn from_entries<'a>(rows: impl IntoIterator<Item = &'a super::LedgerEntry>) -> Self {
        let mut tree = MerkleTree::new();
        for row in rows {
            tree.push_leaf_hash(row.leaf_hash());
        }
        tree
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Append a leaf by its data.
    pub fn push(&mut self, leaf_data: &[u8]) {
        self.push_leaf_hash(NodeHash::leaf(leaf_data));
    }

    /// Append a leaf by its leaf hash; stores the inner nodes it completes.
    pub fn push_leaf_hash(&mut self, leaf_hash: NodeHash) {
        let mut hash = leaf_hash;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(hash);
            if row.len() % 2 == 1 {
                return;
            }
            hash = NodeHash::node(&row[row.len() - 2], &row[row.len() - 1]);
            level += 1;
        }
    }

    /// The root at the current size.
    pub fn root(&self) -> NodeHash {
        // Every subtree of the current size is stored: this cannot fail.
        root(self, self.size()).unwrap_or_else(|_| NodeHash::empty_tree())
    }

    /// The root at an earlier (or the current) size.
    pub fn root_at(&self, size: u64) -> Result<NodeHash> {
        self.check_size(size)?;
        root(self, size)
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<super::InclusionProof> {
        self.check_size(size)?;
        Ok(super::InclusionProof {
            leaf_index: index,
            tree_size: size,
            inclusion_path: inclusion_path(self, index, size)?,
        })
    }

    /// The consistency proof from `size1` to `size2` leaves.
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<super::ConsistencyProof> {
        self.check_size(size2)?;
        Ok(super::ConsistencyProof {
            tree_size_1: size1,
            tree_size_2: size2,
            consistency_path: consistency_path(self, size1, size2)?,
        })
    }

    fn check_size(&self, size: u64) -> Result<()> {
        if size > self.size() {
            return Err(Error::input(
                "tree size",
                format!("{size} is beyond the tree's {} leaves", self.size()),
            ));
        }
        Ok(())
    }
}

impl SubtreeHashes for MerkleTree {
    fn subtree_hash(&self, id: SubtreeId) -> Result<NodeHash> {
        let index = usize::try_from(id.index).map_err(|_| missing(id))?;
        self.levels
            .get(usize::from(id.level))
            .and_then(|row| row.get(index))
            .copied()
            .ok_or_else(|| missing(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MTH straight from the RFC's recursive definition, over leaf data.
    fn reference_root(leaves: &[Vec<u8>]) -> NodeHash {
        match leaves.len() {
            0 => NodeHash::empty_tree(),
            1 => NodeHash::leaf(&leaves[0]),
            n => {
                let k = split_point(n as u64) as usize;
                NodeHash::node(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    fn leaves(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("leaf {i}").into_bytes()).collect()
    }

    #[test]
    fn roots_match_the_recursive_definition_at_every_size() {
        let data = leaves(70);
        let mut tree = MerkleTree::new();
        assert_eq!(tree.root(), NodeHash::empty_tree());
        for (i, leaf) in data.iter().enumerate() {
            tree.push(leaf);
            assert_eq!(tree.root(), reference_root(&data[..=i]), "size {}", i + 1);
        }
        for size in 0..=70u64 {
            assert_eq!(
                tree.root_at(size).unwrap(),
                reference_root(&data[..size as usize])
            );
        }
        assert!(tree.root_at(71).is_err());
    }

    #[test]
    fn stored_hashes_are_exactly_the_ones_appends_complete() {
        let mut tree = MerkleTree::new();
        let mut map: HashMap<SubtreeId, NodeHash> = HashMap::new();
        for (i, leaf) in leaves(37).iter().enumerate() {
            let leaf_hash = NodeHash::leaf(leaf);
            for (id, hash) in hashes_completed_by(&map, i as u64, leaf_hash).unwrap() {
                assert_eq!(id.completing_leaf(), i as u64);
                map.insert(id, hash);
            }
            tree.push_leaf_hash(leaf_hash);
        }
        for (id, hash) in &map {
            assert_eq!(tree.subtree_hash(*id).unwrap(), *hash);
        }
        let stored: usize = tree.levels.iter().map(Vec::len).sum();
        assert_eq!(stored, map.len());
        // The map alone answers roots and proofs.
        assert_eq!(root(&map, 37).unwrap(), tree.root());
        assert_eq!(
            inclusion_path(&map, 5, 30).unwrap(),
            inclusion_path(&tree, 5, 30).unwrap()
        );
    }

    #[test]
    fn needed_subtrees_are_enough_to_answer() {
        let mut tree = MerkleTree::new();
        for leaf in leaves(1000) {
            tree.push(&leaf);
        }
        let ids = needed_subtrees(|s| consistency_path(s, 377, 999)).unwrap();
        let map: HashMap<SubtreeId, NodeHash> = ids
            .iter()
            .map(|id| (*id, tree.subtree_hash(*id).unwrap()))
            .collect();
        assert_eq!(
            consistency_path(&map, 377, 999).unwrap(),
            consistency_path(&tree, 377, 999).unwrap()
        );
        assert!(ids.len() < 40, "{} reads", ids.len());
    }

    #[test]
    fn bad_requests_are_errors() {
        let mut tree = MerkleTree::new();
        tree.push(b"a");
        assert!(tree.inclusion_proof(1, 1).is_err());
        assert!(tree.inclusion_proof(0, 2).is_err());
        assert!(tree.consistency_proof(2, 1).is_err());
        assert!(tree.consistency_proof(1, 2).is_err());
        assert!(NodeHash::from_base64("AAAA").is_err());
    }
}
