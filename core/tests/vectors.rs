//! The committed vectors in `tests/vectors/` are exactly what the code produces, and
//! every case verifies (or fails) the way the file says.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

#[allow(dead_code)]
mod support;

use postq::hybrid::{HybridPublicKey, HybridSigningKey, verify};
use postq::ledger::{LedgerEntry, verify_chain, verify_complete_chain};
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
