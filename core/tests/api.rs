//! Behaviour of the public offline API: keys, signatures, sidecar, seal, errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

use postq::hybrid::composite::Hedging;
use postq::hybrid::{HybridPublicKey, HybridSigningKey, SignatureEnvelope, verify};
use postq::seal::{SealPublicKey, SealSecretKey, seal, seal_base64};
use postq::sidecar::{MintRequest, SidecarCheck, VerifyOptions, mint, verify_certificate};

#[test]
fn generated_keys_sign_and_verify_and_differ() {
    let a = HybridSigningKey::generate("hk_a", 1).unwrap();
    let b = HybridSigningKey::generate("hk_a", 1).unwrap();
    assert_ne!(a.public_key().fingerprint(), b.public_key().fingerprint());
    let sig = a.sign(b"ship it").unwrap();
    let r = verify(a.public_key(), b"ship it", &sig).unwrap();
    assert!(r.ok && r.classical_ok && r.pq_ok);
    // Hedged: two signatures of the same message differ, both verify.
    let sig2 = a.sign(b"ship it").unwrap();
    assert_ne!(sig, sig2);
    assert!(verify(a.public_key(), b"ship it", &sig2).unwrap().ok);
    // Same key id, different key: both halves fail, no error.
    let r = verify(b.public_key(), b"ship it", &sig).unwrap();
    assert!(!r.ok && !r.classical_ok && !r.pq_ok);
}

#[test]
fn seed_round_trips_and_is_deterministic() {
    let seed = [7u8; 64];
    let k = HybridSigningKey::from_seed(&seed, "hk_seed", 3).unwrap();
    assert_eq!(k.seed_bytes().as_slice(), &seed);
    let again = HybridSigningKey::from_seed(&seed, "hk_seed", 3).unwrap();
    assert_eq!(k.public_key(), again.public_key());
    assert_eq!(
        k.sign_with(b"x", Hedging::Deterministic).unwrap(),
        again.sign_with(b"x", Hedging::Deterministic).unwrap()
    );
    assert_eq!(
        HybridSigningKey::from_seed(&seed[..63], "hk", 1)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    assert_eq!(
        HybridSigningKey::from_seed(&seed, "bad id!", 1)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    assert_eq!(
        HybridSigningKey::from_seed(&seed, "hk", 0)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
}

#[test]
fn public_key_json_and_jwk_round_trip() {
    let k = HybridSigningKey::generate("hk_rt", 2).unwrap();
    let json = k.public_key().to_json();
    assert!(
        json.starts_with(
            r#"{"v":1,"alg":"mldsa65+ed25519","keyId":"hk_rt","version":2,"mldsa65":""#
        )
    );
    assert_eq!(&HybridPublicKey::from_json(&json).unwrap(), k.public_key());
    let jwk = k.public_key().to_jwk();
    assert!(
        jwk.contains(r#""kty":"AKP","alg":"ML-DSA-65""#)
            && jwk.contains(r#""kty":"OKP","crv":"Ed25519""#)
    );
    assert_eq!(&HybridPublicKey::from_jwk(&jwk).unwrap(), k.public_key());
    assert_eq!(
        &HybridPublicKey::from_published(&jwk).unwrap(),
        k.public_key()
    );
    assert_eq!(
        &HybridPublicKey::from_published(&json).unwrap(),
        k.public_key()
    );
    assert_eq!(
        HybridPublicKey::from_published("nonsense")
            .unwrap_err()
            .code(),
        "invalid_input"
    );
}

#[test]
fn published_form_is_decided_by_the_json_not_by_its_text() {
    // A key whose id is `keys` has the text `"keys"` in its JSON form: it is still the
    // JSON form, because only a JWK Set has a top-level `keys` member.
    let k = HybridSigningKey::generate("keys", 1).unwrap();
    let json = k.public_key().to_json();
    assert!(json.contains("\"keys\""));
    assert_eq!(
        &HybridPublicKey::from_published(&json).unwrap(),
        k.public_key()
    );
    assert_eq!(
        &HybridPublicKey::from_published(&k.public_key().to_jwk()).unwrap(),
        k.public_key()
    );
    let sig = k.sign(b"ship it").unwrap();
    let result = postq::hybrid::verify_published(&json, b"ship it", &sig).unwrap();
    assert!(result.ok && result.classical_ok && result.pq_ok);
    let tampered = postq::hybrid::verify_published(&json, b"ship it!", &sig).unwrap();
    assert!(!tampered.ok);
    assert_eq!(
        HybridPublicKey::from_published("[1,2]").unwrap_err().code(),
        "invalid_input"
    );
}

#[test]
fn rollover_status_is_a_state_machine() {
    use postq::api::RolloverStatus as S;
    let forward = [S::Planned, S::Observation, S::Cutover, S::Completed];
    for pair in forward.windows(2) {
        assert!(
            pair[0].can_move_to(pair[1]),
            "{:?} -> {:?}",
            pair[0],
            pair[1]
        );
        assert!(
            !pair[1].can_move_to(pair[0]),
            "no way back from {:?}",
            pair[1]
        );
    }
    assert!(
        !S::Planned.can_move_to(S::Cutover),
        "stages are not skipped"
    );
    for from in forward {
        assert!(from.can_move_to(S::RolledBack), "rollback from {from:?}");
    }
    for to in S::ALL {
        assert!(!S::RolledBack.can_move_to(to), "rolled_back is terminal");
    }
    assert_eq!(S::Completed.next(), None);
    assert!(S::RolledBack.is_terminal() && !S::Completed.is_terminal());
}

#[test]
fn error_kinds_follow_the_status_table() {
    use postq::error::ErrorKind as K;
    let api = |status| postq::Error::Api {
        status,
        code: "x".into(),
        message: String::new(),
        request_id: None,
        retry_after: None,
    };
    for (status, kind) in [
        (400, K::Api),
        (401, K::Auth),
        (403, K::Permission),
        (404, K::NotFound),
        (409, K::Conflict),
        (429, K::RateLimit),
        (503, K::Server),
    ] {
        assert_eq!(api(status).kind(), kind, "{status}");
    }
    assert_eq!(postq::Error::Timeout("t".into()).kind(), K::Timeout);
    assert_eq!(postq::Error::Connection("c".into()).kind(), K::Connection);
    assert_eq!(postq::Error::Config("c".into()).kind(), K::Validation);
    assert_eq!(postq::Error::SealOpenFailed.kind(), K::Crypto);
    assert_eq!(
        HybridPublicKey::from_json("{}").unwrap_err().kind(),
        K::Validation
    );
}

#[test]
fn verify_options_take_rfc3339_text() {
    let o = VerifyOptions::with_rfc3339(Some("a.example".into()), Some("2026-02-01T00:00:00Z"))
        .unwrap();
    assert_eq!(o.at.unwrap().unix_timestamp(), 1_769_904_000);
    assert_eq!(
        VerifyOptions::with_rfc3339(None, Some("yesterday"))
            .unwrap_err()
            .code(),
        "invalid_input"
    );
}

#[test]
fn bad_public_keys_are_typed_errors() {
    let k = HybridSigningKey::generate("hk_bad", 1).unwrap();
    let json = k.public_key().to_json();
    let cases = [
        String::new(),
        "{".to_owned(),
        json.replace(r#""v":1"#, r#""v":2"#),
        json.replace("mldsa65+ed25519", "rsa"),
        json.replace(r#""version":1,"#, ""),
        json.replace(r#""ed25519":""#, r#""ed25519":"AAAA"#),
        json.replace(r#""keyId":"hk_bad""#, r#""keyId":"hk bad""#),
        format!("{}{}", json, " ".repeat(9000)),
        json.replace("}", r#","extra":1}"#),
    ];
    for text in cases {
        let err = HybridPublicKey::from_json(&text).unwrap_err();
        assert!(
            matches!(err.code(), "invalid_input" | "unsupported_version"),
            "{err}"
        );
    }
    let jwk = k.public_key().to_jwk();
    let with_private = jwk.replacen(r#""kty":"OKP""#, r#""kty":"OKP","d":"AAAA""#, 1);
    assert!(
        HybridPublicKey::from_jwk(&with_private)
            .unwrap_err()
            .to_string()
            .contains("private")
    );
    let one_key = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"k#v1"}]}"#;
    assert_eq!(
        HybridPublicKey::from_jwk(one_key).unwrap_err().code(),
        "invalid_input"
    );
}

#[test]
fn envelope_parse_exposes_key_and_halves() {
    let k = HybridSigningKey::generate("hk_env", 4).unwrap();
    let sig = k.sign(b"p").unwrap();
    let env = SignatureEnvelope::parse(&sig).unwrap();
    assert_eq!((env.key_id(), env.key_version()), ("hk_env", 4));
    assert_eq!(env.mldsa65().len(), 3309);
    assert_eq!(env.ed25519().len(), 64);
    assert_eq!(env.composite().len(), 3373);
    assert_eq!(env.encode(), sig);
    assert_eq!(
        SignatureEnvelope::parse(&"A".repeat(20_000))
            .unwrap_err()
            .code(),
        "invalid_signature"
    );
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let seed = [0x42u8; 64];
    let k = HybridSigningKey::from_seed(&seed, "hk_dbg", 1).unwrap();
    let text = format!("{k:?}");
    assert!(
        !text.contains("42, 42") && !text.contains(&hex::encode(&seed[..8])),
        "{text}"
    );
    let minted = mint(&MintRequest::new("debug.example")).unwrap();
    let text = format!("{minted:?}");
    assert!(!text.contains("PRIVATE KEY") && text.contains("redacted"));
    let s = SealSecretKey::from_seed(&[0x42u8; 96]).unwrap();
    assert!(!format!("{s:?}").contains("42, 42"));
}

#[test]
fn minted_certificate_verifies_and_reports_each_check() {
    let mut request = MintRequest::new("App.Example.COM");
    request.alt_names = vec!["www.example.com".into()];
    let minted = mint(&request).unwrap();
    assert_eq!(minted.binding.hostname, "app.example.com");
    assert_eq!(
        minted.binding.alt_names,
        ["app.example.com", "www.example.com"]
    );
    assert!(
        minted
            .private_key_pem
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );

    let options = VerifyOptions {
        hostname: Some("www.example.com".into()),
        at: None,
    };
    let pem_report = verify_certificate(minted.certificate_pem.as_bytes(), &options).unwrap();
    assert!(pem_report.ok, "{pem_report:?}");
    let der_report = verify_certificate(&minted.certificate_der, &options).unwrap();
    assert_eq!(pem_report, der_report);

    let wrong = VerifyOptions {
        hostname: Some("other.example.com".into()),
        at: None,
    };
    let report = verify_certificate(&minted.certificate_der, &wrong).unwrap();
    assert_eq!(report.failure, Some(SidecarCheck::HostnameOk));
    assert!(
        report.checks.pq_signature_ok
            && report.checks.binding_matches
            && !report.checks.hostname_ok
    );
}

#[test]
fn openssl_parses_the_minted_certificate_and_shows_the_extension() {
    let minted = mint(&MintRequest::new("openssl.example")).unwrap();
    let dir = std::env::temp_dir().join(format!("postq-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cert.pem");
    std::fs::write(&path, &minted.certificate_pem).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&path)
        .output()
        .expect("openssl must be installed (Debian package `openssl`)");
    std::fs::remove_dir_all(&dir).ok();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("1.3.9999.42.1:"), "{text}");
    assert!(!text.contains("1.3.9999.42.1: critical"));
    assert!(text.contains("ecdsa-with-SHA256") && text.contains("DNS:openssl.example"));
    assert!(text.contains("CN = openssl.example") || text.contains("CN=openssl.example"));
}

/// The Subject Key Identifier is RFC 7093 method 1 of the certificate's own public key
/// (so it differs per key), as openssl reads both from the certificate.
#[test]
fn subject_key_identifier_is_computed_from_the_public_key() {
    use base64::Engine as _;
    use sha2::{Digest as _, Sha256};
    let dir = std::env::temp_dir().join(format!("postq-ski-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let openssl = |args: &[&str], path: &std::path::Path| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .arg(path)
            .output()
            .expect("openssl must be installed (Debian package `openssl`)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let mut seen = Vec::new();
    for host in ["ski-one.example", "ski-two.example"] {
        let minted = mint(&MintRequest::new(host)).unwrap();
        let path = dir.join(format!("{host}.pem"));
        std::fs::write(&path, &minted.certificate_pem).unwrap();
        let ext = openssl(
            &["x509", "-noout", "-ext", "subjectKeyIdentifier", "-in"],
            &path,
        );
        let shown = ext.lines().nth(1).unwrap().trim().replace(':', "");
        let spki_pem = openssl(&["x509", "-noout", "-pubkey", "-in"], &path);
        let b64: String = spki_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let spki = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        // A P-256 SubjectPublicKeyInfo is 91 bytes; the BIT STRING's value is the
        // 65-byte uncompressed point at its end.
        assert_eq!(spki.len(), 91);
        let point = &spki[26..];
        assert_eq!(point[0], 0x04);
        let expected = hex::encode_upper(&Sha256::digest(point)[..20]);
        assert_eq!(shown, expected, "{host}");
        seen.push(shown);
    }
    std::fs::remove_dir_all(&dir).ok();
    assert_ne!(seen[0], seen[1]);
}

#[test]
fn not_a_certificate_is_a_typed_error() {
    let opts = VerifyOptions::default();
    for input in [
        &b""[..],
        b"garbage",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        &[0x30, 0x82, 0x01],
    ] {
        assert_eq!(
            verify_certificate(input, &opts).unwrap_err().code(),
            "invalid_certificate"
        );
    }
    let key_pem = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_eq!(
        verify_certificate(key_pem, &opts).unwrap_err().code(),
        "invalid_certificate"
    );
    assert_eq!(
        verify_certificate(&vec![b'A'; 70_000], &opts)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
}

#[test]
fn seal_round_trip_binds_aad_and_recipient() {
    let key = SealSecretKey::generate().unwrap();
    let envelope = seal(key.public_key(), b"sk_live_secret", b"cred_1").unwrap();
    assert_eq!(envelope.len(), postq::seal::HEADER_LEN + 14 + 16);
    assert_eq!(
        key.open(&envelope, b"cred_1").unwrap().as_slice(),
        b"sk_live_secret"
    );
    assert_eq!(
        key.open(&envelope, b"cred_2").unwrap_err().code(),
        "seal_open_failed"
    );
    let other = SealSecretKey::generate().unwrap();
    assert!(other.open(&envelope, b"cred_1").is_err());
    // Two seals of the same plaintext differ.
    assert_ne!(
        envelope,
        seal(key.public_key(), b"sk_live_secret", b"cred_1").unwrap()
    );
    // Public key text form round-trips; bad keys are typed errors.
    let pk = SealPublicKey::from_base64(&key.public_key().to_base64()).unwrap();
    let b64 = seal_base64(&pk, b"x", b"").unwrap();
    assert_eq!(key.open_base64(&b64, b"").unwrap().as_slice(), b"x");
    assert_eq!(
        SealPublicKey::from_bytes(&[0u8; 10]).unwrap_err().code(),
        "invalid_input"
    );
    assert_eq!(
        SealSecretKey::from_seed(&[0u8; 95]).unwrap_err().code(),
        "invalid_input"
    );
    assert!(seal(key.public_key(), &vec![0u8; 16 * 1024 * 1024 + 1], b"").is_err());
}
