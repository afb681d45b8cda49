//! Entry points of the fuzz targets (`fuzz/`, cargo-fuzz) for core's parsers of
//! untrusted input; the server's replay test feeds every committed corpus file
//! through these same functions. Each must return normally on any input: an error is
//! fine, a panic (or an invariant `assert!` failing) is a finding. Not an API.

use std::sync::OnceLock;

use crate::hybrid::{self, HybridPublicKey, HybridSigningKey, SignatureEnvelope};
use crate::ledger::{self, LedgerEntry};
use crate::seal::{SealPublicKey, SealSecretKey};
use crate::sidecar::{Binding, SidecarExtension, VerifyOptions, verify_certificate};

/// One fixed signing key (deterministic), so signatures can be checked against it.
fn signing_key() -> Option<&'static HybridSigningKey> {
    static KEY: OnceLock<Option<HybridSigningKey>> = OnceLock::new();
    KEY.get_or_init(|| HybridSigningKey::from_seed(&[7u8; 64], "hk_fuzz", 1).ok())
        .as_ref()
}

/// One fixed seal key.
fn seal_key() -> Option<&'static SealSecretKey> {
    static KEY: OnceLock<Option<SealSecretKey>> = OnceLock::new();
    KEY.get_or_init(|| SealSecretKey::from_seed(&[9u8; 96]).ok())
        .as_ref()
}

/// The composite signature envelope (formats.md §2): parse, re-encode, and verify
/// against a fixed key.
pub fn signature_envelope(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(envelope) = SignatureEnvelope::parse(text) {
        let again = SignatureEnvelope::parse(&envelope.encode());
        assert!(again.ok() == Some(envelope), "re-encoded envelope differs");
    }
    if let Some(key) = signing_key() {
        let _ = hybrid::verify(key.public_key(), b"payload", text);
    }
}

/// The public key JSON and the JWK Set (formats.md §1): each parser, and what parses
/// re-serialises to the same key.
pub fn public_key(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = HybridPublicKey::from_json(text) {
        let again = HybridPublicKey::from_json(&key.to_json());
        assert!(again.ok() == Some(key), "public key JSON round trip");
    }
    if let Ok(key) = HybridPublicKey::from_jwk(text) {
        let again = HybridPublicKey::from_jwk(&key.to_jwk());
        assert!(again.ok() == Some(key), "JWK Set round trip");
    }
    let _ = HybridPublicKey::from_published(text);
}

/// The sidecar extension's DER, the canonical binding, and a whole certificate (PEM or
/// DER) through every verification check.
pub fn sidecar(data: &[u8]) {
    if let Ok(ext) = SidecarExtension::from_der(data) {
        let der = ext.to_der();
        assert!(der.is_ok(), "a parsed extension encodes");
        if let Ok(der) = der {
            let again = SidecarExtension::from_der(&der);
            assert!(
                again.ok().as_ref() == Some(&ext),
                "extension DER round trip"
            );
        }
    }
    let _ = Binding::parse(data);
    let options = VerifyOptions {
        hostname: Some("app.contoso.example".to_owned()),
        at: None,
    };
    let _ = verify_certificate(data, &options);
}

/// The `pqseal-v1` envelope (formats.md §5) opened with a fixed key, and a seal public
/// key from bytes.
pub fn sealed_envelope(data: &[u8]) {
    if let Some(key) = seal_key() {
        let _ = key.open(data, b"fuzz");
    }
    if let Ok(public) = SealPublicKey::from_bytes(data) {
        let again = SealPublicKey::from_bytes(&public.to_bytes());
        assert!(again.ok() == Some(public), "seal public key round trip");
    }
}

/// A ledger export (a JSON array of rows, formats.md §6) through chain verification.
pub fn ledger_chain(data: &[u8]) {
    let Ok(rows) = serde_json::from_slice::<Vec<LedgerEntry>>(data) else {
        return;
    };
    let partial = ledger::verify_chain(&rows);
    let complete = ledger::verify_complete_chain(&rows);
    assert!(
        !complete.ok || partial.ok,
        "a complete chain is a valid chain"
    );
    for row in &rows {
        let _ = row.compute_hash();
    }
}

/// What a ledger witness reads from a server or a state file (formats.md §7), the
/// first byte picking which: a ledger key's JSON, a ledger key's JSON and a signed
/// checkpoint (split at the first NUL) verified against it, an inclusion or a
/// consistency proof checked against the empty tree's root, a witness state file.
pub fn ledger_proof(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let root = ledger::NodeHash::empty_tree();
    match which % 5 {
        0 => {
            if let Ok(key) = ledger::LedgerKey::from_json(text) {
                let again = ledger::LedgerKey::from_json(&key.to_json());
                assert!(again.ok() == Some(key), "ledger key JSON round trip");
            }
        }
        1 => {
            if let Some((key, note)) = text.split_once('\0')
                && let Ok(key) = ledger::LedgerKey::from_json(key)
            {
                let _ = key.verify_checkpoint(note);
            }
        }
        2 => {
            if let Ok(proof) = ledger::InclusionProof::from_json(text) {
                let _ = proof.verify(&ledger::NodeHash::leaf(b"fuzz"), &root);
            }
        }
        3 => {
            if let Ok(proof) = ledger::ConsistencyProof::from_json(text) {
                let _ = proof.verify(&root, &root);
            }
        }
        _ => {
            if let Ok(witness) = ledger::Witness::from_json(text) {
                let _ = witness.to_json();
            }
        }
    }
}
