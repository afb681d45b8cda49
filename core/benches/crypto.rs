//! `cargo bench -p postq`: postq's hybrid keygen / sign / verify, sidecar verify and
//! seal / open, measured with criterion **in the same run** as the same operations on
//! other native implementations, then a summary table with ratios (docs/crypto.md).
//!
//! Stacks compared (all hedged signing, keys parsed once outside the timed loop):
//!
//! - `postq`: the public API (`HybridSigningKey::sign` → envelope string,
//!   `hybrid::verify` ← envelope string) and the raw composite halves
//!   (`sign_envelope` / `verify_composite`, no base64/JSON): `libcrux-ml-dsa` +
//!   `ed25519-dalek`.
//! - `libcrux+dalek`: the same two crates called directly, over the same M' and context
//!   label, so its signatures are byte-compatible with postq's (checked below): what the
//!   postq layer costs.
//! - `aws-lc-rs`: AWS-LC (C/assembly) ML-DSA-65 and Ed25519 through the safe aws-lc-rs API,
//!   which has no ML-DSA context string: its ML-DSA half signs M' with an empty context,
//!   the same work but not the draft's bytes. The fastest native stack; the ratio goals
//!   are measured against it.
//! - `aws-lc C API (postq bytes)`: AWS-LC's ML-DSA-65 through its C API (`aws-lc-sys`,
//!   `unsafe` FFI, benchmark only) with the composite's context: the fastest verifier
//!   measured that accepts postq's own signatures.
//! - components: ML-KEM-768 (libcrux / RustCrypto / aws-lc), X25519, AES-256-GCM and
//!   ECDSA P-256 (each postq backend vs aws-lc), ML-DSA-65 alone (libcrux / RustCrypto /
//!   aws-lc / fips204), Ed25519 alone.
//!
//! Before measuring, the peers are checked to agree with postq (same seed → same keys;
//! each verifies the others' signatures; deterministic signatures are byte-identical; an
//! aws-lc-sealed `pqseal-v1` envelope opens with postq and vice versa) and against the
//! Wycheproof ML-DSA-65 vectors in `tests/vectors/third_party/`. Any disagreement aborts
//! the run.
//!
//! The table at the end comes from the very samples criterion took: every timed loop goes
//! through `iter_custom`, which also records each batch's time per iteration; the table
//! shows the median batch, which a busy neighbour on a shared machine disturbs less than
//! the mean. For repeatable before/after comparisons count instructions instead:
//! `bash core/benches/callgrind.sh` (benches/ops.rs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code: a failure should abort loudly

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{self as lc_sig, KeyPair as _};
use criterion::Criterion;
use ed25519_dalek::Signer as _;
use libcrux_ml_dsa::ml_dsa_65 as crux;
use ml_dsa::MlDsa65;
use postq::hybrid::composite::{Hedging, LABEL, message_representative};
use postq::hybrid::{self, HybridPublicKey, HybridSigningKey};
use postq::seal::{self, SealSecretKey, mlkem768};
use postq::sidecar::{self, MintRequest, VerifyOptions};
use serde_json::Value;

/// A typical signed payload (a release manifest digest line or a small JSON document).
const PAYLOAD: &[u8] = &[0x5a; 256];
const AAD: &[u8] = b"postq bench";
const SMALL: usize = 32;
const LARGE: usize = 64 * 1024;

// ---------------------------------------------------------------------------------------
// Recording what criterion measures
// ---------------------------------------------------------------------------------------

/// (operation, implementation).
type Key = (&'static str, &'static str);

/// (operation, implementation) → seconds per iteration of every timed batch
/// (warm-up and samples).
static RESULTS: Mutex<BTreeMap<Key, Vec<f64>>> = Mutex::new(BTreeMap::new());

fn record(op: &'static str, imp: &'static str, iters: u64, elapsed: Duration) {
    let mut results = RESULTS.lock().unwrap();
    let per_iter = elapsed.as_secs_f64() / iters.max(1) as f64;
    results.entry((op, imp)).or_default().push(per_iter);
}

/// The median batch: robust against other processes stealing the CPU for a while
/// (this machine is shared), unlike the mean.
fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn bench<O>(c: &mut Criterion, op: &'static str, imp: &'static str, mut f: impl FnMut() -> O) {
    c.bench_function(&format!("{op}/{imp}"), |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            let elapsed = start.elapsed();
            record(op, imp, iters, elapsed);
            elapsed
        })
    });
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).unwrap();
    bytes
}

// ---------------------------------------------------------------------------------------
// Peer stacks
// ---------------------------------------------------------------------------------------

/// libcrux ML-DSA-65 + ed25519-dalek, the IETF composite construction.
struct CruxHybrid {
    mldsa: crux::MLDSA65KeyPair,
    ed: ed25519_dalek::SigningKey,
}

impl CruxHybrid {
    fn from_seed(seed: &[u8; 64]) -> Self {
        let (xi, ed) = seed.split_at(32);
        CruxHybrid {
            mldsa: crux::generate_key_pair(xi.try_into().unwrap()),
            ed: ed25519_dalek::SigningKey::from_bytes(ed.try_into().unwrap()),
        }
    }

    fn sign(&self, message: &[u8]) -> (crux::MLDSA65Signature, ed25519_dalek::Signature) {
        let m = message_representative(message, &[]).unwrap();
        let pq = crux::sign(&self.mldsa.signing_key, &m, LABEL, random()).unwrap();
        (pq, self.ed.sign(&m))
    }
}

fn crux_verify(
    vk: &crux::MLDSA65VerificationKey,
    ed: &ed25519_dalek::VerifyingKey,
    message: &[u8],
    sig: &(crux::MLDSA65Signature, ed25519_dalek::Signature),
) -> bool {
    let m = message_representative(message, &[]).unwrap();
    let pq_ok = crux::verify(vk, &m, LABEL, &sig.0).is_ok();
    let classical_ok = ed.verify_strict(&m, &sig.1).is_ok();
    pq_ok & classical_ok
}

/// aws-lc-rs ML-DSA-65 + Ed25519 (ML-DSA with an empty context: the API has none).
struct LcHybrid {
    mldsa: lc_sig::PqdsaKeyPair,
    ed: lc_sig::Ed25519KeyPair,
}

impl LcHybrid {
    fn from_seed(seed: &[u8; 64]) -> Self {
        LcHybrid {
            mldsa: lc_sig::PqdsaKeyPair::from_seed(&lc_sig::ML_DSA_65_SIGNING, &seed[..32])
                .unwrap(),
            ed: lc_sig::Ed25519KeyPair::from_seed_unchecked(&seed[32..]).unwrap(),
        }
    }

    fn public(&self) -> LcPublic {
        LcPublic {
            mldsa: lc_sig::ParsedPublicKey::new(&lc_sig::ML_DSA_65, self.mldsa.public_key())
                .unwrap(),
            ed: lc_sig::ParsedPublicKey::new(&lc_sig::ED25519, self.ed.public_key()).unwrap(),
        }
    }

    fn sign(&self, message: &[u8]) -> (Vec<u8>, lc_sig::Signature) {
        let m = message_representative(message, &[]).unwrap();
        let mut pq = vec![0u8; hybrid::MLDSA65_SIGNATURE_LEN];
        self.mldsa.sign(&m, &mut pq).unwrap();
        (pq, self.ed.sign(&m))
    }
}

struct LcPublic {
    mldsa: lc_sig::ParsedPublicKey,
    ed: lc_sig::ParsedPublicKey,
}

impl LcPublic {
    fn verify(&self, message: &[u8], sig: &(Vec<u8>, lc_sig::Signature)) -> bool {
        let m = message_representative(message, &[]).unwrap();
        let pq_ok = self.mldsa.verify_sig(&m, &sig.0).is_ok();
        let classical_ok = self.ed.verify_sig(&m, sig.1.as_ref()).is_ok();
        pq_ok & classical_ok
    }
}

/// `pqseal-v1` built from aws-lc-rs primitives (ML-KEM-768, X25519, HKDF-SHA-512,
/// AES-256-GCM), byte-compatible with `postq::seal` (checked: postq opens it).
mod lc_seal {
    use aws_lc_rs::{aead, agreement, digest, hkdf, kem, rand};

    const INFO_PREFIX: &[u8] = b"postq seal v1";

    struct Len(usize);
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }

    /// HKDF-SHA-512 → AES-256-GCM key and its (single-use) nonce.
    fn cipher(
        recipient_pk: &[u8],
        header: &[u8],
        ss_kem: &[u8],
        ss_x: &[u8],
    ) -> (aead::LessSafeKey, aead::Nonce) {
        let salt = digest::digest(&digest::SHA512, recipient_pk);
        let ikm = [ss_kem, ss_x].concat();
        let info = [
            INFO_PREFIX,
            digest::digest(&digest::SHA512, header).as_ref(),
        ]
        .concat();
        let mut okm = [0u8; 44];
        hkdf::Salt::new(hkdf::HKDF_SHA512, salt.as_ref())
            .extract(&ikm)
            .expand(&[&info], Len(44))
            .unwrap()
            .fill(&mut okm)
            .unwrap();
        let key = aead::UnboundKey::new(&aead::AES_256_GCM, &okm[..32]).unwrap();
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&okm[32..]);
        // One key, one nonce: both come fresh from HKDF for every envelope.
        (
            aead::LessSafeKey::new(key),
            aead::Nonce::assume_unique_for_key(nonce),
        )
    }

    /// Recipient: ML-KEM-768 ek ‖ X25519 public (the `postq::seal` public key layout).
    pub struct Recipient {
        pub bytes: Vec<u8>,
        ek: kem::EncapsulationKey<kem::AlgorithmId>,
    }

    impl Recipient {
        pub fn new(bytes: &[u8]) -> Self {
            Recipient {
                bytes: bytes.to_vec(),
                ek: kem::EncapsulationKey::new(&kem::ML_KEM_768, &bytes[..1184]).unwrap(),
            }
        }
    }

    pub struct Secret {
        dk: kem::DecapsulationKey<kem::AlgorithmId>,
        x: agreement::PrivateKey,
        pub public: Recipient,
    }

    impl Secret {
        pub fn generate() -> Self {
            let dk = kem::DecapsulationKey::generate(&kem::ML_KEM_768).unwrap();
            let x = agreement::PrivateKey::generate(&agreement::X25519).unwrap();
            let mut bytes = dk
                .encapsulation_key()
                .unwrap()
                .key_bytes()
                .unwrap()
                .as_ref()
                .to_vec();
            bytes.extend_from_slice(x.compute_public_key().unwrap().as_ref());
            Secret {
                public: Recipient::new(&bytes),
                dk,
                x,
            }
        }

        pub fn open(&self, envelope: &[u8], aad: &[u8]) -> Vec<u8> {
            let header_len = 9 + 1 + 1088 + 32;
            let (header, ct) = envelope.split_at(header_len);
            let ss_kem = self.dk.decapsulate(header[10..1098].into()).unwrap();
            let ss_x = agreement::agree(
                &self.x,
                agreement::UnparsedPublicKey::new(&agreement::X25519, &header[1098..]),
                (),
                |k| Ok(k.to_vec()),
            )
            .unwrap();
            let (key, nonce) = cipher(&self.public.bytes, header, ss_kem.as_ref(), &ss_x);
            let mut in_out = ct.to_vec();
            let full_aad = [header, aad].concat();
            let len = key
                .open_in_place(nonce, aead::Aad::from(&full_aad), &mut in_out)
                .unwrap()
                .len();
            in_out.truncate(len);
            in_out
        }
    }

    pub fn seal(recipient: &Recipient, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let (ct_kem, ss_kem) = recipient.ek.encapsulate().unwrap();
        let rng = rand::SystemRandom::new();
        let eph = agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng).unwrap();
        let mut envelope = Vec::with_capacity(1130 + plaintext.len() + 16);
        envelope.extend_from_slice(b"pqseal-v1");
        envelope.push(0x01);
        envelope.extend_from_slice(ct_kem.as_ref());
        envelope.extend_from_slice(eph.compute_public_key().unwrap().as_ref());
        let ss_x = agreement::agree_ephemeral(
            eph,
            agreement::UnparsedPublicKey::new(&agreement::X25519, &recipient.bytes[1184..]),
            (),
            |k| Ok(k.to_vec()),
        )
        .unwrap();
        let (key, nonce) = cipher(&recipient.bytes, &envelope, ss_kem.as_ref(), &ss_x);
        let full_aad = [envelope.as_slice(), aad].concat();
        let mut in_out = plaintext.to_vec();
        key.seal_in_place_append_tag(nonce, aead::Aad::from(&full_aad), &mut in_out)
            .unwrap();
        envelope.extend_from_slice(&in_out);
        envelope
    }
}

/// aws-lc's ML-DSA-65 through its C API (`aws-lc-sys`), which takes a FIPS 204 context
/// string (`EVP_PKEY_CTX_set1_signature_context_string`) and so can verify the composite's
/// ML-DSA half; the safe `aws-lc-rs` 1.19 API cannot (no context parameter). Benchmark
/// only: core does not call C through `unsafe` FFI.
#[allow(unsafe_code)]
mod lc_evp {
    use std::ptr;

    use aws_lc_sys as sys;

    pub struct MlDsa65PublicKey(*mut sys::EVP_PKEY);

    impl MlDsa65PublicKey {
        pub fn new(raw: &[u8]) -> Option<Self> {
            // SAFETY: `raw` is valid for `raw.len()` bytes; a null result is handled.
            let key = unsafe {
                sys::EVP_PKEY_pqdsa_new_raw_public_key(sys::NID_MLDSA65, raw.as_ptr(), raw.len())
            };
            (!key.is_null()).then_some(MlDsa65PublicKey(key))
        }

        /// FIPS 204 ML-DSA.Verify(pk, message, signature, ctx).
        pub fn verify(&self, message: &[u8], ctx: &[u8], signature: &[u8]) -> bool {
            // SAFETY: every pointer is valid for the length passed with it; `md` is freed
            // on every path and owns `pctx`; the key outlives the call.
            unsafe {
                let md = sys::EVP_MD_CTX_new();
                if md.is_null() {
                    return false;
                }
                let mut pctx: *mut sys::EVP_PKEY_CTX = ptr::null_mut();
                let ok =
                    sys::EVP_DigestVerifyInit(md, &mut pctx, ptr::null(), ptr::null_mut(), self.0)
                        == 1
                        && sys::EVP_PKEY_CTX_set1_signature_context_string(
                            pctx,
                            ctx.as_ptr(),
                            ctx.len(),
                        ) == 1
                        && sys::EVP_DigestVerify(
                            md,
                            signature.as_ptr(),
                            signature.len(),
                            message.as_ptr(),
                            message.len(),
                        ) == 1;
                sys::EVP_MD_CTX_free(md);
                sys::ERR_clear_error();
                ok
            }
        }
    }

    impl Drop for MlDsa65PublicKey {
        fn drop(&mut self) {
            // SAFETY: the key was allocated by EVP_PKEY_pqdsa_new_raw_public_key.
            unsafe { sys::EVP_PKEY_free(self.0) }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Agreement checks (run before measuring, and in `cargo test --benches`)
// ---------------------------------------------------------------------------------------

fn rc_signing_key(xi: &[u8]) -> ml_dsa::SigningKey<MlDsa65> {
    ml_dsa::SigningKey::<MlDsa65>::from_seed(&ml_dsa::Seed::try_from(xi).unwrap())
}

fn rc_verifying_key(pk: &[u8]) -> Option<ml_dsa::VerifyingKey<MlDsa65>> {
    ml_dsa::EncodedVerifyingKey::<MlDsa65>::try_from(pk)
        .ok()
        .map(|enc| ml_dsa::VerifyingKey::<MlDsa65>::decode(&enc))
}

fn rc_verify(pk: &[u8], msg: &[u8], ctx: &[u8], sig: &[u8]) -> bool {
    rc_verifying_key(pk).is_some_and(|key| {
        ml_dsa::Signature::<MlDsa65>::try_from(sig)
            .is_ok_and(|sig| key.verify_with_context(msg, ctx, &sig))
    })
}

fn crux_vk(pk: &[u8]) -> Option<crux::MLDSA65VerificationKey> {
    <[u8; 1952]>::try_from(pk)
        .ok()
        .map(crux::MLDSA65VerificationKey::new)
}

fn crux_verify_bytes(pk: &[u8], msg: &[u8], ctx: &[u8], sig: &[u8]) -> bool {
    match (crux_vk(pk), <[u8; 3309]>::try_from(sig)) {
        (Some(vk), Ok(sig)) => {
            crux::verify(&vk, msg, ctx, &crux::MLDSA65Signature::new(sig)).is_ok()
        }
        _ => false,
    }
}

fn fips204_verify_bytes(pk: &[u8], msg: &[u8], ctx: &[u8], sig: &[u8]) -> bool {
    use fips204::traits::{SerDes as _, Verifier as _};
    match (<[u8; 1952]>::try_from(pk), <[u8; 3309]>::try_from(sig)) {
        (Ok(pk), Ok(sig)) => fips204::ml_dsa_65::PublicKey::try_from_bytes(pk)
            .is_ok_and(|key| key.verify(msg, &sig, ctx)),
        _ => false,
    }
}

fn lc_evp_verify_bytes(pk: &[u8], msg: &[u8], ctx: &[u8], sig: &[u8]) -> bool {
    lc_evp::MlDsa65PublicKey::new(pk).is_some_and(|key| key.verify(msg, ctx, sig))
}

fn lc_verify_bytes(pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    lc_sig::ParsedPublicKey::new(&lc_sig::ML_DSA_65, pk)
        .is_ok_and(|key| key.verify_sig(msg, sig).is_ok())
}

fn check_peers_agree() {
    let seed: [u8; 64] = core::array::from_fn(|i| i as u8);
    let ours = HybridSigningKey::from_seed(&seed, "bench", 1).unwrap();
    let pk = ours.public_key();
    let pq_pk = pk.mldsa65_bytes();
    let crux_h = CruxHybrid::from_seed(&seed);
    let lc_h = LcHybrid::from_seed(&seed);

    // Same seed → same public keys.
    assert_eq!(crux_h.mldsa.verification_key.as_slice(), pq_pk.as_slice());
    assert_eq!(lc_h.mldsa.public_key().as_ref(), pq_pk.as_slice());
    assert_eq!(lc_h.ed.public_key().as_ref(), pk.ed25519_bytes().as_slice());
    assert_eq!(crux_h.ed.verifying_key().to_bytes(), pk.ed25519_bytes());

    // libcrux + dalek makes a composite signature that postq's public API accepts.
    let (pq, ed) = crux_h.sign(PAYLOAD);
    let composite = [pq.as_slice(), ed.to_bytes().as_slice()].concat();
    assert!(pk.verify_composite(PAYLOAD, &[], &composite).ok);
    // ... and postq's signature verifies with libcrux (ML-DSA half, context = label).
    let env = ours.sign_envelope(PAYLOAD, Hedging::Randomized).unwrap();
    let m = message_representative(PAYLOAD, &[]).unwrap();
    assert!(crux_verify_bytes(&pq_pk, &m, LABEL, env.mldsa65()));
    assert!(!crux_verify_bytes(&pq_pk, b"other", LABEL, env.mldsa65()));
    // Deterministic signing (rnd = 0) is byte-identical between RustCrypto and libcrux.
    let det = ours.sign_envelope(PAYLOAD, Hedging::Deterministic).unwrap();
    let crux_det = crux::sign(&crux_h.mldsa.signing_key, &m, LABEL, [0; 32]).unwrap();
    assert_eq!(det.mldsa65(), crux_det.as_slice());
    // Ed25519 is deterministic: dalek (postq) and aws-lc give the same bytes.
    assert_eq!(det.ed25519(), lc_h.ed.sign(&m).as_ref());

    // aws-lc (empty context) and RustCrypto verify each other; contexts are not mixed up.
    let (lc_pq, _) = lc_h.sign(PAYLOAD);
    assert!(rc_verify(&pq_pk, &m, &[], &lc_pq));
    assert!(!rc_verify(&pq_pk, &m, LABEL, &lc_pq));
    assert!(crux_verify_bytes(&pq_pk, &m, &[], &lc_pq));
    let rc_plain = rc_signing_key(&seed[..32])
        .expanded_key()
        .sign_deterministic(&m, &[])
        .unwrap()
        .encode();
    assert!(lc_verify_bytes(&pq_pk, &m, rc_plain.as_slice()));
    assert!(!lc_verify_bytes(&pq_pk, &m, env.mldsa65())); // has the label context
    // aws-lc's C API and fips204 take the context: both verify postq's ML-DSA half.
    assert!(lc_evp_verify_bytes(&pq_pk, &m, LABEL, env.mldsa65()));
    assert!(!lc_evp_verify_bytes(&pq_pk, &m, &[], env.mldsa65()));
    assert!(lc_evp_verify_bytes(&pq_pk, &m, &[], &lc_pq));
    assert!(fips204_verify_bytes(&pq_pk, &m, LABEL, env.mldsa65()));
    assert!(!fips204_verify_bytes(&pq_pk, &m, &[], env.mldsa65()));

    // aws-lc seal → postq open, and the reverse direction of key material.
    let seal_sk = SealSecretKey::from_seed(&[7u8; 96]).unwrap();
    let recipient = lc_seal::Recipient::new(&seal_sk.public_key().to_bytes());
    let sealed = lc_seal::seal(&recipient, b"hello postq", AAD);
    assert_eq!(
        seal_sk.open(&sealed, AAD).unwrap().as_slice(),
        b"hello postq"
    );
    let lc_sk = lc_seal::Secret::generate();
    let to_lc = seal::SealPublicKey::from_bytes(&lc_sk.public.bytes).unwrap();
    let sealed = seal::seal(&to_lc, b"hello aws-lc", AAD).unwrap();
    assert_eq!(lc_sk.open(&sealed, AAD), b"hello aws-lc");

    println!(
        "peers agree: same keys from one seed; libcrux<->RustCrypto signatures cross-verify \
         and deterministic ones are byte-identical; aws-lc<->RustCrypto cross-verify \
         (empty context); Ed25519 identical; pqseal-v1 interoperates with aws-lc primitives"
    );
}

fn wycheproof(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/third_party/wycheproof")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tests_of(file: &Value) -> Vec<(&Value, &Value)> {
    file["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["tests"].as_array().unwrap().iter().map(move |t| (g, t)))
        .collect()
}

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_default()).unwrap()
}

/// The Wycheproof ML-DSA-65 vectors core's own tests use, run through the peers.
fn check_peers_wycheproof() {
    let file = wycheproof("mldsa_65_verify_test.json");
    let (mut crux_n, mut lc_n) = (0, 0);
    for (group, t) in tests_of(&file) {
        let pk = unhex(&group["publicKey"]);
        let (msg, ctx, sig) = (unhex(&t["msg"]), unhex(&t["ctx"]), unhex(&t["sig"]));
        let valid = t["result"] == "valid";
        let id = &t["tcId"];
        assert_eq!(
            crux_verify_bytes(&pk, &msg, &ctx, &sig),
            valid,
            "libcrux tcId {id}"
        );
        assert_eq!(
            lc_evp_verify_bytes(&pk, &msg, &ctx, &sig),
            valid,
            "aws-lc C API tcId {id}"
        );
        assert_eq!(
            fips204_verify_bytes(&pk, &msg, &ctx, &sig),
            valid,
            "fips204 tcId {id}"
        );
        crux_n += 1;
        if ctx.is_empty() {
            assert_eq!(lc_verify_bytes(&pk, &msg, &sig), valid, "aws-lc tcId {id}");
            lc_n += 1;
        }
    }
    let file = wycheproof("mldsa_65_sign_seed_test.json");
    let (mut crux_signed, mut lc_keys) = (0, 0);
    for (group, t) in tests_of(&file) {
        let Ok(seed) = <[u8; 32]>::try_from(unhex(&group["privateSeed"]).as_slice()) else {
            continue; // malformed seeds: rejected by type before reaching either library
        };
        let id = &t["tcId"];
        let kp = crux::generate_key_pair(seed);
        assert_eq!(kp.verification_key.as_slice(), unhex(&group["publicKey"]));
        let lc = lc_sig::PqdsaKeyPair::from_seed(&lc_sig::ML_DSA_65_SIGNING, &seed).unwrap();
        assert_eq!(lc.public_key().as_ref(), unhex(&group["publicKey"]));
        lc_keys += 1;
        let Some(msg) = t.get("msg") else {
            continue; // external-mu cases: libcrux has no sign-from-mu API
        };
        let rnd = t
            .get("rnd")
            .map_or([0; 32], |r| unhex(r).try_into().unwrap());
        let sig = crux::sign(&kp.signing_key, &unhex(msg), &unhex(&t["ctx"]), rnd).ok();
        match (t["result"].as_str(), sig) {
            (Some("valid"), Some(sig)) => {
                assert_eq!(sig.as_slice(), unhex(&t["sig"]), "libcrux tcId {id}")
            }
            (Some("invalid"), None) => {}
            (r, s) => panic!(
                "libcrux tcId {id}: {r:?} but signing gave {:?}",
                s.is_some()
            ),
        }
        crux_signed += 1;
    }
    assert!(
        crux_n == 210 && lc_n > 50 && crux_signed > 50,
        "vector counts: {crux_n} {lc_n} {crux_signed} {lc_keys}"
    );
    println!(
        "Wycheproof ML-DSA-65: libcrux, aws-lc's C API and fips204 verify {crux_n}/{crux_n} \
         (with contexts); libcrux sign-from-seed {crux_signed} agree; aws-lc-rs verify \
         {lc_n}/{lc_n} (empty-context cases) and {lc_keys} keys from seed agree"
    );
}

// ---------------------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------------------

fn bench_hybrid(c: &mut Criterion) {
    let seed: [u8; 64] = random();
    let ours = HybridSigningKey::from_seed(&seed, "bench", 1).unwrap();
    let pk = HybridPublicKey::from_json(&ours.public_key().to_json()).unwrap();
    let envelope = ours.sign(PAYLOAD).unwrap();
    let composite = ours
        .sign_envelope(PAYLOAD, Hedging::Randomized)
        .unwrap()
        .composite();
    let crux_h = CruxHybrid::from_seed(&seed);
    let crux_vk = crux_h.mldsa.verification_key.clone();
    let crux_ed = crux_h.ed.verifying_key();
    let crux_sig = crux_h.sign(PAYLOAD);
    let lc_h = LcHybrid::from_seed(&seed);
    let lc_pub = lc_h.public();
    let lc_sig = lc_h.sign(PAYLOAD);

    bench(c, "hybrid keygen", "postq", || {
        HybridSigningKey::generate("bench", 1).unwrap()
    });
    bench(c, "hybrid keygen", "libcrux+dalek", || {
        CruxHybrid::from_seed(&random())
    });
    bench(c, "hybrid keygen", "aws-lc-rs", || {
        LcHybrid::from_seed(&random())
    });

    bench(c, "hybrid sign", "postq", || ours.sign(PAYLOAD).unwrap());
    bench(c, "hybrid sign", "postq raw halves", || {
        ours.sign_envelope(PAYLOAD, Hedging::Randomized).unwrap()
    });
    bench(c, "hybrid sign", "libcrux+dalek", || crux_h.sign(PAYLOAD));
    bench(c, "hybrid sign", "aws-lc-rs", || lc_h.sign(PAYLOAD));

    bench(c, "hybrid verify", "postq", || {
        assert!(hybrid::verify(&pk, PAYLOAD, &envelope).unwrap().ok)
    });
    bench(c, "hybrid verify", "postq raw halves", || {
        assert!(pk.verify_composite(PAYLOAD, &[], &composite).ok)
    });
    bench(c, "hybrid verify", "libcrux+dalek", || {
        assert!(crux_verify(&crux_vk, &crux_ed, PAYLOAD, &crux_sig))
    });
    bench(c, "hybrid verify", "aws-lc-rs", || {
        assert!(lc_pub.verify(PAYLOAD, &lc_sig))
    });
    // The fastest stack that can check postq's own bytes: aws-lc's C API (ML-DSA with the
    // label context) + aws-lc Ed25519, over the envelope's raw halves.
    let lc_evp_key = lc_evp::MlDsa65PublicKey::new(&pk.mldsa65_bytes()).unwrap();
    let ours_raw = ours.sign_envelope(PAYLOAD, Hedging::Randomized).unwrap();
    bench(c, "hybrid verify", "aws-lc C API (postq bytes)", || {
        let m = message_representative(PAYLOAD, &[]).unwrap();
        let pq_ok = lc_evp_key.verify(&m, LABEL, ours_raw.mldsa65());
        let classical_ok = lc_pub.ed.verify_sig(&m, ours_raw.ed25519()).is_ok();
        assert!(pq_ok & classical_ok)
    });
}

fn bench_mldsa(c: &mut Criterion) {
    let xi: [u8; 32] = random();
    let m = message_representative(PAYLOAD, &[]).unwrap();
    let rc = rc_signing_key(&xi);
    let rc_vk_bytes = rc.expanded_key().verifying_key().encode().to_vec();
    let rc_vk = rc_verifying_key(&rc_vk_bytes).unwrap();
    let crux_kp = crux::generate_key_pair(xi);
    let lc = lc_sig::PqdsaKeyPair::from_seed(&lc_sig::ML_DSA_65_SIGNING, &xi).unwrap();
    let lc_pk = lc_sig::ParsedPublicKey::new(&lc_sig::ML_DSA_65, lc.public_key()).unwrap();
    // One signature (empty context) that all three verify.
    let sig = rc
        .expanded_key()
        .sign_randomized(&m, &[], &mut getrandom::SysRng)
        .unwrap()
        .encode()
        .to_vec();
    let rc_sig = ml_dsa::Signature::<MlDsa65>::try_from(sig.as_slice()).unwrap();
    let crux_sig = crux::MLDSA65Signature::new(sig.as_slice().try_into().unwrap());

    bench(c, "ML-DSA-65 keygen", "RustCrypto ml-dsa", || {
        rc_signing_key(&random::<32>())
    });
    bench(c, "ML-DSA-65 keygen", "libcrux", || {
        crux::generate_key_pair(random())
    });
    bench(c, "ML-DSA-65 keygen", "aws-lc-rs", || {
        lc_sig::PqdsaKeyPair::from_seed(&lc_sig::ML_DSA_65_SIGNING, &random::<32>()).unwrap()
    });

    bench(c, "ML-DSA-65 sign", "RustCrypto ml-dsa", || {
        rc.expanded_key()
            .sign_randomized(&m, &[], &mut getrandom::SysRng)
            .unwrap()
    });
    bench(c, "ML-DSA-65 sign", "libcrux", || {
        crux::sign(&crux_kp.signing_key, &m, &[], random()).unwrap()
    });
    bench(c, "ML-DSA-65 sign", "aws-lc-rs", || {
        let mut out = [0u8; 3309];
        lc.sign(&m, &mut out).unwrap();
        out
    });

    bench(c, "ML-DSA-65 verify", "RustCrypto ml-dsa", || {
        assert!(rc_vk.verify_with_context(&m, &[], &rc_sig))
    });
    bench(c, "ML-DSA-65 verify", "libcrux", || {
        assert!(crux::verify(&crux_kp.verification_key, &m, &[], &crux_sig).is_ok())
    });
    bench(c, "ML-DSA-65 verify", "aws-lc-rs", || {
        assert!(lc_pk.verify_sig(&m, &sig).is_ok())
    });
    let fips_pk = {
        use fips204::traits::SerDes as _;
        fips204::ml_dsa_65::PublicKey::try_from_bytes(rc_vk_bytes.as_slice().try_into().unwrap())
            .unwrap()
    };
    let fips_sig: [u8; 3309] = sig.as_slice().try_into().unwrap();
    bench(c, "ML-DSA-65 verify", "fips204", || {
        use fips204::traits::Verifier as _;
        assert!(fips_pk.verify(&m, &fips_sig, &[]))
    });

    // With the composite's context (ctx = label), as postq verifies: only libcrux, aws-lc's
    // C API and fips204 take a context.
    let ctx_sig = crux::sign(&crux_kp.signing_key, &m, LABEL, random()).unwrap();
    let pk_bytes: [u8; 1952] = rc_vk_bytes.as_slice().try_into().unwrap();
    let lc_evp_key = lc_evp::MlDsa65PublicKey::new(&rc_vk_bytes).unwrap();
    bench(
        c,
        "ML-DSA-65 verify (ctx = label)",
        "libcrux (postq)",
        || {
            assert!(postq::hybrid::mldsa65::verify(
                &pk_bytes,
                &m,
                LABEL,
                ctx_sig.as_slice()
            ))
        },
    );
    bench(c, "ML-DSA-65 verify (ctx = label)", "aws-lc C API", || {
        assert!(lc_evp_key.verify(&m, LABEL, ctx_sig.as_slice()))
    });
    bench(c, "ML-DSA-65 verify (ctx = label)", "fips204", || {
        use fips204::traits::Verifier as _;
        assert!(fips_pk.verify(&m, ctx_sig.as_slice().try_into().unwrap(), LABEL))
    });

    // Verification from raw public-key bytes (a verifier that sees each key once).
    bench(c, "ML-DSA-65 decode+verify", "RustCrypto ml-dsa", || {
        assert!(rc_verify(&rc_vk_bytes, &m, &[], &sig))
    });
    bench(c, "ML-DSA-65 decode+verify", "libcrux", || {
        assert!(crux_verify_bytes(&rc_vk_bytes, &m, &[], &sig))
    });
    bench(c, "ML-DSA-65 decode+verify", "aws-lc-rs", || {
        assert!(lc_verify_bytes(&rc_vk_bytes, &m, &sig))
    });
    bench(c, "ML-DSA-65 decode+verify", "fips204", || {
        assert!(fips204_verify_bytes(&rc_vk_bytes, &m, &[], &sig))
    });
}

fn bench_ed25519(c: &mut Criterion) {
    let secret: [u8; 32] = random();
    let m = message_representative(PAYLOAD, &[]).unwrap();
    let dalek = ed25519_dalek::SigningKey::from_bytes(&secret);
    let dalek_vk = dalek.verifying_key();
    let dalek_sig = dalek.sign(&m);
    let lc = lc_sig::Ed25519KeyPair::from_seed_unchecked(&secret).unwrap();
    let lc_pk = lc_sig::ParsedPublicKey::new(&lc_sig::ED25519, lc.public_key()).unwrap();
    let lc_sig_bytes = lc.sign(&m);

    bench(c, "Ed25519 sign", "ed25519-dalek", || dalek.sign(&m));
    bench(c, "Ed25519 sign", "aws-lc-rs", || lc.sign(&m));
    bench(c, "Ed25519 verify", "ed25519-dalek (strict)", || {
        assert!(dalek_vk.verify_strict(&m, &dalek_sig).is_ok())
    });
    bench(c, "Ed25519 verify", "aws-lc-rs", || {
        assert!(lc_pk.verify_sig(&m, lc_sig_bytes.as_ref()).is_ok())
    });
}

fn bench_sidecar(c: &mut Criterion) {
    let minted = sidecar::mint(&MintRequest::new("bench.postq.example")).unwrap();
    let options = VerifyOptions {
        hostname: Some("bench.postq.example".into()),
        at: None,
    };
    assert!(
        sidecar::verify_certificate(minted.certificate_pem.as_bytes(), &options)
            .unwrap()
            .ok
    );
    bench(c, "sidecar verify (PEM)", "postq", || {
        assert!(
            sidecar::verify_certificate(minted.certificate_pem.as_bytes(), &options)
                .unwrap()
                .ok
        )
    });
}

fn bench_seal(c: &mut Criterion) {
    let sk = SealSecretKey::generate().unwrap();
    let pk = sk.public_key().clone();
    let lc_sk = lc_seal::Secret::generate();
    for (size, seal_op, open_op) in [
        (SMALL, "seal 32 B", "open 32 B"),
        (LARGE, "seal 64 KiB", "open 64 KiB"),
    ] {
        let plaintext = vec![0x42u8; size];
        let sealed = seal::seal(&pk, &plaintext, AAD).unwrap();
        let lc_sealed = lc_seal::seal(&lc_sk.public, &plaintext, AAD);
        bench(c, seal_op, "postq", || {
            seal::seal(&pk, &plaintext, AAD).unwrap()
        });
        bench(c, seal_op, "aws-lc-rs", || {
            lc_seal::seal(&lc_sk.public, &plaintext, AAD)
        });
        bench(c, open_op, "postq", || sk.open(&sealed, AAD).unwrap());
        bench(c, open_op, "aws-lc-rs", || lc_sk.open(&lc_sealed, AAD));
    }
}

/// The primitives under `pqseal-v1` and the sidecar check, one by one: where the time of
/// seal / open / sidecar verify goes, next to other implementations of the same primitive.
fn bench_components(c: &mut Criterion) {
    // ML-KEM-768: postq's backend (libcrux) vs RustCrypto `ml-kem` vs aws-lc.
    let kem_seed = [3u8; 64];
    let dk = mlkem768::DecapsulationKey::from_seed(&kem_seed);
    let ek = dk.encapsulation_key().clone();
    let (ct, _) = ek.encapsulate(&[4; 32]);
    let rc_dk = ml_kem::DecapsulationKey::<ml_kem::MlKem768>::from_seed(kem_seed.into());
    let rc_ek = rc_dk.encapsulation_key().clone();
    let lc_dk = aws_lc_rs::kem::DecapsulationKey::generate(&aws_lc_rs::kem::ML_KEM_768).unwrap();
    let lc_ek = lc_dk.encapsulation_key().unwrap();
    let (lc_ct, _) = lc_ek.encapsulate().unwrap();
    let lc_ct = lc_ct.as_ref().to_vec();
    bench(c, "ML-KEM-768 encaps", "libcrux (postq)", || {
        ek.encapsulate(&random())
    });
    bench(c, "ML-KEM-768 encaps", "RustCrypto ml-kem", || {
        rc_ek.encapsulate_deterministic(&random::<32>().into())
    });
    bench(c, "ML-KEM-768 encaps", "aws-lc-rs", || {
        lc_ek.encapsulate().unwrap()
    });
    bench(c, "ML-KEM-768 decaps", "libcrux (postq)", || {
        dk.decapsulate(&ct)
    });
    bench(c, "ML-KEM-768 decaps", "RustCrypto ml-kem", || {
        use ml_kem::Decapsulate as _;
        rc_dk.decapsulate_slice(&ct).unwrap()
    });
    bench(c, "ML-KEM-768 decaps", "aws-lc-rs", || {
        lc_dk.decapsulate(lc_ct.as_slice().into()).unwrap()
    });

    // X25519: one Diffie-Hellman with a fixed secret (open does one, seal two).
    let secret: [u8; 32] = random();
    let peer = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(random::<32>()));
    let dalek = x25519_dalek::StaticSecret::from(secret);
    let lc_x =
        aws_lc_rs::agreement::PrivateKey::from_private_key(&aws_lc_rs::agreement::X25519, &secret)
            .unwrap();
    bench(c, "X25519 DH", "x25519-dalek (postq)", || {
        dalek.diffie_hellman(&peer)
    });
    bench(c, "X25519 DH", "aws-lc-rs", || {
        aws_lc_rs::agreement::agree(
            &lc_x,
            aws_lc_rs::agreement::UnparsedPublicKey::new(
                &aws_lc_rs::agreement::X25519,
                peer.as_bytes(),
            ),
            aws_lc_rs::error::Unspecified,
            |k| Ok(k[0]),
        )
        .unwrap()
    });

    // AES-256-GCM over 64 KiB (the 64 KiB seal/open rows minus the fixed part).
    let key: [u8; 32] = random();
    let nonce: [u8; 12] = random();
    let mut buffer = vec![0x42u8; LARGE];
    {
        use aes_gcm::{AeadInOut as _, Aes256Gcm, KeyInit as _};
        let cipher = Aes256Gcm::new(&key.into());
        bench(c, "AES-256-GCM seal 64 KiB", "aes-gcm (postq)", || {
            cipher
                .encrypt_inout_detached(&nonce.into(), AAD, buffer.as_mut_slice().into())
                .unwrap()
        });
    }
    let lc_key = aws_lc_rs::aead::LessSafeKey::new(
        aws_lc_rs::aead::UnboundKey::new(&aws_lc_rs::aead::AES_256_GCM, &key).unwrap(),
    );
    bench(c, "AES-256-GCM seal 64 KiB", "aws-lc-rs", || {
        lc_key
            .seal_in_place_separate_tag(
                aws_lc_rs::aead::Nonce::assume_unique_for_key(nonce),
                aws_lc_rs::aead::Aad::from(AAD),
                &mut buffer,
            )
            .unwrap()
    });

    // ECDSA P-256 / SHA-256 over a minted certificate's TBS: the sidecar's self-signature.
    let minted = sidecar::mint(&MintRequest::new("bench.postq.example")).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(&minted.certificate_der).unwrap();
    let tbs = cert.tbs_certificate.as_ref().to_vec();
    let sig_der = cert.signature_value.data.to_vec();
    let point = cert.public_key().subject_public_key.data.to_vec();
    let spki = cert.public_key().raw.to_vec();
    {
        use p256::ecdsa::signature::Verifier as _;
        use p256::pkcs8::DecodePublicKey as _;
        let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki).unwrap();
        let sig = p256::ecdsa::Signature::from_der(&sig_der).unwrap();
        bench(
            c,
            "ECDSA P-256 verify (sidecar TBS)",
            "p256 (postq)",
            || assert!(key.verify(&tbs, &sig).is_ok()),
        );
    }
    let lc_key =
        lc_sig::ParsedPublicKey::new(&lc_sig::ECDSA_P256_SHA256_ASN1, point.as_slice()).unwrap();
    bench(c, "ECDSA P-256 verify (sidecar TBS)", "aws-lc-rs", || {
        assert!(lc_key.verify_sig(&tbs, &sig_der).is_ok())
    });
}

// ---------------------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------------------

fn print_summary() {
    let results = RESULTS.lock().unwrap();
    let mut ops: Vec<&'static str> = Vec::new();
    for (op, _) in results.keys() {
        if !ops.contains(op) {
            ops.push(op);
        }
    }
    // Operations in the order they were measured.
    let order = [
        "hybrid keygen",
        "hybrid sign",
        "hybrid verify",
        "ML-DSA-65 keygen",
        "ML-DSA-65 sign",
        "ML-DSA-65 verify",
        "ML-DSA-65 verify (ctx = label)",
        "ML-DSA-65 decode+verify",
        "Ed25519 sign",
        "Ed25519 verify",
        "sidecar verify (PEM)",
        "seal 32 B",
        "open 32 B",
        "seal 64 KiB",
        "open 64 KiB",
        "ML-KEM-768 encaps",
        "ML-KEM-768 decaps",
        "X25519 DH",
        "AES-256-GCM seal 64 KiB",
        "ECDSA P-256 verify (sidecar TBS)",
    ];
    ops.sort_by_key(|op| order.iter().position(|o| o == op).unwrap_or(usize::MAX));

    println!();
    println!("## Summary (median time per operation over criterion's timed batches)");
    println!();
    println!("| operation | implementation | µs/op | ops/s | ÷ fastest |");
    println!("|---|---|---:|---:|---:|");
    for op in ops {
        let rows: Vec<(&str, f64)> = results
            .iter()
            .filter(|((o, _), _)| *o == op)
            .map(|((_, imp), samples)| (*imp, median(samples)))
            .collect();
        let fastest = rows.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
        for (imp, secs) in &rows {
            println!(
                "| {op} | {imp} | {:.1} | {:.0} | {:.2}× |",
                secs * 1e6,
                1.0 / secs,
                secs / fastest
            );
        }
    }

    // The goals, each from this run's medians.
    let at = |op: &'static str, imp: &'static str| results.get(&(op, imp)).map(|s| median(s));
    let fastest = |op: &str| {
        results
            .iter()
            .filter(|((o, _), _)| *o == op)
            .map(|(_, s)| median(s))
            .fold(f64::INFINITY, f64::min)
    };
    println!();
    println!("## Goals (this run)");
    println!();
    println!("| goal | measured | met |");
    println!("|---|---:|---|");
    for op in ["hybrid verify", "hybrid sign"] {
        if let (Some(ours), Some(peer)) = (at(op, "postq"), at(op, "aws-lc-rs")) {
            let ratio = ours / peer;
            let met = if ratio <= 1.2 { "yes" } else { "no" };
            println!(
                "| {op}, postq ÷ aws-lc-rs ≤ 1.2× (÷ fastest row: {:.2}×) | {ratio:.2}× | {met} |",
                ours / fastest(op)
            );
        }
    }
    for op in ["seal 32 B", "open 32 B", "seal 64 KiB", "open 64 KiB"] {
        if let (Some(ours), Some(peer)) = (at(op, "postq"), at(op, "aws-lc-rs")) {
            let ratio = ours / peer;
            let met = if ratio <= 1.3 { "yes" } else { "no" };
            println!("| {op}, postq ÷ aws-lc-rs ≤ 1.3× | {ratio:.2}× | {met} |");
        }
    }
    if let Some(secs) = at("sidecar verify (PEM)", "postq") {
        let micros = secs * 1e6;
        let met = if micros <= 200.0 { "yes" } else { "no" };
        println!("| sidecar verify (PEM) ≤ 200 µs | {micros:.1} µs | {met} |");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bench_mode = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");

    check_peers_agree();
    check_peers_wycheproof();

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1200))
        .sample_size(20)
        .nresamples(10_000)
        .without_plots()
        .configure_from_args();
    bench_hybrid(&mut c);
    bench_mldsa(&mut c);
    bench_ed25519(&mut c);
    bench_sidecar(&mut c);
    bench_seal(&mut c);
    bench_components(&mut c);
    c.final_summary();

    if bench_mode {
        print_summary();
    }
}
