//! The audit ledger's Merkle tree, signed checkpoints and the witness, end to end in
//! core: the attacks of an operator who can write the database, and what catches them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

use std::collections::BTreeMap;

use postq::hybrid::HybridSigningKey;
use postq::ledger::{
    Checkpoint, LedgerEntry, LedgerFailure, LedgerKey, MerkleTree, Observation, Origin, Witness,
    sign_checkpoint, verify_complete_chain,
};

fn ledger_key(label: u8) -> HybridSigningKey {
    HybridSigningKey::from_seed(&[label; 64], "ledger", 1).unwrap()
}

fn origin() -> Origin {
    Origin::for_org("postq.test", "org_acme").unwrap()
}

/// A chained log of `n` rows.
fn rows(n: u64) -> Vec<LedgerEntry> {
    let mut out: Vec<LedgerEntry> = Vec::new();
    for i in 0..n {
        let mut details = BTreeMap::new();
        details.insert("payloadSha256".to_owned(), format!("{i:064x}"));
        let entry = LedgerEntry {
            seq: 0,
            id: format!("evt_{i:06}"),
            org_id: "org_acme".into(),
            event_type: "sign".into(),
            actor: "apikey:ak_test".into(),
            resource_id: Some("hk_test".into()),
            occurred_at: format!("2026-11-22T06:30:{:02}.{:03}Z", i % 60, i % 1000),
            details,
            prev_hash: String::new(),
            hash: String::new(),
        };
        let chained = entry.chain_after(out.last());
        out.push(chained);
    }
    out
}

/// What the server publishes for these rows: the signed checkpoint of the whole log.
fn publish(key: &HybridSigningKey, rows: &[LedgerEntry]) -> (MerkleTree, String) {
    let tree = MerkleTree::from_entries(rows);
    let checkpoint = Checkpoint {
        origin: origin(),
        size: tree.size(),
        root: tree.root(),
    };
    (tree, sign_checkpoint(key, &checkpoint).unwrap())
}

fn failure_of(result: postq::Result<impl std::fmt::Debug>) -> LedgerFailure {
    let err = result.expect_err("must be refused");
    let postq::Error::Ledger { failure, detail } = &err else {
        unreachable!("not a ledger failure: {err}");
    };
    assert!(!detail.is_empty());
    *failure
}

fn pinned(key: &HybridSigningKey) -> Witness {
    Witness::pin(LedgerKey::new(origin(), key.public_key()))
}

#[test]
fn an_honest_log_verifies_as_it_grows() {
    let key = ledger_key(1);
    let log = rows(25);
    let mut witness = pinned(&key);

    let (_, first) = publish(&key, &log[..10]);
    assert!(
        matches!(witness.observe(&first, None).unwrap(), Observation::First(c) if c.size == 10)
    );
    assert!(matches!(
        witness.observe(&first, None).unwrap(),
        Observation::Unchanged(_)
    ));

    let (tree, second) = publish(&key, &log);
    let proof = tree.consistency_proof(10, 25).unwrap();
    let observed = witness.observe(&second, Some(&proof)).unwrap();
    assert!(
        matches!(observed, Observation::Extended { ref from, ref to } if from.size == 10 && to.size == 25)
    );
    assert_eq!(witness.signed_checkpoint(), Some(second.as_str()));

    // From an empty log, growth needs no proof.
    let mut from_empty = pinned(&key);
    let (_, empty) = publish(&key, &log[..0]);
    from_empty.observe(&empty, None).unwrap();
    assert!(matches!(
        from_empty.observe(&first, None).unwrap(),
        Observation::Extended { .. }
    ));

    // The state survives a round trip through its JSON, re-verified on load.
    let restored = Witness::from_json(&witness.to_json()).unwrap();
    assert_eq!(restored.checkpoint(), witness.checkpoint());
    restored.expect_key(witness.key()).unwrap();
}

#[test]
fn a_row_rewritten_with_every_hash_recomputed_is_caught_by_a_client_holding_an_earlier_checkpoint()
{
    let key = ledger_key(1);
    let honest = rows(40);
    let mut witness = pinned(&key);
    let (_, before) = publish(&key, &honest[..30]);
    witness.observe(&before, None).unwrap();

    // The outside review's attack: edit row 7 and recompute every hash after it. The
    // chain alone still verifies...
    let mut forged: Vec<LedgerEntry> = Vec::new();
    for (i, row) in honest.iter().enumerate() {
        let mut row = row.clone();
        if i == 6 {
            row.details.insert("payloadSha256".into(), "f".repeat(64));
        }
        let chained = row.chain_after(forged.last());
        forged.push(chained);
    }
    assert!(verify_complete_chain(&forged).ok);

    // ...and the server signs the forged tree, but no consistency proof connects it to
    // the checkpoint the client holds.
    let (forged_tree, after) = publish(&key, &forged);
    let proof = forged_tree.consistency_proof(30, 40).unwrap();
    assert_eq!(
        failure_of(witness.observe(&after, Some(&proof))),
        LedgerFailure::ConsistencyProofFailed
    );
    // The honest proof does not help the forged checkpoint either.
    let honest_proof = MerkleTree::from_entries(&honest)
        .consistency_proof(30, 40)
        .unwrap();
    assert_eq!(
        failure_of(witness.observe(&after, Some(&honest_proof))),
        LedgerFailure::ConsistencyProofFailed
    );
    // A forged checkpoint of the same size is a fork.
    let (_, same_size) = publish(&key, &forged[..30]);
    assert_eq!(
        failure_of(witness.observe(&same_size, None)),
        LedgerFailure::Fork
    );
    // Nothing was accepted: the client still holds the honest checkpoint.
    assert_eq!(witness.signed_checkpoint(), Some(before.as_str()));
}

#[test]
fn truncation_is_caught() {
    let key = ledger_key(1);
    let log = rows(20);
    let mut witness = pinned(&key);
    let (_, full) = publish(&key, &log);
    witness.observe(&full, None).unwrap();

    // Rows 15–20 deleted: a smaller log.
    let (_, truncated) = publish(&key, &log[..15]);
    assert_eq!(
        failure_of(witness.observe(&truncated, None)),
        LedgerFailure::Shrink
    );

    // Rows deleted and replaced by as many new ones: the same size, another root.
    let mut regrown = log[..15].to_vec();
    for row in rows(5) {
        let mut row = row.clone();
        row.id = format!("evt_new_{}", row.seq);
        let chained = row.chain_after(regrown.last());
        regrown.push(chained);
    }
    let (regrown_tree, same_size) = publish(&key, &regrown);
    assert_eq!(
        failure_of(witness.observe(&same_size, None)),
        LedgerFailure::Fork
    );
    // And grown past the old size, the proof fails.
    let mut longer = regrown.clone();
    let extra = rows(1)[0].clone().chain_after(longer.last());
    longer.push(extra);
    let (longer_tree, bigger) = publish(&key, &longer);
    let proof = longer_tree.consistency_proof(20, 21).unwrap();
    assert_eq!(
        failure_of(witness.observe(&bigger, Some(&proof))),
        LedgerFailure::ConsistencyProofFailed
    );
    assert_eq!(regrown_tree.size(), 20);
}

#[test]
fn checkpoints_of_other_keys_logs_or_without_both_halves_are_refused() {
    let key = ledger_key(1);
    let log = rows(5);
    let mut witness = pinned(&key);
    let (_, good) = publish(&key, &log);

    // Signed by another key (same origin).
    let (_, other) = publish(&ledger_key(2), &log);
    assert_eq!(
        failure_of(witness.observe(&other, None)),
        LedgerFailure::BadSignature
    );

    // Another organisation's log, signed by the right key.
    let tree = MerkleTree::from_entries(&log);
    let elsewhere = Checkpoint {
        origin: Origin::for_org("postq.test", "org_other").unwrap(),
        size: tree.size(),
        root: tree.root(),
    };
    let elsewhere = sign_checkpoint(&key, &elsewhere).unwrap();
    assert_eq!(
        failure_of(witness.observe(&elsewhere, None)),
        LedgerFailure::BadSignature
    );

    let lines: Vec<&str> = good.lines().collect();
    assert_eq!(
        lines.len(),
        6,
        "three body lines, a blank line, two signatures"
    );
    let without = |skip: usize| {
        let mut kept: Vec<&str> = lines.clone();
        kept.remove(skip);
        kept.join("\n") + "\n"
    };
    // Only the Ed25519 line, or only the ML-DSA-65 line: refused.
    assert_eq!(
        failure_of(witness.observe(&without(5), None)),
        LedgerFailure::BadSignature
    );
    assert_eq!(
        failure_of(witness.observe(&without(4), None)),
        LedgerFailure::BadSignature
    );

    // A pinned line that does not verify refuses the note, even with the other valid.
    let mut forged = good.clone().into_bytes();
    let root_line = lines[2];
    let at = good.find(root_line).unwrap() + 3;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(
        failure_of(witness.observe(&forged, None)),
        LedgerFailure::BadSignature
    );

    // Unknown extra lines (a witness cosignature, say) are ignored.
    let cosigned = format!("{good}\u{2014} witness.example AAAAAAAAAAAAAAAAAAAAAA==\n");
    witness.observe(&cosigned, None).unwrap();

    // A different pinned key is reported as such.
    let other_key = LedgerKey::new(origin(), ledger_key(2).public_key());
    assert_eq!(
        failure_of(witness.expect_key(&other_key)),
        LedgerFailure::KeyChanged
    );
}

#[test]
fn a_tampered_state_file_is_refused() {
    let key = ledger_key(1);
    let mut witness = pinned(&key);
    let (_, note) = publish(&key, &rows(3));
    witness.observe(&note, None).unwrap();
    let state = witness.to_json();
    // The stored checkpoint swapped for one signed by another key.
    let (_, foreign) = publish(&ledger_key(2), &rows(3));
    let tampered = state.replace(
        &serde_json::to_string(&note).unwrap(),
        &serde_json::to_string(&foreign).unwrap(),
    );
    assert_ne!(tampered, state);
    assert_eq!(
        failure_of(Witness::from_json(&tampered)),
        LedgerFailure::BadSignature
    );
    assert!(Witness::from_json("{}").is_err());
    assert!(Witness::from_json(&state.replace("\"v\": 1", "\"v\": 2")).is_err());
}

#[test]
fn every_row_of_a_ten_thousand_row_log_has_a_valid_inclusion_proof() {
    let key = ledger_key(1);
    let log = rows(10_000);
    let (tree, note) = publish(&key, &log);
    let mut witness = pinned(&key);
    witness.observe(&note, None).unwrap();
    for row in &log {
        let proof = tree.inclusion_proof(row.seq - 1, 10_000).unwrap();
        witness.verify_inclusion(row, &proof).unwrap();
    }
    // A rewritten row is not in the tree, and a proof for another row does not fit.
    let mut edited = log[41].clone();
    edited.actor = "apikey:ak_someone_else".into();
    let proof = tree.inclusion_proof(41, 10_000).unwrap();
    assert_eq!(
        failure_of(witness.verify_inclusion(&edited, &proof)),
        LedgerFailure::InclusionProofFailed
    );
    assert_eq!(
        failure_of(witness.verify_inclusion(&log[40], &proof)),
        LedgerFailure::InclusionProofFailed
    );
}

#[test]
fn the_ledger_key_round_trips_through_its_json_and_vkeys() {
    let key = LedgerKey::new(origin(), ledger_key(1).public_key());
    let json = key.to_json();
    assert!(json.starts_with(
        r#"{"v":1,"origin":"postq.test/audit/org_acme","ed25519":"postq.test/audit/org_acme+"#
    ));
    assert_eq!(LedgerKey::from_json(&json).unwrap(), key);
    assert_eq!(
        LedgerKey::from_vkeys(&key.ed25519_vkey(), &key.mldsa65_vkey()).unwrap(),
        key
    );
    // The halves swapped, or names that do not match, are refused.
    assert!(LedgerKey::from_vkeys(&key.mldsa65_vkey(), &key.ed25519_vkey()).is_err());
    let other = LedgerKey::new(
        Origin::for_org("postq.test", "org_other").unwrap(),
        ledger_key(1).public_key(),
    );
    assert!(LedgerKey::from_vkeys(&key.ed25519_vkey(), &other.mldsa65_vkey()).is_err());
    assert!(LedgerKey::from_json(&json.replace("org_acme\",", "org_other\",")).is_err());
}

#[test]
fn roots_and_proofs_match_the_ct_merkle_crate() {
    use ct_merkle::mem_backed_tree::MemoryBackedTree;
    let data: Vec<Vec<u8>> = (0..70).map(|i| format!("leaf {i}").into_bytes()).collect();
    let mut ours = MerkleTree::new();
    let mut theirs: MemoryBackedTree<sha2::Sha256, Vec<u8>> = MemoryBackedTree::new();
    let mut their_roots = Vec::new();
    for leaf in &data {
        ours.push(leaf);
        theirs.push(leaf.clone());
        their_roots.push(theirs.root());
        let size = ours.size();
        assert_eq!(
            ours.root().as_bytes()[..],
            theirs.root().as_bytes()[..],
            "root at {size}"
        );
        for index in 0..size {
            let path: Vec<u8> = ours
                .inclusion_proof(index, size)
                .unwrap()
                .inclusion_path
                .iter()
                .flat_map(|h| *h.as_bytes())
                .collect();
            assert_eq!(
                path,
                theirs.prove_inclusion(index as usize).as_bytes(),
                "{index}/{size}"
            );
        }
        for old in 1..size {
            let path: Vec<u8> = ours
                .consistency_proof(old, size)
                .unwrap()
                .consistency_path
                .iter()
                .flat_map(|h| *h.as_bytes())
                .collect();
            let proof = theirs.prove_consistency((size - old) as usize);
            assert_eq!(path, proof.as_bytes(), "{old}->{size}");
            theirs
                .root()
                .verify_consistency(&their_roots[old as usize - 1], &proof)
                .unwrap();
        }
    }
}
