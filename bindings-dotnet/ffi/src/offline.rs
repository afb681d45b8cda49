//! Offline functions: no network, no API key, synchronous on the caller's thread.
//! Hybrid signature verification (typed verdict, the hot path), published keys parsed
//! once, sidecar certificates, ledger chains, `pqseal-v1` seal and open.

use postq::hybrid::HybridPublicKey;
use postq::seal::{SealPublicKey, SealSecretKey};
use postq_bindings_common::{ErrorInfo, OPERATIONS, PublicKeyInfo, offline};

use crate::buffer::{self, PostqBuffer};
use crate::guard;

/// A verification verdict: both halves are always checked (AND combiner). Each field is
/// 0 or 1.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PostqVerdict {
    /// `classical_ok && pq_ok`.
    pub ok: u8,
    /// The Ed25519 half verified.
    pub classical_ok: u8,
    /// The ML-DSA-65 half verified.
    pub pq_ok: u8,
}

impl From<postq::hybrid::VerifyResult> for PostqVerdict {
    fn from(v: postq::hybrid::VerifyResult) -> Self {
        PostqVerdict {
            ok: u8::from(v.ok),
            classical_ok: u8::from(v.classical_ok),
            pq_ok: u8::from(v.pq_ok),
        }
    }
}

fn write_verdict(out: *mut PostqVerdict, verdict: PostqVerdict) -> Result<(), ErrorInfo> {
    // SAFETY: NULL or a writable verdict by the callers' contract.
    match unsafe { out.as_mut() } {
        Some(out) => {
            *out = verdict;
            Ok(())
        }
        None => Err(ErrorInfo::invalid("out", "is NULL")),
    }
}

/// Verify a composite signature (base64 envelope, UTF-8) over `payload` against a
/// published public key (JSON or JWK Set, UTF-8). `POSTQ_OK` fills `*out` with the
/// verdict (a wrong signature is a verdict, not an error); `POSTQ_ERROR` means the
/// signature or key is malformed (`invalid_signature`, `key_mismatch`, …) and `*error`
/// holds the `ErrorInfo`.
///
/// # Safety
/// Every pointer is NULL or valid for its length; `out` writable; `error` NULL or a
/// writable `PostqBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_verify_offline(
    public_key: *const u8,
    public_key_len: usize,
    payload: *const u8,
    payload_len: usize,
    signature: *const u8,
    signature_len: usize,
    out: *mut PostqVerdict,
    error: *mut PostqBuffer,
) -> i32 {
    guard::status(error, || {
        // SAFETY: caller contract for every pointer.
        let key = unsafe { buffer::text("public key", public_key, public_key_len) }?;
        let payload = unsafe { buffer::bytes("payload", payload, payload_len) }?;
        let signature = unsafe { buffer::text("signature", signature, signature_len) }?;
        let verdict = postq::hybrid::verify_published(key, payload, signature)?;
        write_verdict(out, verdict.into())
    })
}

/// A published hybrid public key, parsed and checked once (opaque). Free it with
/// `postq_public_key_free`.
pub struct PostqPublicKey {
    inner: HybridPublicKey,
}

/// Parse a published hybrid public key (JSON or JWK Set, UTF-8).
///
/// # Safety
/// `text` valid for `text_len`; `out` writable; `error` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_public_key_parse(
    text: *const u8,
    text_len: usize,
    out: *mut *mut PostqPublicKey,
    error: *mut PostqBuffer,
) -> i32 {
    guard::status(error, || {
        if out.is_null() {
            return Err(ErrorInfo::invalid("out", "is NULL"));
        }
        // SAFETY: caller contract.
        let text = unsafe { buffer::text("public key", text, text_len) }?;
        let inner = HybridPublicKey::from_published(text)?;
        // SAFETY: non-null, writable by contract.
        unsafe { *out = Box::into_raw(Box::new(PostqPublicKey { inner })) };
        Ok(())
    })
}

/// The key's `PublicKeyInfo` JSON (`keyId`, `version`, `fingerprint`, `json`, `jwk`,
/// `mldsa65`, `ed25519` — the raw halves base64) in `*out`.
///
/// # Safety
/// `key` a live key; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_public_key_info(
    key: *const PostqPublicKey,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || {
        // SAFETY: a live key or NULL.
        let key = unsafe { key.as_ref() }.ok_or_else(|| ErrorInfo::invalid("key", "is NULL"))?;
        serde_json::to_vec(&PublicKeyInfo::from(&key.inner))
            .map_err(|e| ErrorInfo::invalid("public key info", e))
    })
}

/// Verify a signature envelope over `payload` with a parsed key (as
/// `postq_verify_offline`, without re-parsing the key).
///
/// # Safety
/// `key` a live key; other pointers as in `postq_verify_offline`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_public_key_verify(
    key: *const PostqPublicKey,
    payload: *const u8,
    payload_len: usize,
    signature: *const u8,
    signature_len: usize,
    out: *mut PostqVerdict,
    error: *mut PostqBuffer,
) -> i32 {
    guard::status(error, || {
        // SAFETY: caller contract for every pointer.
        let key = unsafe { key.as_ref() }.ok_or_else(|| ErrorInfo::invalid("key", "is NULL"))?;
        let payload = unsafe { buffer::bytes("payload", payload, payload_len) }?;
        let signature = unsafe { buffer::text("signature", signature, signature_len) }?;
        let verdict = postq::hybrid::verify(&key.inner, payload, signature)?;
        write_verdict(out, verdict.into())
    })
}

/// Free a parsed key. NULL is ignored.
///
/// # Safety
/// `key` NULL or from `postq_public_key_parse`, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_public_key_free(key: *mut PostqPublicKey) {
    guard::quiet(|| {
        if !key.is_null() {
            // SAFETY: from `postq_public_key_parse`, freed once.
            drop(unsafe { Box::from_raw(key) });
        }
    });
}

/// Verify a hybrid certificate's ML-DSA-65 sidecar (PEM or DER bytes). `hostname`
/// (UTF-8, NULL: not checked) must be bound; `at` (RFC 3339, NULL: now) is the time to
/// judge validity at. `*out` holds the `SidecarReport` JSON (`POSTQ_OK`, even when the
/// report says not ok) or the `ErrorInfo` (`POSTQ_ERROR`: not a certificate, bad time).
///
/// # Safety
/// Pointers NULL or valid for their lengths; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_verify_certificate(
    certificate: *const u8,
    certificate_len: usize,
    hostname: *const u8,
    hostname_len: usize,
    at: *const u8,
    at_len: usize,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || {
        // SAFETY: caller contract for every pointer.
        let cert = unsafe { buffer::bytes("certificate", certificate, certificate_len) }?;
        let hostname = unsafe { buffer::optional_text("hostname", hostname, hostname_len) }?;
        let at = unsafe { buffer::optional_text("at", at, at_len) }?;
        offline::verify_certificate(cert, hostname.map(str::to_owned), at)
    })
}

/// Verify ledger rows (a JSON array of `LedgerEntry`, ascending `seq`); `complete`
/// (non-zero) also requires `seq` 1, 2, 3 … without gaps. `*out` holds the
/// `ChainReport` JSON or the `ErrorInfo`.
///
/// # Safety
/// `rows` valid for `rows_len`; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_verify_ledger(
    rows: *const u8,
    rows_len: usize,
    complete: u8,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || {
        // SAFETY: caller contract.
        let rows = unsafe { buffer::text("ledger rows", rows, rows_len) }?;
        offline::verify_ledger(rows, complete != 0)
    })
}

/// Seal `plaintext` to a recipient's public key (base64 of `ek ‖ x25519`, UTF-8) with
/// associated data `aad` (NULL: none). `*out` holds the base64 `pqseal-v1` envelope.
///
/// # Safety
/// Pointers NULL or valid for their lengths; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_seal(
    recipient: *const u8,
    recipient_len: usize,
    plaintext: *const u8,
    plaintext_len: usize,
    aad: *const u8,
    aad_len: usize,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || {
        // SAFETY: caller contract for every pointer.
        let recipient = unsafe { buffer::text("recipient public key", recipient, recipient_len) }?;
        let plaintext = unsafe { buffer::bytes("plaintext", plaintext, plaintext_len) }?;
        let aad = unsafe { buffer::bytes("aad", aad, aad_len) }?;
        let key = SealPublicKey::from_base64(recipient)?;
        Ok(postq::seal::seal_base64(&key, plaintext, aad)?)
    })
}

/// A `pqseal-v1` recipient key pair (opaque; ML-KEM-768 + X25519). The secret half stays
/// in native memory and is zeroized when freed with `postq_seal_key_free`.
pub struct PostqSealKey {
    inner: SealSecretKey,
}

fn new_seal_key(out: *mut *mut PostqSealKey, inner: SealSecretKey) -> Result<(), ErrorInfo> {
    if out.is_null() {
        return Err(ErrorInfo::invalid("out", "is NULL"));
    }
    // SAFETY: non-null, writable by the callers' contract.
    unsafe { *out = Box::into_raw(Box::new(PostqSealKey { inner })) };
    Ok(())
}

fn seal_key<'a>(key: *const PostqSealKey) -> Result<&'a SealSecretKey, ErrorInfo> {
    // SAFETY: a live key or NULL by the callers' contract.
    unsafe { key.as_ref() }
        .map(|k| &k.inner)
        .ok_or_else(|| ErrorInfo::invalid("seal key", "is NULL"))
}

/// A fresh key pair from the OS RNG.
///
/// # Safety
/// `out` writable; `error` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_seal_key_generate(
    out: *mut *mut PostqSealKey,
    error: *mut PostqBuffer,
) -> i32 {
    guard::status(error, || new_seal_key(out, SealSecretKey::generate()?))
}

/// A key pair from its 96-byte seed `d ‖ z ‖ x25519 secret`.
///
/// # Safety
/// `seed` valid for `seed_len`; `out` writable; `error` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_seal_key_from_seed(
    seed: *const u8,
    seed_len: usize,
    out: *mut *mut PostqSealKey,
    error: *mut PostqBuffer,
) -> i32 {
    guard::status(error, || {
        // SAFETY: caller contract.
        let seed = unsafe { buffer::bytes("seed", seed, seed_len) }?;
        new_seal_key(out, SealSecretKey::from_seed(seed)?)
    })
}

/// The public key, base64 (`ek ‖ x25519`, 1216 bytes), in `*out`.
///
/// # Safety
/// `key` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_seal_key_public(
    key: *const PostqSealKey,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || Ok(seal_key(key)?.public_key().to_base64()))
}

/// SHA-256 of the public key, hex, in `*out`.
///
/// # Safety
/// `key` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_seal_key_fingerprint(
    key: *const PostqSealKey,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || Ok(seal_key(key)?.public_key().fingerprint()))
}

/// The 96-byte secret seed in `*out`. Secret: `postq_buffer_free` zeroizes it.
///
/// # Safety
/// `key` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_seal_key_export_seed(
    key: *const PostqSealKey,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || Ok(seal_key(key)?.seed_bytes()))
}

/// Open an envelope sealed to this key with the same `aad` (NULL: none). `base64`
/// non-zero: `envelope` is the base64 text form; else raw bytes. `*out` holds the
/// plaintext (`postq_buffer_free` zeroizes it) or the `ErrorInfo` (`seal_open_failed`
/// for a wrong key, wrong aad or tampering).
///
/// # Safety
/// `key` live; pointers NULL or valid for their lengths; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_seal_key_open(
    key: *const PostqSealKey,
    envelope: *const u8,
    envelope_len: usize,
    base64: u8,
    aad: *const u8,
    aad_len: usize,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || {
        let key = seal_key(key)?;
        // SAFETY: caller contract for every pointer.
        let aad = unsafe { buffer::bytes("aad", aad, aad_len) }?;
        let plain = if base64 != 0 {
            let text = unsafe { buffer::text("envelope", envelope, envelope_len) }?;
            key.open_base64(text, aad)?
        } else {
            let raw = unsafe { buffer::bytes("envelope", envelope, envelope_len) }?;
            key.open(raw, aad)?
        };
        Ok(plain)
    })
}

/// Free a key pair (its secret is zeroized). NULL is ignored.
///
/// # Safety
/// `key` NULL or from `postq_seal_key_generate` / `_from_seed`, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_seal_key_free(key: *mut PostqSealKey) {
    guard::quiet(|| {
        if !key.is_null() {
            // SAFETY: from this module's constructors, freed once.
            drop(unsafe { Box::from_raw(key) });
        }
    });
}

/// Every command name of the common layer (`["health", "scans.submit", …]`) as JSON in
/// `*out`: what a binding's tests must exercise.
///
/// # Safety
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_operations(out: *mut PostqBuffer) -> i32 {
    guard::to_buffer(out, || {
        let names: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        serde_json::to_vec(&names).map_err(|e| ErrorInfo::invalid("operations", e))
    })
}
