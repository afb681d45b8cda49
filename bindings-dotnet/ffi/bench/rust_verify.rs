//! The Rust side of the .NET benchmark (`bindings-dotnet/bench/run.sh`), one JSON line
//! per run:
//!
//!   ffi-verify-bench verify <vectors/hybrid.json> [seconds]
//!       the offline hybrid verification `PostQOffline.Verify` runs
//!       (`postq::hybrid::verify_published`: parse the key and the envelope, verify both
//!       halves), and the same with the key parsed once;
//!   ffi-verify-bench submit <base url> <api key> <count>
//!       sequential `scans().submit` round trips with the Rust client.

use std::time::{Duration, Instant};

use postq::api::{CreateScanRequest, FindingInput, RiskLevel, Severity};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("verify") => verify(args.get(1).ok_or("vectors path")?, args.get(2)),
        Some("submit") => submit(
            args.get(1).ok_or("base url")?,
            args.get(2).ok_or("api key")?,
            args.get(3).map(|n| n.parse()).transpose()?.unwrap_or(300),
        ),
        _ => Err(
            "usage: ffi-verify-bench verify <hybrid.json> [seconds] | submit <url> <key> <n>"
                .into(),
        ),
    }
}

fn rate(budget: Duration, mut f: impl FnMut() -> Result<(), Failure>) -> Result<f64, Failure> {
    for _ in 0..50 {
        f()?;
    }
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..20 {
            f()?;
        }
        n += 20;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

fn verify(path: &str, seconds: Option<&String>) -> Result<(), Failure> {
    let seconds: f64 = seconds.map(|s| s.parse()).transpose()?.unwrap_or(2.0);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    let case = &doc["valid"][0];
    let key_name = case["key"].as_str().ok_or("valid[0].key")?;
    let key = doc["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["name"] == key_name))
        .ok_or("key of valid[0]")?;
    let public_key = key["publicKey"].as_str().ok_or("publicKey")?;
    let signature = case["signature"].as_str().ok_or("signature")?;
    let payload = hex_decode(case["payload"].as_str().ok_or("payload")?)?;
    let budget = Duration::from_secs_f64(seconds);

    let per_call = rate(budget, || {
        let verdict = postq::hybrid::verify_published(public_key, &payload, signature)?;
        if !verdict.ok {
            return Err("the vector does not verify".into());
        }
        Ok(())
    })?;
    let parsed = postq::hybrid::HybridPublicKey::from_published(public_key)?;
    let parsed_rate = rate(budget, || {
        std::hint::black_box(postq::hybrid::verify(&parsed, &payload, signature)?);
        Ok(())
    })?;
    println!("{{\"verifyPerSec\":{per_call:.1},\"parsedKeyVerifyPerSec\":{parsed_rate:.1}}}");
    Ok(())
}

fn submit(base_url: &str, api_key: &str, count: u32) -> Result<(), Failure> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let config = postq::ClientConfig {
        api_key: Some(api_key.to_owned().into()),
        base_url: base_url.to_owned(),
        ..postq::ClientConfig::from_env()
    };
    let client = postq::Client::new(config)?;
    let mut scan = CreateScanRequest::new("url", "example.com", 85.0, RiskLevel::High);
    scan.findings
        .push(FindingInput::new(Severity::High, "RSA-2048 public key"));
    let per_sec = rt.block_on(async {
        for _ in 0..20 {
            client.scans().submit(&scan).await?;
        }
        let start = Instant::now();
        for _ in 0..count {
            client.scans().submit(&scan).await?;
        }
        Ok::<f64, postq::Error>(f64::from(count) / start.elapsed().as_secs_f64())
    })?;
    println!("{{\"submitPerSec\":{per_sec:.1}}}");
    Ok(())
}

fn hex_decode(s: &str) -> Result<Vec<u8>, Failure> {
    if !s.len().is_multiple_of(2) {
        return Err("odd hex".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| Ok(u8::from_str_radix(&s[i..i + 2], 16)?))
        .collect()
}
