//! `cargo bench -p postq --bench ledger`: the audit ledger's Merkle tree at one million
//! rows, measured in the same run as the `ct-merkle` crate (another RFC 6962 tree) on the
//! same leaves, then a table with ratios.
//!
//! - append: building the tree leaf by leaf (postq `MerkleTree::push` vs
//!   `MemoryBackedTree::push`), and the core half of appending a ledger row — chaining
//!   the row (canonical JSON + SHA-256, what the server does today) with and without
//!   also adding it to the tree (goal: with ≥ 0.8× the rate without).
//! - inclusion and consistency proofs at 1 M leaves: size, generation and verification
//!   time (goal: verify ≤ 50 µs).
//! - checkpoints: signing (both halves) and verifying a signed note.
//!
//! A plain program (no criterion): every timing is the median of several batches, which a
//! busy neighbour on a shared machine disturbs less than the mean. Before timing, the
//! peers are checked to agree (roots and proofs byte for byte); any disagreement aborts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code: a failure should abort loudly

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{InclusionProof as CtInclusion, RootHash};
use postq::hybrid::HybridSigningKey;
use postq::ledger::{
    Checkpoint, LedgerEntry, LedgerKey, MerkleTree, NodeHash, Origin, sign_checkpoint,
};
use sha2::Sha256;

const LEAVES: u64 = 1_000_000;
const BATCHES: usize = 15;

/// A realistic row, `seq` from 1.
fn row(seq: u64, previous: Option<&LedgerEntry>) -> LedgerEntry {
    unchained(seq).chain_after(previous)
}

/// The row before chaining (no `seq`, `prevHash` or `hash` yet).
fn unchained(seq: u64) -> LedgerEntry {
    let mut details = BTreeMap::new();
    details.insert("keyVersion".to_owned(), "1".to_owned());
    details.insert("payloadSha256".to_owned(), format!("{seq:064x}"));
    LedgerEntry {
        seq: 0,
        id: format!("evt_01JV{seq:020}"),
        org_id: "org_bench".into(),
        event_type: "sign".into(),
        actor: "apikey:ak_01JVBENCHBENCHBENCH".into(),
        resource_id: Some("hk_01JVBENCHBENCHBENCH".into()),
        occurred_at: "2026-11-22T06:30:00.123Z".into(),
        details,
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// Median seconds per operation over `BATCHES` batches of `per_batch` calls.
fn time_per_op(per_batch: usize, mut op: impl FnMut(usize)) -> f64 {
    let mut samples: Vec<f64> = (0..BATCHES)
        .map(|batch| {
            let start = Instant::now();
            for i in 0..per_batch {
                op(batch * per_batch + i);
            }
            start.elapsed().as_secs_f64() / per_batch as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[BATCHES / 2]
}

/// Like [`time_per_op`] for two operations whose ratio matters: their batches alternate,
/// so a neighbour's load falls on both alike.
fn time_pair(per_batch: usize, mut a: impl FnMut(usize), mut b: impl FnMut(usize)) -> (f64, f64) {
    let mut samples_a = Vec::with_capacity(BATCHES);
    let mut samples_b = Vec::with_capacity(BATCHES);
    for batch in 0..BATCHES {
        for (op, samples) in [
            (&mut a as &mut dyn FnMut(usize), &mut samples_a),
            (&mut b as &mut dyn FnMut(usize), &mut samples_b),
        ] {
            let start = Instant::now();
            for i in 0..per_batch {
                op(batch * per_batch + i);
            }
            samples.push(start.elapsed().as_secs_f64() / per_batch as f64);
        }
    }
    samples_a.sort_by(f64::total_cmp);
    samples_b.sort_by(f64::total_cmp);
    (samples_a[BATCHES / 2], samples_b[BATCHES / 2])
}

fn fmt(seconds: f64) -> String {
    match seconds {
        s if s >= 1e-3 => format!("{:.2} ms", s * 1e3),
        s if s >= 1e-6 => format!("{:.2} µs", s * 1e6),
        s => format!("{:.0} ns", s * 1e9),
    }
}

/// Deterministic spread of indexes over the tree (no RNG dependency).
fn spread(i: usize, n: u64) -> u64 {
    (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) % n
}

fn main() {
    println!("building {LEAVES} ledger rows…");
    let mut rows: Vec<LedgerEntry> = Vec::with_capacity(LEAVES as usize);
    for seq in 1..=LEAVES {
        let next = row(seq, rows.last());
        rows.push(next);
    }
    let leaves: Vec<Vec<u8>> = rows.iter().map(LedgerEntry::canonical_bytes).collect();
    let mean_leaf = leaves.iter().map(Vec::len).sum::<usize>() / leaves.len();

    // Whole-tree builds, once each (1 M leaves is one long batch).
    let start = Instant::now();
    let mut ours = MerkleTree::new();
    for leaf in &leaves {
        ours.push(leaf);
    }
    let ours_build = start.elapsed().as_secs_f64() / LEAVES as f64;
    let start = Instant::now();
    let mut theirs: MemoryBackedTree<Sha256, Vec<u8>> = MemoryBackedTree::new();
    for leaf in &leaves {
        theirs.push(leaf.clone());
    }
    let theirs_build = start.elapsed().as_secs_f64() / LEAVES as f64;

    // Agreement before timing.
    assert_eq!(
        ours.root().as_bytes()[..],
        theirs.root().as_bytes()[..],
        "roots differ"
    );
    for i in 0..100 {
        let index = spread(i, LEAVES);
        let path: Vec<u8> = ours
            .inclusion_proof(index, LEAVES)
            .unwrap()
            .inclusion_path
            .iter()
            .flat_map(|h| *h.as_bytes())
            .collect();
        assert_eq!(
            path,
            theirs.prove_inclusion(index as usize).as_bytes(),
            "inclusion {index}"
        );
    }
    let old = LEAVES - 123_457;
    let consistency = ours.consistency_proof(old, LEAVES).unwrap();
    let ct_consistency = theirs.prove_consistency((LEAVES - old) as usize);
    let path: Vec<u8> = consistency
        .consistency_path
        .iter()
        .flat_map(|h| *h.as_bytes())
        .collect();
    assert_eq!(path, ct_consistency.as_bytes(), "consistency proofs differ");
    println!("peers agree on the root, 100 inclusion proofs and a consistency proof");

    // The core half of a ledger append: chain only vs chain + tree.
    // Each append chains a new row after an existing one (the server's append reads the
    // last row, builds the new one and hashes it); "+ tree" also adds its leaf.
    let mut growing = ours.clone();
    let (chain_only, chain_and_tree) = time_pair(
        50_000,
        |i| {
            let previous = &rows[i % rows.len()];
            black_box(unchained(previous.seq + 1).chain_after(Some(previous)));
        },
        |i| {
            let previous = &rows[i % rows.len()];
            let (entry, leaf) = unchained(previous.seq + 1).chain_and_leaf_after(Some(previous));
            growing.push_leaf_hash(leaf);
            black_box(entry);
        },
    );
    let leaf_hash_only = time_per_op(100_000, |i| {
        black_box(NodeHash::leaf(&leaves[i % leaves.len()]));
    });
    let mut pushed = MerkleTree::new();
    let push_only = time_per_op(100_000, |i| {
        pushed.push_leaf_hash(NodeHash::from_bytes([i as u8; 32]));
    });

    // Inclusion proofs at 1 M leaves.
    let root = ours.root();
    let ct_root: RootHash<Sha256> = theirs.root();
    let proofs: Vec<_> = (0..1000)
        .map(|i| ours.inclusion_proof(spread(i, LEAVES), LEAVES).unwrap())
        .collect();
    let ct_proofs: Vec<CtInclusion<Sha256>> = (0..1000)
        .map(|i| theirs.prove_inclusion(spread(i, LEAVES) as usize))
        .collect();
    let prove_ours = time_per_op(10_000, |i| {
        black_box(ours.inclusion_proof(spread(i, LEAVES), LEAVES).unwrap());
    });
    let prove_theirs = time_per_op(10_000, |i| {
        black_box(theirs.prove_inclusion(spread(i, LEAVES) as usize));
    });
    let verify_ours = time_per_op(20_000, |i| {
        let proof = &proofs[i % 1000];
        let leaf = NodeHash::leaf(&leaves[proof.leaf_index as usize]);
        proof.verify(&leaf, &root).unwrap();
    });
    let verify_theirs = time_per_op(20_000, |i| {
        let index = spread(i % 1000, LEAVES);
        ct_root
            .verify_inclusion(&leaves[index as usize], index, &ct_proofs[i % 1000])
            .unwrap();
    });
    let path_len = proofs[0].inclusion_path.len();
    let json_len = serde_json::to_string(&proofs[0]).unwrap().len();

    // Consistency proofs at 1 M leaves (from a spread of older sizes).
    let olds: Vec<u64> = (0..1000).map(|i| 1 + spread(i, LEAVES - 1)).collect();
    let old_roots: Vec<NodeHash> = olds.iter().map(|&m| ours.root_at(m).unwrap()).collect();
    let cons: Vec<_> = olds
        .iter()
        .map(|&m| ours.consistency_proof(m, LEAVES).unwrap())
        .collect();
    let prove_cons = time_per_op(10_000, |i| {
        black_box(ours.consistency_proof(olds[i % 1000], LEAVES).unwrap());
    });
    let verify_cons = time_per_op(20_000, |i| {
        cons[i % 1000].verify(&old_roots[i % 1000], &root).unwrap();
    });
    let ct_old = RootHash::<Sha256>::new(
        sha2::digest::array::Array::try_from(&old_roots[0].as_bytes()[..]).unwrap(),
        olds[0],
    );
    let ct_cons = theirs.prove_consistency((LEAVES - olds[0]) as usize);
    let verify_cons_theirs = time_per_op(20_000, |_| {
        ct_root.verify_consistency(&ct_old, &ct_cons).unwrap();
    });
    let verify_cons_same = time_per_op(20_000, |_| {
        cons[0].verify(&old_roots[0], &root).unwrap();
    });
    let max_cons = cons
        .iter()
        .map(|c| c.consistency_path.len())
        .max()
        .unwrap_or(0);

    // Checkpoints.
    let key = HybridSigningKey::from_seed(&[7; 64], "ledger", 1).unwrap();
    let origin = Origin::for_org("postq.bench", "org_bench").unwrap();
    let checkpoint = Checkpoint {
        origin: origin.clone(),
        size: LEAVES,
        root,
    };
    let pinned = LedgerKey::new(origin, key.public_key());
    let note = sign_checkpoint(&key, &checkpoint).unwrap();
    let sign = time_per_op(50, |_| {
        black_box(sign_checkpoint(&key, &checkpoint).unwrap());
    });
    let verify_note = time_per_op(200, |_| {
        black_box(pinned.verify_checkpoint(&note).unwrap());
    });

    println!(
        "\naudit ledger at {LEAVES} leaves (mean leaf {mean_leaf} bytes), median of {BATCHES} batches"
    );
    println!(
        "{:<58} {:>10} {:>10} {:>8}",
        "operation", "postq", "ct-merkle", "ratio"
    );
    let line = |name: &str, ours: f64, theirs: f64| {
        println!(
            "{name:<58} {:>10} {:>10} {:>7.2}x",
            fmt(ours),
            fmt(theirs),
            theirs / ours
        );
    };
    line(
        "tree append (per leaf, building 1 M)",
        ours_build,
        theirs_build,
    );
    line("inclusion proof: generate at 1 M", prove_ours, prove_theirs);
    line(
        "inclusion proof: verify (leaf data → root)",
        verify_ours,
        verify_theirs,
    );
    line(
        "consistency proof: verify (same sizes)",
        verify_cons_same,
        verify_cons_theirs,
    );
    println!(
        "{:<58} {:>10}",
        "consistency proof: generate at 1 M, older size spread",
        fmt(prove_cons)
    );
    println!(
        "{:<58} {:>10}",
        "consistency proof: verify, older size spread",
        fmt(verify_cons)
    );
    println!(
        "{:<58} {:>10}",
        "row append, core half: chain only (today)",
        fmt(chain_only)
    );
    println!(
        "{:<58} {:>10}   rate {:.2}x of chain only (goal ≥ 0.80x)",
        "row append, core half: chain + tree",
        fmt(chain_and_tree),
        chain_only / chain_and_tree
    );
    println!(
        "{:<58} {:>10}",
        "  of which: leaf hash of one row",
        fmt(leaf_hash_only)
    );
    println!(
        "{:<58} {:>10}",
        "  of which: tree push of a leaf hash",
        fmt(push_only)
    );
    println!(
        "{:<58} {:>10}",
        "checkpoint: sign (Ed25519 + ML-DSA-65, hedged)",
        fmt(sign)
    );
    println!(
        "{:<58} {:>10}",
        "checkpoint: verify signed note (both halves)",
        fmt(verify_note)
    );
    println!(
        "\ninclusion proof at 1 M: {path_len} hashes = {} bytes raw, {json_len} bytes JSON (log2 1M ≈ 20); \
         consistency proofs up to {max_cons} hashes; signed note {} bytes",
        path_len * 32,
        note.len()
    );
    println!(
        "goal: inclusion verify ≤ 50 µs — {} ({})",
        fmt(verify_ours),
        if verify_ours <= 50e-6 {
            "met"
        } else {
            "NOT met"
        }
    );
}
