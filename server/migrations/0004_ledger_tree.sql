-- The audit ledger's RFC 9162 Merkle tree (docs/formats.md §7), kept in the rows
-- themselves: the row with leaf index i (seq = i + 1) stores the hashes of the complete
-- subtrees its append completed (its leaf hash, then one per trailing one bit of i),
-- 32 bytes each, level 0 first. Written in the row's own INSERT, so the tree can never
-- disagree with the rows; NULL only for rows written before this migration, filled in
-- seq order on start.
ALTER TABLE ledger ADD COLUMN tree BLOB;

-- The ledger signing key lives in `meta` (sealed under the KEK), like the KEK check.
