//! The Rust side of `bench/bench.mjs`: the same offline hybrid verification the SDK's
//! `verifyOffline` runs (`postq::Client::verify_offline`: parse the published key and
//! the envelope, verify both halves), timed in Rust. Prints one JSON line.
//!
//!   cargo run --release -p postq-node --example rust-verify-bench -- <vectors/hybrid.json> [seconds]

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: rust-verify-bench <hybrid.json> [seconds]")?;
    let seconds: f64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2.0);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    let case = &doc["valid"][0];
    let key_name = case["key"].as_str().ok_or("valid[0].key")?;
    let key = doc["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["name"] == key_name))
        .ok_or("key of valid[0]")?;
    let public_key = key["publicKey"].as_str().ok_or("publicKey")?;
    let signature = case["signature"].as_str().ok_or("signature")?;
    let payload = hex_decode(case["payload"].as_str().ok_or("payload")?)?;

    let verify = || postq::Client::verify_offline(public_key, &payload, signature);
    if !verify()?.ok {
        return Err("the vector does not verify".into());
    }
    // Warm up, then count verifications in the time budget.
    for _ in 0..50 {
        std::hint::black_box(verify()?);
    }
    let budget = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..20 {
            std::hint::black_box(verify()?);
        }
        n += 20;
    }
    let per_sec = n as f64 / start.elapsed().as_secs_f64();

    // The same with the key parsed once (what a verifier holding a published key does).
    let parsed = postq::hybrid::HybridPublicKey::from_json(public_key)?;
    let verify_parsed = || postq::hybrid::verify(&parsed, &payload, signature);
    let start = Instant::now();
    let mut m: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..20 {
            std::hint::black_box(verify_parsed()?);
        }
        m += 20;
    }
    let parsed_per_sec = m as f64 / start.elapsed().as_secs_f64();
    println!(
        "{{\"verifyPerSec\":{per_sec:.1},\"iterations\":{n},\"parsedKeyVerifyPerSec\":{parsed_per_sec:.1}}}"
    );
    Ok(())
}

fn hex_decode(s: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    if !s.len().is_multiple_of(2) {
        return Err("odd hex".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| Ok(u8::from_str_radix(&s[i..i + 2], 16)?))
        .collect()
}
