//! Benchmark: server render time of the dashboard's overview for an organisation with
//! 100 000 scans (goal p99 ≤ 100 ms), next to the API's first page of scans measured in
//! the same run (the peer: one index range scan).
//!
//!     cargo run -p postq-server --release --example dashboard_bench
//!     cargo run -p postq-server --example dashboard_bench -- --scans 20000   # quicker
//!
//! In-process server on a file-backed (WAL) data dir in a temp directory, real HTTP on
//! 127.0.0.1, one signed-in session. Bounded: a fixed number of requests, then it stops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use postq::api::{CreateScanRequest, FindingInput, RiskLevel, Severity};
use postq_server::{Config, RateLimits};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(v: &mut [Duration], p: usize) -> Duration {
    v.sort();
    v[(v.len() * p / 100).min(v.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One scan of target `t` (of `targets`): a key-exchange and a certificate finding, so
/// every aggregate of the overview has rows to count.
fn scan(i: usize, targets: usize) -> CreateScanRequest {
    let t = i % targets;
    let risk = ((i * 37) % 100) as f64;
    let level = match risk as u32 {
        80.. => RiskLevel::Critical,
        60..=79 => RiskLevel::High,
        30..=59 => RiskLevel::Medium,
        _ => RiskLevel::Low,
    };
    let mut s = CreateScanRequest::new("url", format!("host-{t}.example"), risk, level);
    let kx = ["KX-NOT-PQ", "KX-PQ-HYBRID", "KX-PQ-NOT-PREFERRED"][i % 3];
    s.findings = vec![
        FindingInput::new(Severity::High, format!("{kx} on host-{t}")).with_code(kx),
        FindingInput::new(Severity::Medium, "RSA-2048 certificate").with_code("RSA-2048"),
    ];
    s.source = Some("bench".into());
    s
}

async fn time_get(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    n: usize,
) -> Vec<Duration> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut req = http.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let start = Instant::now();
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        let body = resp.bytes().await.unwrap();
        out.push(start.elapsed());
        assert!(!body.is_empty());
    }
    out
}

#[tokio::main]
async fn main() {
    let scans = arg("--scans", 100_000);
    let targets = arg("--targets", 1_000);
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
    let org = running.bootstrap_org_id.clone().unwrap();
    println!(
        "dashboard bench ({} build): {scans} scans over {targets} targets, 2 findings each, data dir on disk (SQLite WAL)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );

    let seed = Instant::now();
    for i in 0..scans {
        running.insert_scan(&org, scan(i, targets)).await.unwrap();
    }
    println!(
        "seeded in {:.1} s ({:.0} scans/s, in-process)",
        seed.elapsed().as_secs_f64(),
        scans as f64 / seed.elapsed().as_secs_f64()
    );

    // One session, through a one-time sign-in link.
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let link = running.signin_link(&key).await.unwrap();
    let signed_in = http.get(&link).send().await.unwrap();
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("postq_session="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let session = [("cookie", cookie.as_str())];
    let bearer = format!("Bearer {key}");
    let api = [("authorization", bearer.as_str())];

    let overview = format!("{base}/");
    let targets_page = format!("{base}/targets");
    let list = format!("{base}/v1/scans?limit=50");
    // Warm the caches the same way for every route.
    time_get(&http, &overview, &session, 10).await;
    time_get(&http, &targets_page, &session, 10).await;
    time_get(&http, &list, &api, 10).await;

    let mut rows = Vec::new();
    for (name, url, headers) in [
        ("overview  GET /", &overview, &session[..]),
        ("targets   GET /targets", &targets_page, &session[..]),
        ("API list  GET /v1/scans?limit=50", &list, &api[..]),
    ] {
        let mut t = time_get(&http, url, headers, samples).await;
        rows.push((name, pct(&mut t, 50), pct(&mut t, 99)));
    }
    println!("\n{samples} samples each, sequential, one connection:");
    println!("{:<36} {:>10} {:>10}", "route", "p50 ms", "p99 ms");
    for (name, p50, p99) in &rows {
        println!("{name:<36} {:>10.2} {:>10.2}", ms(*p50), ms(*p99));
    }
    let (_, o50, o99) = rows[0];
    let (_, l50, _) = rows[2];
    println!(
        "\noverview p99 {:.2} ms (goal <= 100 ms: {}); overview p50 / API first page p50 = {:.1}x",
        ms(o99),
        if ms(o99) <= 100.0 { "met" } else { "NOT met" },
        ms(o50) / ms(l50)
    );
    running.shutdown().await;
}
