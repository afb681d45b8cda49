//! One postq operation, repeated N times, for instruction counting and profiling:
//! `bash core/benches/callgrind.sh` runs every operation under callgrind and prints
//! instructions per operation (repeatable on a shared, noisy machine, unlike time);
//! `perf record` works on it too. Setup (keys, certificate, envelopes) happens outside
//! `measured`, the only function callgrind counts.
//!
//! Usage: `ops <operation> <iterations>`, or `ops list`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code: a failure should abort loudly

use std::hint::black_box;

use postq::hybrid::composite::{Hedging, LABEL, message_representative};
use postq::hybrid::{self, HybridSigningKey, mldsa65};
use postq::seal::{self, SealSecretKey, mlkem768};
use postq::sidecar::{self, MintRequest, MintSeeds, VerifyOptions};

const PAYLOAD: &[u8] = &[0x5a; 256];
const AAD: &[u8] = b"postq bench";

const OPERATIONS: &[&str] = &[
    "hybrid-keygen",
    "hybrid-sign",
    "hybrid-sign-raw",
    "hybrid-verify",
    "hybrid-verify-raw",
    "mldsa65-verify",
    "sidecar-verify",
    "mlkem768-encaps",
    "mlkem768-decaps",
    "seal-32",
    "open-32",
    "seal-64k",
    "open-64k",
];

/// The loop callgrind counts (`--toggle-collect=*measured*`).
#[inline(never)]
fn measured<O>(iterations: u64, mut op: impl FnMut() -> O) {
    for _ in 0..iterations {
        black_box(op());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let op = args.first().map(String::as_str).unwrap_or("list");
    let n: u64 = args.get(1).map_or(10, |s| s.parse().expect("iterations"));
    let seed: [u8; 64] = core::array::from_fn(|i| i as u8);
    let key = HybridSigningKey::from_seed(&seed, "bench", 1).unwrap();
    let public = key.public_key().clone();
    match op {
        "list" => println!("{}", OPERATIONS.join("\n")),
        "hybrid-keygen" => measured(n, || HybridSigningKey::from_seed(&seed, "bench", 1)),
        // Deterministic signing: the same rejection-loop count every run, so the counts
        // repeat (hedged signing varies by ≈ ±30 % from signature to signature).
        "hybrid-sign" => measured(n, || {
            key.sign_with(PAYLOAD, Hedging::Deterministic).unwrap()
        }),
        "hybrid-sign-raw" => measured(n, || {
            key.sign_envelope(PAYLOAD, Hedging::Deterministic).unwrap()
        }),
        "hybrid-verify" => {
            let envelope = key.sign(PAYLOAD).unwrap();
            measured(n, || {
                assert!(hybrid::verify(&public, PAYLOAD, &envelope).unwrap().ok)
            })
        }
        "hybrid-verify-raw" => {
            let composite = key
                .sign_envelope(PAYLOAD, Hedging::Randomized)
                .unwrap()
                .composite();
            measured(n, || {
                assert!(public.verify_composite(PAYLOAD, &[], &composite).ok)
            })
        }
        "mldsa65-verify" => {
            let m = message_representative(PAYLOAD, &[]).unwrap();
            let envelope = key.sign_envelope(PAYLOAD, Hedging::Randomized).unwrap();
            let pk: [u8; 1952] = public.mldsa65_bytes().try_into().unwrap();
            measured(n, || {
                assert!(mldsa65::verify(&pk, &m, LABEL, envelope.mldsa65()))
            })
        }
        "sidecar-verify" => {
            let seeds = MintSeeds {
                ecdsa_secret: [1; 32],
                mldsa_seed: [2; 32],
                serial: [3; 16],
            };
            let minted =
                sidecar::mint_with_seeds(&MintRequest::new("bench.postq.example"), &seeds).unwrap();
            let options = VerifyOptions {
                hostname: Some("bench.postq.example".into()),
                at: None,
            };
            let pem = minted.certificate_pem.as_bytes();
            measured(n, || {
                assert!(sidecar::verify_certificate(pem, &options).unwrap().ok)
            })
        }
        "mlkem768-encaps" => {
            let dk = mlkem768::DecapsulationKey::from_seed(&[3; 64]);
            measured(n, || dk.encapsulation_key().encapsulate(&[4; 32]))
        }
        "mlkem768-decaps" => {
            let dk = mlkem768::DecapsulationKey::from_seed(&[3; 64]);
            let (ct, _) = dk.encapsulation_key().encapsulate(&[4; 32]);
            measured(n, || dk.decapsulate(&ct))
        }
        "seal-32" | "open-32" | "seal-64k" | "open-64k" => {
            let sk = SealSecretKey::from_seed(&[9; 96]).unwrap();
            let size = if op.ends_with("64k") { 64 * 1024 } else { 32 };
            let plaintext = vec![0x42u8; size];
            let randomness = [5u8; 64];
            if op.starts_with("seal") {
                measured(n, || {
                    seal::seal_with_randomness(sk.public_key(), &plaintext, AAD, &randomness)
                        .unwrap()
                })
            } else {
                let envelope =
                    seal::seal_with_randomness(sk.public_key(), &plaintext, AAD, &randomness)
                        .unwrap();
                measured(n, || sk.open(&envelope, AAD).unwrap())
            }
        }
        other => panic!("unknown operation {other}; `ops list` names them"),
    }
}
