//! The Rust side of `bench/bench.py`: the same offline hybrid verification that
//! `postq.verify_offline` runs (`postq::Client::verify_offline`: parse the published key
//! and the envelope, verify both halves), timed in Rust. Prints one JSON line.
//!
//!   cargo run --release -p postq-python --example python-rust-verify-bench -- <hybrid.json> [seconds]

use std::time::{Duration, Instant};

fn hex_decode(text: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    if !text.len().is_multiple_of(2) {
        return Err("odd hex length".into());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(Into::into))
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: python-rust-verify-bench <hybrid.json> [seconds]")?;
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
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{{\"verifications\":{n},\"seconds\":{elapsed:.4},\"per_second\":{:.1}}}",
        n as f64 / elapsed
    );
    Ok(())
}
