//! The committed vectors in `tests/vectors/` are exactly what the code produces, and
//! every case verifies (or fails) the way the file says.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

#[allow(dead_code)]
mod support;

use postq::hybrid::composite::Hedging;
use postq::hybrid::{HybridPublicKey, HybridSigningKey, verify};
use postq::ledger::{
    ConsistencyProof, InclusionProof, LedgerEntry, LedgerKey, MerkleTree, NodeHash, Observation,
    Witness, verify_chain, verify_complete_chain,
};
use postq::seal::SealSecretKey;
use postq::sidecar::{VerifyOptions, verify_certificate};
use serde_json::Value;

fn vectors_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(vectors_dir().join(name)).expect("vector file");
    serde_json::from_str(&text).expect("vector JSON")
}

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("hex")
}

#[test]
fn committed_vectors_match_the_generator() {
    for (name, value) in support::vectors::build_all() {
        let expected = serde_json::to_string_pretty(&value).expect("json") + "\n";
        let committed = std::fs::read_to_string(vectors_dir().join(name)).unwrap_or_default();
        assert!(
            committed == expected,
            "tests/vectors/{name} drifted from the code: run `cargo run -p postq --example gen-vectors` and review the diff"
        );
    }
}

fn keys_of(file: &Value) -> std::collections::HashMap<String, HybridPublicKey> {
    file["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| {
            let public = HybridPublicKey::from_json(k["publicKey"].as_str().expect("str"))
                .expect("public key");
            // The seed reproduces the published key, and the JWK form is the same key.
            let seed = unhex(&k["seed"]);
            let signing = HybridSigningKey::from_seed(&seed, public.key_id(), public.version())
                .expect("seed");
            assert_eq!(
                signing.public_key(),
                &public,
                "seed and public key disagree"
            );
            let from_jwk = HybridPublicKey::from_jwk(k["jwk"].as_str().expect("str")).expect("jwk");
            assert_eq!(from_jwk, public);
            assert_eq!(
                public.fingerprint(),
                k["fingerprint"].as_str().expect("str")
            );
            (k["name"].as_str().expect("name").to_owned(), public)
        })
        .collect()
}

fn check_valid_signatures(file: &Value) -> usize {
    let keys = keys_of(file);
    let valid = file["valid"].as_array().expect("valid");
    for case in valid {
        let key = &keys[case["key"].as_str().expect("key")];
        let payload = unhex(&case["payload"]);
        let m_prime = postq::hybrid::composite::message_representative(&payload, &[]).expect("m'");
        assert_eq!(
            hex::encode(m_prime),
            case["messageRepresentative"].as_str().expect("str")
        );
        let result =
            verify(key, &payload, case["signature"].as_str().expect("sig")).expect("parses");
        assert!(result.ok, "{}: {result:?}", case["name"]);
        let composite = base64_decode(case["compositeSignature"].as_str().expect("str"));
        assert!(
            key.verify_composite(&payload, &[], &composite).ok,
            "{} composite",
            case["name"]
        );
    }
    valid.len()
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

#[test]
fn hybrid_vectors() {
    let file = load("hybrid.json");
    assert!(check_valid_signatures(&file) >= 4);
    let keys = keys_of(&file);
    for case in file["invalid"].as_array().expect("invalid") {
        let name = case["name"].as_str().expect("name");
        let key = &keys[case["key"].as_str().expect("key")];
        let expected = &case["expected"];
        let outcome = verify(
            key,
            &unhex(&case["payload"]),
            case["signature"].as_str().expect("sig"),
        );
        match expected["error"].as_str() {
            Some(code) => assert_eq!(outcome.expect_err(name).code(), code, "{name}"),
            None => {
                let r = outcome.expect(name);
                assert!(!r.ok, "{name} must not verify");
                assert_eq!(
                    r.classical_ok,
                    expected["classicalOk"].as_bool().expect("bool"),
                    "{name}"
                );
                assert_eq!(r.pq_ok, expected["pqOk"].as_bool().expect("bool"), "{name}");
            }
        }
    }
}

#[test]
fn signatures_made_by_noble_verify() {
    let file = load("noble-hybrid.json");
    assert!(check_valid_signatures(&file) >= 1);
}

#[test]
fn sidecar_vectors() {
    let file = load("sidecar.json");
    for case in file["certificates"].as_array().expect("certificates") {
        let name = case["name"].as_str().expect("name");
        let at = time::OffsetDateTime::parse(
            case["at"].as_str().expect("at"),
            &time::format_description::well_known::Rfc3339,
        )
        .expect("time");
        let options = VerifyOptions {
            hostname: case["hostname"].as_str().map(str::to_owned),
            at: Some(at),
        };
        let report = verify_certificate(case["pem"].as_str().expect("pem").as_bytes(), &options)
            .expect(name);
        assert_eq!(
            report.ok,
            case["expected"]["ok"].as_bool().expect("ok"),
            "{name}: {report:?}"
        );
        assert_eq!(
            report.failure.map(|f| f.as_str()),
            case["expected"]["failure"].as_str(),
            "{name}: {report:?}"
        );
    }
    // The embedded binding of the valid certificate is the documented one.
    let valid = &file["certificates"][0];
    let report = verify_certificate(
        valid["pem"].as_str().expect("pem").as_bytes(),
        &VerifyOptions::default(),
    )
    .expect("valid");
    let binding = report.binding.expect("binding");
    assert_eq!(
        String::from_utf8(binding.to_bytes()).expect("utf8"),
        file["binding"].as_str().expect("binding")
    );
}

#[test]
fn seal_vectors() {
    let file = load("seal.json");
    let recipients: std::collections::HashMap<String, SealSecretKey> = file["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .map(|r| {
            let key = SealSecretKey::from_seed(&unhex(&r["seed"])).expect("seed");
            assert_eq!(
                key.public_key().to_base64(),
                r["publicKey"].as_str().expect("pk")
            );
            (r["name"].as_str().expect("name").to_owned(), key)
        })
        .collect();
    for case in file["valid"].as_array().expect("valid") {
        let key = &recipients[case["recipient"].as_str().expect("r")];
        let plaintext = key
            .open_base64(
                case["envelope"].as_str().expect("env"),
                &unhex(&case["aad"]),
            )
            .expect("opens");
        assert_eq!(plaintext.as_slice(), unhex(&case["plaintext"]).as_slice());
    }
    for case in file["invalid"].as_array().expect("invalid") {
        let key = &recipients[case["recipient"].as_str().expect("r")];
        let err = key
            .open_base64(
                case["envelope"].as_str().expect("env"),
                &unhex(&case["aad"]),
            )
            .expect_err("must not open");
        assert!(
            matches!(err.code(), "seal_open_failed" | "unsupported_version"),
            "{}: {err}",
            case["name"]
        );
    }
}

#[test]
fn ledger_vectors() {
    let file = load("ledger.json");
    for chain in file["chains"].as_array().expect("chains") {
        let name = chain["name"].as_str().expect("name");
        let rows: Vec<LedgerEntry> = serde_json::from_value(chain["rows"].clone()).expect("rows");
        let expected = &chain["expected"];
        let report = if expected["complete"].as_bool().expect("complete") {
            verify_complete_chain(&rows)
        } else {
            verify_chain(&rows)
        };
        assert_eq!(
            report.ok,
            expected["ok"].as_bool().expect("ok"),
            "{name}: {report:?}"
        );
        assert_eq!(report.failed_seq, expected["failedSeq"].as_u64(), "{name}");
        let reason = report
            .reason
            .map(|r| serde_json::to_value(r).expect("reason"));
        assert_eq!(
            reason.as_ref().and_then(Value::as_str),
            expected["reason"].as_str(),
            "{name}"
        );
    }
}

fn b64_hash(v: &Value) -> NodeHash {
    NodeHash::from_base64(v.as_str().expect("b64 hash")).expect("hash")
}

#[test]
fn ledger_tree_vectors() {
    let file = load("ledger-tree.json");
    let key_json = &file["ledgerKey"];
    let key = LedgerKey::from_json(key_json["json"].as_str().expect("json")).expect("ledger key");
    assert_eq!(
        key.ed25519_vkey(),
        key_json["ed25519Vkey"].as_str().expect("vkey")
    );
    assert_eq!(
        key.mldsa65_vkey(),
        key_json["mldsa65Vkey"].as_str().expect("vkey")
    );
    let signing =
        HybridSigningKey::from_seed(&unhex(&key_json["seed"]), "ledger", 1).expect("seed");
    assert_eq!(
        LedgerKey::new(key.origin().clone(), signing.public_key()),
        key
    );

    // Leaves are the rows' canonical bytes; the tree over them has the listed roots.
    let mut tree = MerkleTree::new();
    for leaf in file["leaves"].as_array().expect("leaves") {
        let row: LedgerEntry = serde_json::from_value(leaf["row"].clone()).expect("row");
        assert_eq!(
            row.canonical_bytes(),
            leaf["leafData"].as_str().expect("data").as_bytes()
        );
        assert_eq!(row.leaf_hash(), b64_hash(&leaf["leafHash"]));
        tree.push_leaf_hash(row.leaf_hash());
    }
    let roots: Vec<NodeHash> = file["roots"]
        .as_array()
        .expect("roots")
        .iter()
        .map(|r| b64_hash(&r["root"]))
        .collect();
    for (size, root) in roots.iter().enumerate() {
        assert_eq!(
            tree.root_at(size as u64).expect("root"),
            *root,
            "size {size}"
        );
    }
    for value in file["inclusionProofs"].as_array().expect("inclusion") {
        let proof: InclusionProof = serde_json::from_value(value.clone()).expect("proof");
        let leaf = b64_hash(&file["leaves"][proof.leaf_index as usize]["leafHash"]);
        proof
            .verify(&leaf, &roots[proof.tree_size as usize])
            .expect("inclusion verifies");
        assert_eq!(
            tree.inclusion_proof(proof.leaf_index, proof.tree_size)
                .expect("proof"),
            proof
        );
    }
    for value in file["consistencyProofs"].as_array().expect("consistency") {
        let proof: ConsistencyProof = serde_json::from_value(value.clone()).expect("proof");
        let (m, n) = (proof.tree_size_1 as usize, proof.tree_size_2 as usize);
        proof
            .verify(&roots[m], &roots[n])
            .expect("consistency verifies");
        assert_eq!(
            tree.consistency_proof(proof.tree_size_1, proof.tree_size_2)
                .expect("proof"),
            proof
        );
    }
    for case in file["invalidInclusionProofs"].as_array().expect("invalid") {
        let name = case["name"].as_str().expect("name");
        let proof: InclusionProof = serde_json::from_value(case["proof"].clone()).expect(name);
        let err = proof
            .verify(&b64_hash(&case["leafHash"]), &b64_hash(&case["root"]))
            .expect_err(name);
        assert_eq!(err.code(), "ledger_inclusion_failed", "{name}");
    }
    for case in file["invalidConsistencyProofs"]
        .as_array()
        .expect("invalid")
    {
        let name = case["name"].as_str().expect("name");
        let proof: ConsistencyProof = serde_json::from_value(case["proof"].clone()).expect(name);
        let err = proof
            .verify(&b64_hash(&case["root1"]), &b64_hash(&case["root2"]))
            .expect_err(name);
        assert_eq!(err.code(), "ledger_consistency_failed", "{name}");
    }

    // Signed checkpoints verify against the pinned key and carry the listed roots.
    let mut notes = std::collections::HashMap::new();
    for signed in file["signedCheckpoints"].as_array().expect("signed") {
        let name = signed["name"].as_str().expect("name");
        let note = signed["note"].as_str().expect("note");
        let checkpoint = key.verify_checkpoint(note).expect(name);
        assert_eq!(checkpoint.size, signed["treeSize"].as_u64().expect("size"));
        if name.starts_with("honest") {
            assert_eq!(checkpoint.root, roots[checkpoint.size as usize], "{name}");
        }
        let resigned =
            postq::ledger::sign_checkpoint_with(&signing, &checkpoint, Hedging::Deterministic)
                .expect("sign");
        assert_eq!(
            resigned, note,
            "{name}: deterministic signing reproduces the note"
        );
        notes.insert(name.to_owned(), note.to_owned());
    }
    for case in file["invalidCheckpoints"].as_array().expect("invalid") {
        let name = case["name"].as_str().expect("name");
        let err = key
            .verify_checkpoint(case["note"].as_str().expect("note"))
            .expect_err(name);
        assert_eq!(
            err.code(),
            case["expected"].as_str().expect("code"),
            "{name}: {err}"
        );
    }

    // The witness's rules, case by case.
    for case in file["witness"].as_array().expect("witness") {
        let name = case["name"].as_str().expect("name");
        let mut witness = Witness::pin(key.clone());
        let held = case["held"].as_str().expect("held");
        if !held.is_empty() {
            witness.observe(&notes[held], None).expect(name);
        }
        let proof: Option<ConsistencyProof> =
            serde_json::from_value(case["proof"].clone()).expect("proof");
        let outcome = witness.observe(&notes[case["new"].as_str().expect("new")], proof.as_ref());
        let got = match &outcome {
            Ok(Observation::First(_)) => "first".to_owned(),
            Ok(Observation::Unchanged(_)) => "unchanged".to_owned(),
            Ok(Observation::Extended { .. }) => "extended".to_owned(),
            Err(e) => e.code().to_owned(),
        };
        assert_eq!(
            got,
            case["expected"].as_str().expect("expected"),
            "{name}: {outcome:?}"
        );
    }
}
