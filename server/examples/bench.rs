//! Benchmark: scans ingested per second over HTTP, and the latency of a page at depth
//! 100 000 against the first page (keyset pagination: the goal is a ratio ≤ 1.2×).
//!
//!     cargo run -p postq-server --release --example bench            # full run
//!     cargo run -p postq-server --example bench -- --depth 20000     # quicker
//!
//! Everything runs in-process against a file-backed (WAL) data dir in a temp directory,
//! over real HTTP on 127.0.0.1. Bounded: a fixed number of requests, then it stops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use postq::api::{CreateScanRequest, FindingInput, RiskLevel, Severity};
use postq_server::{Config, RateLimits};
use serde_json::{Value, json};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p95(v: &mut [Duration]) -> Duration {
    v.sort();
    v[(v.len() * 95 / 100).min(v.len() - 1)]
}

#[tokio::main]
async fn main() {
    let depth = arg("--depth", 100_000);
    let ingest = arg("--ingest", 3_000);
    let concurrency = arg("--concurrency", 8);
    let samples = arg("--samples", 200);

    let dir = tempfile::tempdir().unwrap();
    let running = postq_server::spawn(Config {
        rate_limits: RateLimits {
            scans_write: 1_000_000,
            read: 1_000_000,
            write: 1_000_000,
        },
        ..Config::with_data_dir(dir.path())
    })
    .await
    .unwrap();
    let base = running.base_url();
    let key = running.bootstrap_key.clone().unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    println!(
        "postq-server bench ({} build), data dir on disk (SQLite WAL)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );

    // 1. Ingest over HTTP with `concurrency` clients.
    let body = json!({
        "type": "url", "target": "bench.example", "riskScore": 42, "riskLevel": "Medium",
        "findings": [{"severity": "medium", "title": "RSA-2048 public key"}],
        "source": "bench", "metadata": {"run": "bench"}
    });
    let started = Instant::now();
    let per_task = ingest / concurrency;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, base, key, body) = (http.clone(), base.clone(), key.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_task {
                let r = http
                    .post(format!("{base}/v1/scans"))
                    .bearer_auth(&key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let took = started.elapsed();
    let ingested = per_task * concurrency;
    println!(
        "ingest over HTTP: {ingested} scans in {:.2} s = {:.0} scans/s ({concurrency} concurrent clients, 1 finding each)",
        took.as_secs_f64(),
        ingested as f64 / took.as_secs_f64()
    );

    // 2. Store up to `depth + 200` scans straight through the store (same code path as
    //    the handler, minus HTTP) so the deep page exists.
    let org = running.bootstrap_org_id.clone().unwrap();
    let store_to = depth + 200;
    let started = Instant::now();
    let mut stored = ingested;
    while stored < store_to {
        let mut scan =
            CreateScanRequest::new("repo", format!("deep-{stored}"), 10.0, RiskLevel::Low);
        scan.source = Some("bench".into());
        scan.findings = vec![FindingInput::new(Severity::Low, "deep")];
        running.insert_scan(&org, scan).await.unwrap();
        stored += 1;
    }
    let took = started.elapsed();
    println!(
        "stored {} more scans through the store in {:.1} s ({:.0}/s); total {stored}",
        stored - ingested,
        took.as_secs_f64(),
        (stored - ingested) as f64 / took.as_secs_f64().max(1e-9)
    );

    // 3. Walk to depth `depth` with limit=100 pages to get the cursor there.
    let get = |path: String| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        async move {
            let t = Instant::now();
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            (t.elapsed(), v)
        }
    };
    let mut cursor: Option<String> = None;
    let mut walked = 0usize;
    let started = Instant::now();
    while walked < depth {
        let path = match &cursor {
            Some(c) => format!("/v1/scans?limit=100&cursor={c}"),
            None => "/v1/scans?limit=100".to_owned(),
        };
        let (_, v) = get(path).await;
        walked += v["data"].as_array().unwrap().len();
        cursor = v["nextCursor"].as_str().map(str::to_owned);
        assert!(cursor.is_some(), "ran out of scans at {walked}");
    }
    let deep_cursor = cursor.unwrap();
    println!(
        "walked {walked} scans in 100-row pages in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 4. Alternate first page and deep page (limit 50) and compare.
    let mut first = Vec::with_capacity(samples);
    let mut deep = Vec::with_capacity(samples);
    for _ in 0..10 {
        get("/v1/scans?limit=50".into()).await;
        get(format!("/v1/scans?limit=50&cursor={deep_cursor}")).await;
    }
    for _ in 0..samples {
        let (d, v) = get("/v1/scans?limit=50".into()).await;
        assert_eq!(v["data"].as_array().unwrap().len(), 50);
        first.push(d);
        let (d, v) = get(format!("/v1/scans?limit=50&cursor={deep_cursor}")).await;
        assert_eq!(v["data"].as_array().unwrap().len(), 50);
        deep.push(d);
    }
    let (mf, md) = (median(&mut first), median(&mut deep));
    let ratio = md.as_secs_f64() / mf.as_secs_f64();
    println!(
        "page of 50, first page:       median {:.3} ms, p95 {:.3} ms ({samples} samples)",
        mf.as_secs_f64() * 1e3,
        p95(&mut first).as_secs_f64() * 1e3
    );
    println!(
        "page of 50 at depth {walked}: median {:.3} ms, p95 {:.3} ms",
        md.as_secs_f64() * 1e3,
        p95(&mut deep).as_secs_f64() * 1e3
    );
    println!(
        "depth/first ratio: {ratio:.2}x (goal <= 1.2x) {}",
        if ratio <= 1.2 { "OK" } else { "OVER GOAL" }
    );
    running.shutdown().await;
}
