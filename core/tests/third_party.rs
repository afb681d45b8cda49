//! Third-party vectors: the IETF composite draft's id-MLDSA65-Ed25519-SHA512 entry and
//! Wycheproof ML-DSA-65 and ML-KEM-768 (through core's own backends, `postq::hybrid::mldsa65`
//! and `postq::seal::mlkem768`) and Ed25519 — the primitives under our formats.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use postq::hybrid::{HybridPublicKey, HybridSigningKey, mldsa65};
use postq::seal::mlkem768;
use serde_json::Value;

fn load(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/third_party")
        .join(path);
    serde_json::from_str(&std::fs::read_to_string(full).expect("vector file")).expect("json")
}

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_default()).expect("hex")
}

fn tests_of(file: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    file["testGroups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| {
            g["tests"]
                .as_array()
                .expect("tests")
                .iter()
                .map(move |t| (g, t))
        })
}

#[test]
fn ietf_composite_mldsa65_ed25519_vector_verifies() {
    let file = load("ietf-composite/mldsa65-ed25519.json");
    let message = STANDARD
        .decode(file["m"].as_str().expect("m"))
        .expect("b64");
    let ctx = STANDARD
        .decode(file["ctx"].as_str().expect("ctx"))
        .expect("b64");
    let case = &file["tests"][0];
    let pk = STANDARD
        .decode(case["pk"].as_str().expect("pk"))
        .expect("b64");
    let key = HybridPublicKey::from_raw("ietf", 1, &pk[..1952], &pk[1952..]).expect("composite pk");
    let sig = STANDARD
        .decode(case["s"].as_str().expect("s"))
        .expect("b64");
    let with_ctx = STANDARD
        .decode(case["sWithContext"].as_str().expect("s"))
        .expect("b64");

    assert!(key.verify_composite(&message, &[], &sig).ok);
    assert!(key.verify_composite(&message, &ctx, &with_ctx).ok);
    // Each signature is bound to its context and message.
    let r = key.verify_composite(&message, &[], &with_ctx);
    assert!(!r.ok && !r.pq_ok && !r.classical_ok);
    assert!(!key.verify_composite(b"other", &[], &sig).ok);

    // The draft's private key is our 64-byte seed: same public key, and our Ed25519
    // half (deterministic) is byte-identical to the draft's.
    let sk = STANDARD
        .decode(case["sk"].as_str().expect("sk"))
        .expect("b64");
    let ours = HybridSigningKey::from_seed(&sk, "ietf", 1).expect("seed");
    assert_eq!(ours.public_key().composite_bytes(), pk);
    let env = ours
        .sign_envelope(&message, postq::hybrid::composite::Hedging::Randomized)
        .expect("sign");
    assert_eq!(env.ed25519(), &sig[3309..]);
    assert!(key.verify_composite(&message, &[], &env.composite()).ok);
}

#[test]
fn wycheproof_mldsa65_verify() {
    let file = load("wycheproof/mldsa_65_verify_test.json");
    let mut checked = 0;
    for (group, t) in tests_of(&file) {
        let ok = mldsa65::verify_bytes(
            &unhex(&group["publicKey"]),
            &unhex(&t["msg"]),
            &unhex(&t["ctx"]),
            &unhex(&t["sig"]),
        );
        assert_eq!(
            ok,
            t["result"] == "valid",
            "tcId {} ({})",
            t["tcId"],
            t["comment"]
        );
        checked += 1;
    }
    assert_eq!(checked, 210);
}

#[test]
fn wycheproof_mldsa65_sign_from_seed() {
    let file = load("wycheproof/mldsa_65_sign_seed_test.json");
    let (mut signed, mut external_mu) = (0, 0);
    for (group, t) in tests_of(&file) {
        let Ok(seed) = <[u8; 32]>::try_from(unhex(&group["privateSeed"]).as_slice()) else {
            assert_eq!(
                t["result"], "invalid",
                "tcId {}: bad seed length must be invalid",
                t["tcId"]
            );
            continue;
        };
        let key = mldsa65::SigningKey::from_seed(&seed);
        assert_eq!(key.public_key().to_vec(), unhex(&group["publicKey"]));
        let Some(msg) = t.get("msg") else {
            external_mu += 1; // sign-from-mu (no message): not an operation postq performs
            continue;
        };
        let rnd: [u8; 32] = match t.get("rnd") {
            Some(r) => unhex(r).try_into().expect("32-byte rnd"),
            None => [0; 32],
        };
        let sig = key.sign(&unhex(msg), &unhex(&t["ctx"]), rnd).ok();
        match (t["result"].as_str(), sig) {
            (Some("valid"), Some(sig)) => {
                assert_eq!(sig.to_vec(), unhex(&t["sig"]), "tcId {}", t["tcId"])
            }
            (Some("invalid"), None) => {}
            (r, s) => panic!(
                "tcId {}: result {r:?} but signing gave {:?}",
                t["tcId"],
                s.is_some()
            ),
        }
        signed += 1;
    }
    assert!(
        signed >= 80 && external_mu <= 20,
        "signed {signed}, external-mu {external_mu}"
    );
}

#[test]
fn wycheproof_mlkem768_decapsulation() {
    let file = load("wycheproof/mlkem_768_test.json");
    let mut checked = 0;
    for (_, t) in tests_of(&file) {
        let Ok(seed) = <[u8; mlkem768::SEED_LEN]>::try_from(unhex(&t["seed"]).as_slice()) else {
            assert_eq!(
                t["result"], "invalid",
                "tcId {}: bad seed length must be invalid",
                t["tcId"]
            );
            checked += 1;
            continue;
        };
        let dk = mlkem768::DecapsulationKey::from_seed(&seed);
        let ek_ok = match t.get("ek") {
            Some(ek) => <[u8; mlkem768::PUBLIC_KEY_LEN]>::try_from(unhex(ek).as_slice())
                .ok()
                .and_then(|b| mlkem768::EncapsulationKey::from_bytes(&b).ok())
                .is_some_and(|parsed| &parsed == dk.encapsulation_key()),
            None => true,
        };
        let shared = <[u8; mlkem768::CIPHERTEXT_LEN]>::try_from(unhex(&t["c"]).as_slice())
            .ok()
            .map(|c| dk.decapsulate(&c));
        let ok = ek_ok && shared.is_some_and(|k| k.to_vec() == unhex(&t["K"]));
        assert_eq!(
            ok,
            t["result"] == "valid",
            "tcId {} ({})",
            t["tcId"],
            t["comment"]
        );
        checked += 1;
    }
    assert_eq!(checked, 193);
}

#[test]
fn wycheproof_mlkem768_keygen_from_seed() {
    let file = load("wycheproof/mlkem_768_keygen_seed_test.json");
    let mut checked = 0;
    for (_, t) in tests_of(&file) {
        let seed =
            <[u8; mlkem768::SEED_LEN]>::try_from(unhex(&t["seed"]).as_slice()).expect("seed");
        let dk = mlkem768::DecapsulationKey::from_seed(&seed);
        assert_eq!(
            dk.encapsulation_key().as_bytes().to_vec(),
            unhex(&t["ek"]),
            "tcId {}",
            t["tcId"]
        );
        checked += 1;
    }
    assert_eq!(checked, 100);
}

#[test]
fn wycheproof_ed25519_verify_strict() {
    let file = load("wycheproof/ed25519_test.json");
    let mut checked = 0;
    for (group, t) in tests_of(&file) {
        let pk: [u8; 32] = unhex(&group["publicKey"]["pk"])
            .try_into()
            .expect("32-byte key");
        let key = ed25519_dalek::VerifyingKey::from_bytes(&pk).expect("valid key");
        let ok = <[u8; 64]>::try_from(unhex(&t["sig"]).as_slice()).is_ok_and(|sig| {
            key.verify_strict(
                &unhex(&t["msg"]),
                &ed25519_dalek::Signature::from_bytes(&sig),
            )
            .is_ok()
        });
        assert_eq!(
            ok,
            t["result"] == "valid",
            "tcId {} ({})",
            t["tcId"],
            t["comment"]
        );
        checked += 1;
    }
    assert_eq!(checked, 151);
}
