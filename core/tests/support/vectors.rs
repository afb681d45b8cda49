//! Builds every file of `tests/vectors/` deterministically from fixed seeds.
//! Shared by `examples/gen-vectors.rs` (writes them) and `tests/vectors.rs` (checks
//! that the committed files are exactly what the code produces today).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use postq::hybrid::HybridSigningKey;
use postq::hybrid::composite::{self, Hedging};
use postq::ledger::LedgerEntry;
use postq::sidecar::testing::{Tamper, mint_tampered};
use postq::sidecar::{MintRequest, MintSeeds};
use serde_json::{Value, json};
use sha2::{Digest, Sha512};
use time::macros::datetime;

#[path = "ledger_vectors.rs"]
mod ledger_tree;

/// Deterministic bytes: SHA-512 of a label, repeated as needed.
pub fn seed_bytes<const N: usize>(label: &str) -> [u8; N] {
    let mut out = [0u8; N];
    for (counter, chunk) in out.chunks_mut(64).enumerate() {
        let digest = Sha512::digest(format!("postq vectors/{label}/{counter}"));
        chunk.copy_from_slice(&digest[..chunk.len()]);
    }
    out
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Every vector file: name → JSON.
pub fn build_all() -> BTreeMap<&'static str, Value> {
    let mut files = BTreeMap::new();
    files.insert("hybrid.json", hybrid());
    files.insert("sidecar.json", sidecar());
    files.insert("seal.json", seal());
    files.insert("ledger.json", ledger());
    files.insert("ledger-tree.json", ledger_tree::build());
    files
}

fn key(name: &str, key_id: &str, version: u32) -> (HybridSigningKey, Value) {
    let seed: [u8; 64] = seed_bytes(&format!("hybrid key {name}"));
    let key = HybridSigningKey::from_seed(&seed, key_id, version).expect("vector key");
    let public = key.public_key();
    let json = json!({
        "name": name,
        "seed": hex::encode(seed),
        "publicKey": public.to_json(),
        "jwk": public.to_jwk(),
        "fingerprint": public.fingerprint(),
    });
    (key, json)
}

/// Re-encode an envelope after editing its JSON.
fn edit_envelope(
    signature: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> String {
    let json = STANDARD.decode(signature).expect("b64");
    let mut value: Value = serde_json::from_slice(&json).expect("json");
    edit(value.as_object_mut().expect("object"));
    STANDARD.encode(serde_json::to_vec(&value).expect("json"))
}

fn flip_half(signature: &str, half: &str, index: usize) -> String {
    edit_envelope(signature, |o| {
        let mut bytes = STANDARD
            .decode(o[half].as_str().expect("str"))
            .expect("b64");
        bytes[index] ^= 0x01;
        o.insert(half.into(), Value::String(STANDARD.encode(bytes)));
    })
}

fn hybrid() -> Value {
    let (alice, alice_json) = key("alice", "hk_vectors_alice", 1);
    let (alice_v2, alice_v2_json) = key("alice-v2", "hk_vectors_alice", 2);
    let (bob, bob_json) = key("bob", "hk_vectors_bob", 1);

    let payloads: [(&str, Vec<u8>); 4] = [
        ("ship-it", b"ship it".to_vec()),
        ("empty", Vec::new()),
        (
            "binary-1k",
            (0..1024u32).map(|i| (i * 7 % 256) as u8).collect(),
        ),
        ("utf8", "release 1.2.3 — ✓".as_bytes().to_vec()),
    ];
    let mut valid = Vec::new();
    for (name, payload) in &payloads {
        let env = alice
            .sign_envelope(payload, Hedging::Deterministic)
            .expect("sign");
        valid.push(json!({
            "name": name,
            "key": "alice",
            "payload": hex::encode(payload),
            "messageRepresentative": hex::encode(composite::message_representative(payload, &[]).expect("m'")),
            "signature": env.encode(),
            "compositeSignature": b64(&env.composite()),
        }));
    }
    let v2_payload = b"signed after rotation";
    let v2_env = alice_v2
        .sign_envelope(v2_payload, Hedging::Deterministic)
        .expect("sign");
    valid.push(json!({
        "name": "rotated-version-2",
        "key": "alice-v2",
        "payload": hex::encode(v2_payload),
        "messageRepresentative": hex::encode(composite::message_representative(v2_payload, &[]).expect("m'")),
        "signature": v2_env.encode(),
        "compositeSignature": b64(&v2_env.composite()),
    }));

    let payload = b"ship it";
    let good = alice
        .sign_with(payload, Hedging::Deterministic)
        .expect("sign");
    let by_bob = bob
        .sign_with(payload, Hedging::Deterministic)
        .expect("sign");
    let verdict = |error: Option<&str>, classical: bool, pq: bool| json!({"error": error, "ok": error.is_none() && classical && pq, "classicalOk": classical, "pqOk": pq});
    let case = |name: &str, payload: &[u8], signature: String, expected: Value| json!({"name": name, "key": "alice", "payload": hex::encode(payload), "signature": signature, "expected": expected});
    let invalid = vec![
        case(
            "pq-half-corrupted",
            payload,
            flip_half(&good, "mldsa65", 100),
            verdict(None, true, false),
        ),
        case(
            "classical-half-corrupted",
            payload,
            flip_half(&good, "ed25519", 5),
            verdict(None, false, true),
        ),
        case(
            "both-halves-corrupted",
            payload,
            flip_half(&flip_half(&good, "mldsa65", 0), "ed25519", 63),
            verdict(None, false, false),
        ),
        case(
            "wrong-payload",
            b"ship it!",
            good.clone(),
            verdict(None, false, false),
        ),
        case(
            "other-key-claiming-this-key-id",
            payload,
            edit_envelope(&by_bob, |o| {
                o.insert("keyId".into(), json!("hk_vectors_alice"));
            }),
            verdict(None, false, false),
        ),
        case(
            "halves-from-different-messages",
            payload,
            {
                let other = alice
                    .sign_with(b"other", Hedging::Deterministic)
                    .expect("sign");
                let other_ed =
                    serde_json::from_slice::<Value>(&STANDARD.decode(&other).expect("b64"))
                        .expect("json")["ed25519"]
                        .clone();
                edit_envelope(&good, |o| {
                    o.insert("ed25519".into(), other_ed);
                })
            },
            verdict(None, false, true),
        ),
        case(
            "signed-by-another-key",
            payload,
            by_bob.clone(),
            verdict(Some("key_mismatch"), false, false),
        ),
        case(
            "signed-by-another-version",
            payload,
            edit_envelope(&good, |o| {
                o.insert("keyVersion".into(), json!(2));
            }),
            verdict(Some("key_mismatch"), false, false),
        ),
        case(
            "truncated-envelope",
            payload,
            good[..good.len() / 2].to_owned(),
            verdict(Some("invalid_signature"), false, false),
        ),
        case(
            "truncated-mldsa-half",
            payload,
            edit_envelope(&good, |o| {
                let bytes = STANDARD
                    .decode(o["mldsa65"].as_str().expect("str"))
                    .expect("b64");
                o.insert(
                    "mldsa65".into(),
                    json!(STANDARD.encode(&bytes[..bytes.len() - 1])),
                );
            }),
            verdict(Some("invalid_signature"), false, false),
        ),
        case(
            "oversized-ed25519-half",
            payload,
            edit_envelope(&good, |o| {
                let mut bytes = STANDARD
                    .decode(o["ed25519"].as_str().expect("str"))
                    .expect("b64");
                bytes.push(0);
                o.insert("ed25519".into(), json!(STANDARD.encode(bytes)));
            }),
            verdict(Some("invalid_signature"), false, false),
        ),
        case(
            "not-base64",
            payload,
            "%%% not base64 %%%".into(),
            verdict(Some("invalid_signature"), false, false),
        ),
        case(
            "unknown-field",
            payload,
            edit_envelope(&good, |o| {
                o.insert("extra".into(), json!(1));
            }),
            verdict(Some("invalid_signature"), false, false),
        ),
        case(
            "unsupported-version",
            payload,
            edit_envelope(&good, |o| {
                o.insert("v".into(), json!(2));
            }),
            verdict(Some("unsupported_version"), false, false),
        ),
    ];

    json!({
        "description": "postq hybrid mldsa65+ed25519 signatures (docs/formats.md §1-2). ML-DSA halves use the FIPS 204 deterministic variant so the file is reproducible.",
        "prefix": std::str::from_utf8(composite::PREFIX).expect("ascii"),
        "label": std::str::from_utf8(composite::LABEL).expect("ascii"),
        "keys": [alice_json, alice_v2_json, bob_json],
        "valid": valid,
        "invalid": invalid,
    })
}

fn mint_seeds(name: &str) -> MintSeeds {
    MintSeeds {
        ecdsa_secret: seed_bytes(&format!("mint {name} ecdsa")),
        mldsa_seed: seed_bytes(&format!("mint {name} mldsa")),
        serial: seed_bytes(&format!("mint {name} serial")),
    }
}

/// Flip one byte inside the first occurrence of `needle` in `der`.
fn patch_der(der: &[u8], needle: &[u8], offset: usize) -> Vec<u8> {
    let at = der
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in certificate");
    let mut out = der.to_vec();
    out[at + offset] ^= 0x01;
    out
}

fn pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

fn sidecar() -> Value {
    let request = MintRequest {
        hostname: "App.Contoso.Example".into(),
        alt_names: vec![
            "www.contoso.example".into(),
            "app.contoso.example".into(),
            "bücher.contoso.example".into(),
        ],
        not_before: Some(datetime!(2026-01-01 00:00:00 UTC)),
        validity_days: 90,
    };
    let during = "2026-02-01T00:00:00Z";
    let minted = |name: &str, tamper: Tamper| {
        mint_tampered(&request, &mint_seeds(name), &tamper).expect("mint")
    };
    let good = minted("good", Tamper::default());
    let cert =
        |name: &str, pem: String, hostname: Option<&str>, at: &str, failure: Option<&str>| {
            json!({"name": name, "pem": pem, "hostname": hostname, "at": at,
               "expected": {"ok": failure.is_none(), "failure": failure}})
        };
    let binding_text = String::from_utf8(good.binding.to_bytes()).expect("utf8");
    // The ML-DSA signature sits right after the public key inside the extension.
    let tampered_sig = {
        let pk = &good.pq_public_key;
        let at = good
            .certificate_der
            .windows(pk.len())
            .position(|w| w == pk.as_slice())
            .expect("pq key in cert");
        let mut der = good.certificate_der.clone();
        der[at + pk.len() + 4 + 200] ^= 0x01; // 4 = OCTET STRING header of the signature
        der
    };
    json!({
        "description": "Hybrid TLS leaves with the 1.3.9999.42.1 sidecar (docs/formats.md §3-4), minted deterministically; negative cases name the first failing check.",
        "binding": binding_text,
        "certificates": [
            cert("valid", good.certificate_pem.clone(), Some("app.contoso.example"), during, None),
            cert("valid-no-hostname-asked", good.certificate_pem.clone(), None, during, None),
            cert("valid-san-idn-hostname", good.certificate_pem.clone(), Some("BÜCHER.contoso.example"), during, None),
            cert("wrong-hostname", good.certificate_pem.clone(), Some("evil.example"), during, Some("hostname_ok")),
            cert("expired", good.certificate_pem.clone(), Some("app.contoso.example"), "2026-06-01T00:00:00Z", Some("validity_ok")),
            cert("not-yet-valid", good.certificate_pem.clone(), None, "2025-12-31T23:59:59Z", Some("validity_ok")),
            cert("tampered-binding", pem(&patch_der(&good.certificate_der, b"\"hostname\":\"app", 13)), None, during, Some("binding_matches")),
            cert("tampered-pq-signature", pem(&tampered_sig), None, during, Some("pq_signature_ok")),
            cert("tampered-tbs-serial", pem(&patch_der(&good.certificate_der, b"\x02\x10", 5)), None, during, Some("binding_matches")),
            cert(
                "validity-swapped",
                minted("swapped", Tamper { not_after: Some(datetime!(2025-12-01 00:00:00 UTC)), ..Tamper::default() }).certificate_pem,
                None, during, Some("validity_ok"),
            ),
            cert(
                "binding-names-other-classical-key",
                minted("other-classical", Tamper {
                    binding_classical_pub: Some(other_spki()),
                    ..Tamper::default()
                }).certificate_pem,
                None, during, Some("binding_matches"),
            ),
            cert(
                "binding-names-other-pq-key",
                minted("other-pq", Tamper { binding_pq_seed: Some(seed_bytes("other pq key")), ..Tamper::default() }).certificate_pem,
                None, during, Some("binding_matches"),
            ),
            cert("critical-extension", minted("critical", Tamper { critical: true, ..Tamper::default() }).certificate_pem, None, during, Some("extension_present")),
            cert("no-extension", minted("plain", Tamper { omit_extension: true, ..Tamper::default() }).certificate_pem, None, during, Some("extension_present")),
        ],
    })
}

/// The SPKI DER of an unrelated P-256 key.
fn other_spki() -> Vec<u8> {
    use p256::pkcs8::EncodePublicKey as _;
    let secret: [u8; 32] = seed_bytes("other classical key");
    let key = p256::ecdsa::SigningKey::from_slice(&secret).expect("scalar");
    key.verifying_key()
        .to_public_key_der()
        .expect("spki")
        .as_bytes()
        .to_vec()
}

fn seal() -> Value {
    use postq::seal::{SealSecretKey, seal_with_randomness};
    let seed: [u8; 96] = seed_bytes("seal recipient");
    let recipient = SealSecretKey::from_seed(&seed).expect("seal key");
    let other_seed: [u8; 96] = seed_bytes("seal other recipient");
    let other = SealSecretKey::from_seed(&other_seed).expect("seal key");
    let sealed = |name: &str, plaintext: &[u8], aad: &[u8]| {
        let randomness: [u8; 64] = seed_bytes(&format!("seal randomness {name}"));
        seal_with_randomness(recipient.public_key(), plaintext, aad, &randomness).expect("seal")
    };
    let valid_cases: [(&str, Vec<u8>, Vec<u8>); 3] = [
        (
            "credential",
            br#"{"key":"sk_live_abc123"}"#.to_vec(),
            b"cred_01JV".to_vec(),
        ),
        ("empty-plaintext-empty-aad", Vec::new(), Vec::new()),
        (
            "binary-4k",
            (0..4096u32).map(|i| (i * 31 % 251) as u8).collect(),
            b"aad".to_vec(),
        ),
    ];
    let valid: Vec<Value> = valid_cases
        .iter()
        .map(|(name, pt, aad)| json!({"name": name, "recipient": "r1", "plaintext": hex::encode(pt), "aad": hex::encode(aad), "envelope": b64(&sealed(name, pt, aad))}))
        .collect();
    let base = sealed("credential", br#"{"key":"sk_live_abc123"}"#, b"cred_01JV");
    let flip = |index: usize| {
        let mut e = base.clone();
        e[index] ^= 0x01;
        e
    };
    let invalid_case = |name: &str, recipient: &str, aad: &[u8], envelope: Vec<u8>| json!({"name": name, "recipient": recipient, "aad": hex::encode(aad), "envelope": b64(&envelope)});
    let last = base.len() - 1;
    json!({
        "description": "pqseal-v1 envelopes (docs/formats.md §5): ML-KEM-768 + X25519 -> HKDF-SHA-512 -> AES-256-GCM; randomness fixed for reproducibility.",
        "recipients": [
            {"name": "r1", "seed": hex::encode(seed), "publicKey": recipient.public_key().to_base64()},
            {"name": "r2", "seed": hex::encode(other_seed), "publicKey": other.public_key().to_base64()},
        ],
        "valid": valid,
        "invalid": [
            invalid_case("wrong-aad", "r1", b"cred_OTHER", base.clone()),
            invalid_case("wrong-recipient", "r2", b"cred_01JV", base.clone()),
            invalid_case("flipped-magic", "r1", b"cred_01JV", flip(0)),
            invalid_case("unknown-suite", "r1", b"cred_01JV", flip(9)),
            invalid_case("flipped-kem-ciphertext", "r1", b"cred_01JV", flip(10 + 500)),
            invalid_case("flipped-x25519-share", "r1", b"cred_01JV", flip(10 + 1088 + 3)),
            invalid_case("flipped-ciphertext", "r1", b"cred_01JV", flip(1130 + 2)),
            invalid_case("flipped-tag", "r1", b"cred_01JV", flip(last)),
            invalid_case("truncated", "r1", b"cred_01JV", base[..1130 + 10].to_vec()),
            invalid_case("header-only", "r1", b"cred_01JV", base[..1130].to_vec()),
        ],
    })
}

fn ledger() -> Value {
    let mut rows: Vec<LedgerEntry> = Vec::new();
    let payload_sha256 = hex::encode(sha2::Sha256::digest(b"ship it"));
    let events = [
        (
            "key.create",
            Some("hk_vectors_alice"),
            vec![("algorithm", "mldsa65+ed25519")],
        ),
        (
            "sign",
            Some("hk_vectors_alice"),
            vec![
                ("keyVersion", "1"),
                ("payloadSha256", payload_sha256.as_str()),
            ],
        ),
        (
            "verify",
            Some("hk_vectors_alice"),
            vec![("ok", "true"), ("payloadSha256", payload_sha256.as_str())],
        ),
        (
            "rollover.transition",
            Some("tlsr_01"),
            vec![("from", "planned"), ("to", "observation")],
        ),
        ("vault.unseal", None, vec![]),
    ];
    for (i, (event, resource, details)) in events.iter().enumerate() {
        let details: BTreeMap<String, String> = details
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let entry = LedgerEntry {
            seq: 0,
            id: format!("evt_vector_{:02}", i + 1),
            org_id: "org_vectors".into(),
            event_type: (*event).into(),
            actor: "apikey:ak_vectors".into(),
            resource_id: resource.map(str::to_owned),
            occurred_at: format!("2026-11-22T06:30:{:02}.{:03}Z", i, i * 111),
            details,
            prev_hash: String::new(),
            hash: String::new(),
        };
        let chained = entry.chain_after(rows.last());
        rows.push(chained);
    }
    let expect = |ok: bool, complete: bool, failed: Option<u64>, reason: Option<&str>| json!({"ok": ok, "complete": complete, "failedSeq": failed, "reason": reason});
    let chain = |name: &str, rows: Vec<LedgerEntry>, expected: Value| json!({"name": name, "rows": rows, "expected": expected});

    let mut edited = rows.clone();
    edited[1].details.insert("keyVersion".into(), "2".into());
    let mut rehashed = rows.clone();
    rehashed[1].details.insert("keyVersion".into(), "2".into());
    rehashed[1].hash = rehashed[1].compute_hash();
    let mut swapped = rows.clone();
    swapped.swap(2, 3);
    let filtered: Vec<LedgerEntry> = rows.iter().filter(|r| r.seq != 2).cloned().collect();
    json!({
        "description": "Audit ledger hash chains (docs/formats.md §6). `complete` says the rows are a full export (verify_complete_chain), so gaps count.",
        "chains": [
            chain("valid-full-chain", rows.clone(), expect(true, true, None, None)),
            chain("valid-filtered-page", filtered.clone(), expect(true, false, None, None)),
            chain("row-deleted-from-full-export", filtered, expect(false, true, Some(3), Some("missing_row"))),
            chain("edited-details", edited, expect(false, true, Some(2), Some("hash_mismatch"))),
            chain("edited-and-rehashed", rehashed, expect(false, true, Some(3), Some("broken_link"))),
            chain("reordered", swapped, expect(false, true, Some(3), Some("out_of_order"))),
        ],
    })
}
