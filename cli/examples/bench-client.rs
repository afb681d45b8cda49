//! Benchmark (issue 5): `scans.submit` round trips per second through the postq client
//! versus raw `reqwest` against the same in-process reference server in the same run,
//! and the stripped size of the release `postq` binary.
//!
//!     cargo run --release -p postq-cli --example bench-client [-- --requests 2000]
//!
//! Bounded: a fixed number of requests on 127.0.0.1, then it stops.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use postq::api::{CreateScanRequest, RiskLevel};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn scan(i: usize) -> CreateScanRequest {
    CreateScanRequest::new("url", format!("bench-{i}.example"), 42.0, RiskLevel::Medium)
}

#[tokio::main]
async fn main() {
    let requests = arg("--requests", 2000);
    let rounds = arg("--rounds", 3);
    let mut config = postq_server::Config::in_memory();
    config.rate_limits =
        postq_server::RateLimits::parse("scans_write=100000000,read=100000000,write=100000000")
            .unwrap();
    let server = postq_server::spawn(config).await.unwrap();
    let key = server.create_api_key("bench", &["all"]).await.unwrap().key;
    let base = server.base_url();

    let client = postq::Client::new(postq::ClientConfig::new(&key).base_url(&base)).unwrap();
    let raw = reqwest::Client::new();
    let url = format!("{base}/v1/scans");

    // Warm up both paths (connections, SQLite pages).
    for i in 0..50 {
        client.scans().submit(&scan(i)).await.unwrap();
        raw.post(&url)
            .bearer_auth(&key)
            .json(&scan(i))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    }

    let (mut best_client, mut best_raw) = (0f64, 0f64);
    for _ in 0..rounds {
        // Alternate so drift in the server (table growth) hits both equally.
        let started = Instant::now();
        for i in 0..requests {
            client.scans().submit(&scan(i)).await.unwrap();
        }
        best_client = best_client.max(requests as f64 / started.elapsed().as_secs_f64());

        let started = Instant::now();
        for i in 0..requests {
            // What a hand-written integration sends: same body, an Idempotency-Key (as the
            // client sends), status check, body read and parsed.
            let resp = raw
                .post(&url)
                .bearer_auth(&key)
                .header(
                    "Idempotency-Key",
                    format!("raw-{i}-{}", started.elapsed().as_nanos()),
                )
                .json(&scan(i))
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success());
            let _: serde_json::Value = resp.json().await.unwrap();
        }
        best_raw = best_raw.max(requests as f64 / started.elapsed().as_secs_f64());
    }
    println!("scans.submit, sequential, {requests} requests x {rounds} rounds (best round):");
    println!("  postq client : {best_client:>8.0} req/s");
    println!("  raw reqwest  : {best_raw:>8.0} req/s");
    println!(
        "  ratio        : {:.3}x (goal >= 0.95x)",
        best_client / best_raw
    );
    server.shutdown().await;

    // Binary size: the release `postq` next to this example.
    let exe = std::env::current_exe().unwrap();
    let release_dir = exe.parent().and_then(|p| p.parent()).unwrap();
    let bin = release_dir.join("postq");
    if bin.exists() {
        let stripped = std::env::temp_dir().join("postq-stripped");
        let ok = std::process::Command::new("strip")
            .arg("-o")
            .arg(&stripped)
            .arg(&bin)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        let size = |p: &std::path::Path| {
            std::fs::metadata(p)
                .map(|m| m.len() as f64 / 1_048_576.0)
                .unwrap_or(0.0)
        };
        println!(
            "release `postq` binary: {:.1} MiB, stripped {:.1} MiB (goal <= 4 MiB; the PostQ API reference's Go CLI is 2 MB)",
            size(&bin),
            if ok { size(&stripped) } else { f64::NAN }
        );
    } else {
        println!(
            "release `postq` binary not built: cargo build --release -p postq-cli, then rerun for its size"
        );
    }
}
