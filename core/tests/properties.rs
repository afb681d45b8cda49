//! Property tests: mutated inputs never panic and never verify/open falsely.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

use std::sync::OnceLock;

use postq::hybrid::{HybridPublicKey, HybridSigningKey, verify};
use postq::seal::SealSecretKey;
use postq::sidecar::{MintRequest, MintedCertificate, VerifyOptions, mint, verify_certificate};
use proptest::prelude::*;

struct Fixture {
    key: HybridSigningKey,
    signature: String,
    seal_key: SealSecretKey,
    envelope: Vec<u8>,
    cert: MintedCertificate,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let key = HybridSigningKey::generate("hk_prop", 1).unwrap();
        let signature = key.sign(b"payload").unwrap();
        let seal_key = SealSecretKey::generate().unwrap();
        let envelope = postq::seal::seal(seal_key.public_key(), b"secret", b"aad").unwrap();
        let cert = mint(&MintRequest::new("prop.example")).unwrap();
        Fixture {
            key,
            signature,
            seal_key,
            envelope,
            cert,
        }
    })
}

fn mutate(bytes: &[u8], index: usize, xor: u8, truncate: bool) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if truncate {
        out.truncate(index % (bytes.len() + 1));
    } else {
        let i = index % out.len();
        out[i] ^= xor;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn mutated_signature_never_verifies(index in any::<usize>(), xor in 1u8..=255, truncate in any::<bool>()) {
        let f = fixture();
        let mutated = mutate(f.signature.as_bytes(), index, xor, truncate);
        if let Ok(text) = String::from_utf8(mutated)
            && text != f.signature
            && let Ok(result) = verify(f.key.public_key(), b"payload", &text)
        {
            // Base64 may decode a changed character to the same bytes only when
            // padding bits change; then the halves are identical.
            let same = postq::hybrid::SignatureEnvelope::parse(&text).ok()
                == postq::hybrid::SignatureEnvelope::parse(&f.signature).ok();
            prop_assert!(!result.ok || same);
        }
    }

    #[test]
    fn mutated_payload_never_verifies(payload in proptest::collection::vec(any::<u8>(), 0..64)) {
        let f = fixture();
        prop_assume!(payload != b"payload");
        let r = verify(f.key.public_key(), &payload, &f.signature).unwrap();
        prop_assert!(!r.ok && !r.classical_ok && !r.pq_ok);
    }

    #[test]
    fn mutated_envelope_never_opens(index in any::<usize>(), xor in 1u8..=255, truncate in any::<bool>()) {
        let f = fixture();
        let mutated = mutate(&f.envelope, index, xor, truncate);
        prop_assume!(mutated != f.envelope);
        prop_assert!(f.seal_key.open(&mutated, b"aad").is_err());
    }

    #[test]
    fn mutated_certificate_never_verifies(index in any::<usize>(), xor in 1u8..=255, truncate in any::<bool>()) {
        let f = fixture();
        let mutated = mutate(&f.cert.certificate_der, index, xor, truncate);
        prop_assume!(mutated != f.cert.certificate_der);
        if let Ok(report) = verify_certificate(&mutated, &VerifyOptions::default()) {
            prop_assert!(!report.ok, "mutation at {} accepted", index % f.cert.certificate_der.len());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        let _ = HybridPublicKey::from_json(&text);
        let _ = HybridPublicKey::from_jwk(&text);
        let _ = postq::hybrid::SignatureEnvelope::parse(&text);
        let _ = verify_certificate(text.as_bytes(), &VerifyOptions::default());
        let _ = postq::sidecar::Binding::parse(text.as_bytes());
        let _ = postq::sidecar::SidecarExtension::from_der(text.as_bytes());
        let _ = fixture().seal_key.open_base64(&text, b"");
    }
}
