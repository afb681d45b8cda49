//! `tests/vectors/ledger-tree.json`: the audit ledger's Merkle tree, proofs and signed
//! checkpoints (docs/formats.md §7), for the Rust tests and the independent Go (tlog,
//! signed-note) and Node (noble ML-DSA-65) checks.

use std::collections::BTreeMap;

use postq::hybrid::HybridSigningKey;
use postq::hybrid::composite::Hedging;
use postq::ledger::{
    Checkpoint, LedgerEntry, LedgerKey, MerkleTree, NodeHash, Origin, sign_checkpoint_with,
};
use serde_json::{Value, json};

use super::seed_bytes;

/// Rows in the honest log: sizes up to 13 cover the power-of-two edges of RFC 9162.
const ROWS: u64 = 13;
/// The row the forged log rewrites (then recomputes every hash after it).
const FORGED_SEQ: u64 = 3;

fn origin(org: &str) -> Origin {
    Origin::for_org("postq.example", org).expect("origin")
}

fn rows(forge: bool) -> Vec<LedgerEntry> {
    let events = [
        "key.create",
        "sign",
        "verify",
        "vault.seal",
        "vault.unseal",
        "rollover.create",
    ];
    let mut out: Vec<LedgerEntry> = Vec::new();
    for seq in 1..=ROWS {
        let mut details = BTreeMap::new();
        let amount = if forge && seq == FORGED_SEQ {
            "forged"
        } else {
            "honest"
        };
        details.insert("note".to_owned(), format!("{amount} row {seq}"));
        let entry = LedgerEntry {
            seq: 0,
            id: format!("evt_tree_{seq:02}"),
            org_id: "org_vectors".into(),
            event_type: events[(seq as usize - 1) % events.len()].into(),
            actor: "apikey:ak_vectors".into(),
            resource_id: (seq % 3 != 0).then(|| format!("hk_tree_{seq}")),
            occurred_at: format!("2026-11-22T07:00:{:02}.{:03}Z", seq, seq * 37 % 1000),
            details,
            prev_hash: String::new(),
            hash: String::new(),
        };
        let chained = entry.chain_after(out.last());
        out.push(chained);
    }
    out
}

fn checkpoint(tree: &MerkleTree, size: u64, org: &str) -> Checkpoint {
    Checkpoint {
        origin: origin(org),
        size,
        root: tree.root_at(size).expect("root"),
    }
}

fn sign(key: &HybridSigningKey, cp: &Checkpoint) -> String {
    sign_checkpoint_with(key, cp, Hedging::Deterministic).expect("sign")
}

/// Replace one character of the base64 on line `line` (0-based) at `offset`.
fn flip_line(note: &str, line: usize, offset: usize) -> String {
    let mut lines: Vec<String> = note.split('\n').map(str::to_owned).collect();
    let mut chars: Vec<char> = lines[line].chars().collect();
    let at = chars.len() - offset;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    lines[line] = chars.into_iter().collect();
    lines.join("\n")
}

fn drop_line(note: &str, line: usize) -> String {
    let mut lines: Vec<&str> = note.split('\n').collect();
    lines.remove(line);
    lines.join("\n")
}

fn hashes(path: &[NodeHash]) -> Value {
    json!(path.iter().map(NodeHash::to_base64).collect::<Vec<_>>())
}

pub fn build() -> Value {
    let seed: [u8; 64] = seed_bytes("ledger key");
    let key = HybridSigningKey::from_seed(&seed, "ledger", 1).expect("ledger key");
    let other: [u8; 64] = seed_bytes("another ledger key");
    let other = HybridSigningKey::from_seed(&other, "ledger", 1).expect("other key");
    let pinned = LedgerKey::new(origin("org_vectors"), key.public_key());

    let honest = rows(false);
    let forged = rows(true);
    let tree = MerkleTree::from_entries(&honest);
    let forged_tree = MerkleTree::from_entries(&forged);

    let leaves: Vec<Value> = honest
        .iter()
        .map(|row| {
            json!({
                "row": row,
                "leafData": String::from_utf8(row.canonical_bytes()).expect("utf8"),
                "leafHash": row.leaf_hash().to_base64(),
            })
        })
        .collect();
    let roots: Vec<Value> = (0..=ROWS)
        .map(
            |size| json!({"treeSize": size, "root": tree.root_at(size).expect("root").to_base64()}),
        )
        .collect();
    let mut inclusion = Vec::new();
    for size in 1..=ROWS {
        for index in 0..size {
            inclusion.push(tree.inclusion_proof(index, size).expect("proof"));
        }
    }
    let mut consistency = Vec::new();
    for size2 in 0..=ROWS {
        for size1 in 0..=size2 {
            consistency.push(tree.consistency_proof(size1, size2).expect("proof"));
        }
    }

    let honest_5 = sign(&key, &checkpoint(&tree, 5, "org_vectors"));
    let honest_13 = sign(&key, &checkpoint(&tree, ROWS, "org_vectors"));
    let honest_3 = sign(&key, &checkpoint(&tree, 3, "org_vectors"));
    let empty = sign(&key, &checkpoint(&tree, 0, "org_vectors"));
    let forged_5 = sign(&key, &checkpoint(&forged_tree, 5, "org_vectors"));
    let forged_13 = sign(&key, &checkpoint(&forged_tree, ROWS, "org_vectors"));
    let other_key_13 = sign(&other, &checkpoint(&tree, ROWS, "org_vectors"));
    let other_org_13 = sign(&key, &checkpoint(&tree, ROWS, "org_other"));
    let signed = json!([
        {"name": "honest-0", "treeSize": 0, "note": empty},
        {"name": "honest-3", "treeSize": 3, "note": honest_3},
        {"name": "honest-5", "treeSize": 5, "note": honest_5},
        {"name": "honest-13", "treeSize": ROWS, "note": honest_13},
        {"name": "forged-5", "treeSize": 5, "note": forged_5},
        {"name": "forged-13", "treeSize": ROWS, "note": forged_13},
    ]);

    // Lines of a signed checkpoint: 0–2 body, 3 blank, 4 Ed25519, 5 ML-DSA-65, 6 empty.
    let bad = |name: &str, note: String, error: &str, go_accepts: bool| json!({"name": name, "note": note, "expected": error, "goEd25519Accepts": go_accepts});
    let invalid_checkpoints = json!([
        bad(
            "signed-by-another-key",
            other_key_13.clone(),
            "ledger_bad_signature",
            false
        ),
        bad(
            "another-organisations-log",
            other_org_13,
            "ledger_bad_signature",
            false
        ),
        bad(
            "ed25519-line-missing",
            drop_line(&honest_13, 4),
            "ledger_bad_signature",
            false
        ),
        bad(
            "mldsa65-line-missing",
            drop_line(&honest_13, 5),
            "ledger_bad_signature",
            true
        ),
        bad(
            "ed25519-signature-corrupted",
            flip_line(&honest_13, 4, 6),
            "ledger_bad_signature",
            false
        ),
        bad(
            "mldsa65-signature-corrupted",
            flip_line(&honest_13, 5, 100),
            "ledger_bad_signature",
            true
        ),
        bad(
            "root-edited",
            flip_line(&honest_13, 2, 5),
            "ledger_bad_signature",
            false
        ),
        bad(
            "extension-line",
            honest_13.replacen("\n\n", "\nextension\n\n", 1),
            "invalid_input",
            false
        ),
        bad(
            "no-blank-line",
            honest_13.replacen("\n\n", "\n", 1),
            "invalid_input",
            false
        ),
        bad(
            "size-with-leading-zero",
            honest_13.replacen("\n13\n", "\n013\n", 1),
            "invalid_input",
            false
        ),
    ]);

    let proof_5_13 = tree.consistency_proof(5, ROWS).expect("proof");
    let witness_case = |name: &str, held: &str, new: &str, proof: Option<Value>, expected: &str| json!({"name": name, "held": held, "new": new, "proof": proof, "expected": expected});
    let witness = json!([
        witness_case("first-checkpoint", "", "honest-5", None, "first"),
        witness_case(
            "extended",
            "honest-5",
            "honest-13",
            Some(json!(proof_5_13)),
            "extended"
        ),
        witness_case(
            "extended-from-empty",
            "honest-0",
            "honest-5",
            Some(json!(tree.consistency_proof(0, 5).expect("proof"))),
            "extended"
        ),
        witness_case("unchanged", "honest-13", "honest-13", None, "unchanged"),
        witness_case(
            "fork-same-size",
            "honest-5",
            "forged-5",
            None,
            "ledger_fork"
        ),
        witness_case(
            "history-rewritten",
            "honest-5",
            "forged-13",
            Some(json!(
                forged_tree.consistency_proof(5, ROWS).expect("proof")
            )),
            "ledger_consistency_failed"
        ),
        witness_case(
            "honest-proof-for-rewritten-history",
            "honest-5",
            "forged-13",
            Some(json!(proof_5_13)),
            "ledger_consistency_failed"
        ),
        witness_case("shrink", "honest-13", "honest-3", None, "ledger_shrink"),
        witness_case(
            "missing-proof",
            "honest-5",
            "honest-13",
            None,
            "ledger_consistency_failed"
        ),
        witness_case(
            "proof-for-other-sizes",
            "honest-5",
            "honest-13",
            Some(json!(tree.consistency_proof(4, ROWS).expect("proof"))),
            "ledger_consistency_failed"
        ),
    ]);

    let root_13 = tree.root().to_base64();
    let root_5 = tree.root_at(5).expect("root").to_base64();
    let good_inclusion = tree.inclusion_proof(6, ROWS).expect("proof");
    let leaf_6 = honest[6].leaf_hash().to_base64();
    let with_path = |path: Vec<NodeHash>| json!({"leafIndex": 6, "treeSize": ROWS, "inclusionPath": hashes(&path)});
    let mut swapped = good_inclusion.inclusion_path.clone();
    swapped.swap(0, 1);
    let mut truncated = good_inclusion.inclusion_path.clone();
    truncated.pop();
    let mut extended = good_inclusion.inclusion_path.clone();
    extended.push(tree.root());
    let invalid_inclusion = json!([
        {"name": "swapped-hashes", "proof": with_path(swapped), "leafHash": leaf_6, "root": root_13},
        {"name": "truncated-path", "proof": with_path(truncated), "leafHash": leaf_6, "root": root_13},
        {"name": "extra-hash", "proof": with_path(extended), "leafHash": leaf_6, "root": root_13},
        {"name": "wrong-leaf", "proof": good_inclusion, "leafHash": honest[7].leaf_hash().to_base64(), "root": root_13},
        {"name": "forged-row", "proof": good_inclusion, "leafHash": forged[6].leaf_hash().to_base64(), "root": root_13},
        {"name": "wrong-index", "proof": {"leafIndex": 7, "treeSize": ROWS, "inclusionPath": hashes(&good_inclusion.inclusion_path)}, "leafHash": leaf_6, "root": root_13},
        {"name": "index-beyond-size", "proof": {"leafIndex": 13, "treeSize": ROWS, "inclusionPath": hashes(&good_inclusion.inclusion_path)}, "leafHash": leaf_6, "root": root_13},
    ]);
    let good_consistency = tree.consistency_proof(5, ROWS).expect("proof");
    let with_sizes = |m: u64, n: u64, path: &[NodeHash]| json!({"treeSize1": m, "treeSize2": n, "consistencyPath": hashes(path)});
    let mut corrupted = good_consistency.consistency_path.clone();
    corrupted[1] = NodeHash::leaf(b"forged");
    let invalid_consistency = json!([
        {"name": "forged-new-root", "proof": with_sizes(5, ROWS, &forged_tree.consistency_proof(5, ROWS).expect("proof").consistency_path), "root1": root_5, "root2": forged_tree.root().to_base64()},
        {"name": "corrupted-hash", "proof": with_sizes(5, ROWS, &corrupted), "root1": root_5, "root2": root_13},
        {"name": "truncated-path", "proof": with_sizes(5, ROWS, &good_consistency.consistency_path[1..]), "root1": root_5, "root2": root_13},
        {"name": "wrong-old-size", "proof": with_sizes(6, ROWS, &good_consistency.consistency_path), "root1": root_5, "root2": root_13},
        {"name": "old-root-from-forged-log", "proof": good_consistency, "root1": forged_tree.root_at(5).expect("root").to_base64(), "root2": root_13},
    ]);

    json!({
        "description": "Audit ledger Merkle tree, proofs and signed checkpoints (docs/formats.md §7). Leaves are the rows' canonical bytes (§6); every inclusion proof of every tree size up to 13 and every consistency proof between sizes; checkpoints signed by the ledger key (deterministic ML-DSA-65) and the cases a witness must refuse. `expected` is the error code (or the witness outcome).",
        "ledgerKey": {
            "seed": hex::encode(seed),
            "json": pinned.to_json(),
            "ed25519Vkey": pinned.ed25519_vkey(),
            "mldsa65Vkey": pinned.mldsa65_vkey(),
            "mldsa65Context": String::from_utf8(postq::ledger::MLDSA65_NOTE_IDENTIFIER.to_vec()).expect("ascii"),
        },
        "leaves": leaves,
        "roots": roots,
        "inclusionProofs": inclusion,
        "consistencyProofs": consistency,
        "signedCheckpoints": signed,
        "invalidCheckpoints": invalid_checkpoints,
        "invalidInclusionProofs": invalid_inclusion,
        "invalidConsistencyProofs": invalid_consistency,
        "witness": witness,
    })
}
