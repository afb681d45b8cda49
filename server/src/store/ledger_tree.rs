//! The ledger's Merkle tree (docs/formats.md §7), stored in the rows themselves: the row
//! with leaf index `i` (`seq` = i + 1) keeps, in its `tree` column, the hashes of the
//! complete subtrees its append completed — its leaf hash, then one more per trailing one
//! bit of `i` — 32 bytes each. So the tree is written by the row's own INSERT, and roots
//! and proofs at any past size are read from O(log n) rows (core's `ledger::tree`).

use std::collections::HashMap;

use postq::ledger::tree::{self, SubtreeHashes, SubtreeId};
use postq::ledger::{ConsistencyProof, InclusionProof, NodeHash};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{Store, StoreError, StoreResult};

const HASH_LEN: usize = 32;

/// Core's tree algorithms failed on hashes this store handed them: a missing or short
/// `tree` column.
fn corrupt(org_id: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table: "ledger",
        id: org_id.to_owned(),
        column: "tree",
        value: detail.to_string(),
    }
}

fn seq_of(leaf_index: u64) -> i64 {
    i64::try_from(leaf_index + 1).unwrap_or(i64::MAX)
}

/// Read the subtree hashes `ids` of one organisation from the rows that completed them.
async fn read_subtrees(
    conn: &mut SqliteConnection,
    org_id: &str,
    ids: &[SubtreeId],
) -> StoreResult<HashMap<SubtreeId, NodeHash>> {
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    let mut query = QueryBuilder::<Sqlite>::new("SELECT seq, tree FROM ledger WHERE org_id = ");
    query.push_bind(org_id).push(" AND seq IN (");
    let mut seqs = query.separated(", ");
    for id in ids {
        seqs.push_bind(seq_of(id.completing_leaf()));
    }
    query.push(")");
    let rows: Vec<(i64, Option<Vec<u8>>)> = query.build_query_as().fetch_all(conn).await?;
    let by_seq: HashMap<i64, Vec<u8>> = rows
        .into_iter()
        .filter_map(|(seq, tree)| tree.map(|t| (seq, t)))
        .collect();
    for id in ids {
        let seq = seq_of(id.completing_leaf());
        let start = usize::from(id.level) * HASH_LEN;
        let bytes = by_seq
            .get(&seq)
            .and_then(|tree| tree.get(start..start + HASH_LEN))
            .ok_or_else(|| corrupt(org_id, format!("row seq {seq} lacks level {}", id.level)))?;
        let mut hash = [0u8; HASH_LEN];
        hash.copy_from_slice(bytes);
        out.insert(*id, NodeHash::from_bytes(hash));
    }
    Ok(out)
}

/// Run a core tree operation against the stored hashes: ask core which subtrees it reads,
/// fetch them in one query, run it on those.
async fn with_subtrees<T>(
    conn: &mut SqliteConnection,
    org_id: &str,
    operation: impl Fn(&dyn SubtreeHashes) -> postq::Result<T>,
) -> StoreResult<T> {
    let ids = tree::needed_subtrees(&operation).map_err(|e| corrupt(org_id, e))?;
    let hashes = read_subtrees(conn, org_id, &ids).await?;
    operation(&hashes).map_err(|e| corrupt(org_id, e))
}

/// The `tree` column of the row appended as leaf `leaf_index` with `leaf_hash`.
pub(super) async fn tree_column(
    conn: &mut SqliteConnection,
    org_id: &str,
    leaf_index: u64,
    leaf_hash: NodeHash,
) -> StoreResult<Vec<u8>> {
    let completed = with_subtrees(conn, org_id, |s| {
        tree::hashes_completed_by(s, leaf_index, leaf_hash)
    })
    .await?;
    Ok(completed
        .iter()
        .flat_map(|(_, hash)| *hash.as_bytes())
        .collect())
}

impl Store {
    /// The number of rows in an organisation's ledger (its tree size).
    pub(crate) async fn ledger_size(&self, org_id: &str) -> StoreResult<u64> {
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM ledger WHERE org_id = ?")
            .bind(org_id)
            .fetch_one(&self.reader)
            .await?;
        Ok(max.and_then(|m| u64::try_from(m).ok()).unwrap_or(0))
    }

    /// The tree's root at `size` rows (`size` ≤ [`Self::ledger_size`]).
    pub(crate) async fn ledger_root(&self, org_id: &str, size: u64) -> StoreResult<NodeHash> {
        let mut conn = self.reader.acquire().await?;
        with_subtrees(&mut conn, org_id, |s| tree::root(s, size)).await
    }

    /// The inclusion proof of row `seq` in the tree of `size` rows (1 ≤ seq ≤ size ≤
    /// [`Self::ledger_size`]).
    pub(crate) async fn ledger_inclusion_proof(
        &self,
        org_id: &str,
        seq: u64,
        size: u64,
    ) -> StoreResult<InclusionProof> {
        let mut conn = self.reader.acquire().await?;
        let index = seq.saturating_sub(1);
        let path =
            with_subtrees(&mut conn, org_id, |s| tree::inclusion_path(s, index, size)).await?;
        Ok(InclusionProof {
            leaf_index: index,
            tree_size: size,
            inclusion_path: path,
        })
    }

    /// The consistency proof from `size1` to `size2` rows (size1 ≤ size2 ≤
    /// [`Self::ledger_size`]).
    pub(crate) async fn ledger_consistency_proof(
        &self,
        org_id: &str,
        size1: u64,
        size2: u64,
    ) -> StoreResult<ConsistencyProof> {
        let mut conn = self.reader.acquire().await?;
        let path = with_subtrees(&mut conn, org_id, |s| {
            tree::consistency_path(s, size1, size2)
        })
        .await?;
        Ok(ConsistencyProof {
            tree_size_1: size1,
            tree_size_2: size2,
            consistency_path: path,
        })
    }

    /// Fill the `tree` column of rows written before the tree existed, per organisation
    /// in `seq` order, one transaction per batch. Idempotent and crash-safe: the rows
    /// still NULL are always a suffix of each organisation's ledger. Returns the rows
    /// filled.
    pub(crate) async fn backfill_ledger_tree(&self) -> StoreResult<u64> {
        const BATCH: i64 = 1000;
        let mut filled = 0u64;
        let orgs: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT org_id FROM ledger WHERE tree IS NULL")
                .fetch_all(&self.writer)
                .await?;
        for org_id in orgs {
            loop {
                let mut tx = self.begin_write().await?;
                let rows: Vec<super::ledger::LedgerRow> = sqlx::query_as(
                    "SELECT org_id, seq, id, event_type, actor, resource_id, occurred_at, details, prev_hash, hash
                     FROM ledger WHERE org_id = ? AND tree IS NULL ORDER BY seq ASC LIMIT ?",
                )
                .bind(&org_id)
                .bind(BATCH)
                .fetch_all(&mut *tx)
                .await?;
                if rows.is_empty() {
                    break;
                }
                for row in rows {
                    let entry = row.into_entry()?;
                    let leaf = NodeHash::leaf(&entry.canonical_bytes());
                    let column =
                        tree_column(&mut tx, &org_id, entry.seq.saturating_sub(1), leaf).await?;
                    sqlx::query("UPDATE ledger SET tree = ? WHERE org_id = ? AND seq = ?")
                        .bind(column)
                        .bind(&org_id)
                        .bind(seq_of(entry.seq.saturating_sub(1)))
                        .execute(&mut *tx)
                        .await?;
                    filled += 1;
                }
                super::commit(tx).await?;
            }
        }
        Ok(filled)
    }
}
