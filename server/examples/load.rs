//! Load benchmark (a program, not a test): the real `postq-server` binary as a separate
//! process on a durable data dir, driven from this process.
//!
//! 1. Mixed load at a fixed rate (open loop) for `--seconds` (default 60): submit
//!    (40 %), list (30 %), sign (15 %) and verify (15 %), writes with an
//!    Idempotency-Key as the SDKs send them. Prints p50/p99 per operation, the error
//!    count, and the server's RSS before and after.
//! 2. Submit throughput, closed loop with `--concurrency` clients: postq-server against
//!    a bare axum + SQLite server with the same handler shape (parse JSON into core's
//!    `CreateScanRequest`, validate, insert the scan and its findings in one
//!    transaction on one writer connection, answer JSON), run by this same program as
//!    a child process, in the same run.
//!
//! ```sh
//! cargo build --release -p postq-server --bin postq-server --example load
//! target/release/examples/load                      # 60 s at 100 req/s
//! target/release/examples/load --seconds 10 --rate 50
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use base64::Engine;
use postq::api::CreateScanRequest;
use serde_json::{Value, json};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A child server process, killed on drop.
struct Server {
    child: Child,
    base: String,
    key: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("server starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (mut key, mut line) = (None, String::new());
        let base = loop {
            line.clear();
            assert!(out.read_line(&mut line).unwrap() > 0, "server exited");
            let text = line.trim();
            if text.starts_with("pq_live_") {
                key = Some(text.to_owned());
            }
            if let Some(rest) = text
                .strip_prefix("postq-server listening on ")
                .or_else(|| text.strip_prefix("baseline listening on "))
            {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep the pipe open for the rest of the run.
        std::mem::forget(out);
        Server { child, base, key }
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("postq-server");
    assert!(
        bin.exists(),
        "{} is missing: cargo build --release -p postq-server --bin postq-server",
        bin.display()
    );
    bin
}

fn scan_body(i: u64) -> Value {
    json!({
        "type": "url", "target": format!("load-{i}.example"), "riskScore": 42,
        "riskLevel": "Medium", "source": "load",
        "findings": [{"severity": "medium", "title": "RSA-2048 public key"}],
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Op {
    Submit,
    List,
    Sign,
    Verify,
}

struct Ctx {
    http: reqwest::Client,
    base: String,
    key: String,
    key_id: String,
    signature: String,
}

async fn run_op(ctx: &Ctx, op: Op, i: u64) -> bool {
    let url = |p: &str| format!("{}{p}", ctx.base);
    let idem = format!("load-{i}");
    let req = match op {
        Op::Submit => ctx
            .http
            .post(url("/v1/scans"))
            .header("idempotency-key", idem)
            .json(&scan_body(i)),
        Op::List => ctx.http.get(url("/v1/scans?limit=20")),
        Op::Sign => ctx
            .http
            .post(url("/v1/sign"))
            .header("idempotency-key", idem)
            .json(&json!({"keyId": ctx.key_id, "payload": format!("release {i}"), "encoding": "utf8"})),
        Op::Verify => ctx
            .http
            .post(url("/v1/verify"))
            .header("idempotency-key", idem)
            .json(&json!({"keyId": ctx.key_id, "payload": "load payload", "encoding": "utf8",
                          "signature": ctx.signature})),
    };
    match req.bearer_auth(&ctx.key).send().await {
        Ok(r) if r.status().is_success() => {
            let body: Value = r.json().await.unwrap_or(Value::Null);
            op != Op::Verify || body["ok"] == true
        }
        _ => false,
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn mixed_load(ctx: Arc<Ctx>, seconds: u64, rate: u64) -> (Vec<(Op, Duration)>, u64) {
    let results = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0u64));
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = seconds * rate;
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        ticker.tick().await;
        let op = match i % 20 {
            0..=7 => Op::Submit,
            8..=13 => Op::List,
            14..=16 => Op::Sign,
            _ => Op::Verify,
        };
        let (ctx, results, errors) = (ctx.clone(), results.clone(), errors.clone());
        // Latency counts from the scheduled start, so a slow server cannot hide its
        // queueing by slowing the sender (no coordinated omission).
        let scheduled = Instant::now();
        tasks.push(tokio::spawn(async move {
            let ok = run_op(&ctx, op, i).await;
            let took = scheduled.elapsed();
            if ok {
                results.lock().unwrap().push((op, took));
            } else {
                *errors.lock().unwrap() += 1;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let results = std::mem::take(&mut *results.lock().unwrap());
    let errors = *errors.lock().unwrap();
    (results, errors)
}

/// Closed loop: `concurrency` clients submitting for `seconds`; scans per second.
async fn submit_throughput(
    base: &str,
    key: Option<&str>,
    idempotency: bool,
    concurrency: u64,
    seconds: u64,
) -> f64 {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..concurrency {
        let (http, base, key) = (http.clone(), base.to_owned(), key.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            let mut i = c * 1_000_000_000;
            while Instant::now() < deadline {
                let mut req = http.post(format!("{base}/v1/scans")).json(&scan_body(i));
                if let Some(k) = &key {
                    req = req.bearer_auth(k);
                }
                if idempotency {
                    req = req.header("idempotency-key", format!("tp-{i}"));
                }
                let r = req.send().await.unwrap();
                assert!(r.status().is_success(), "{}", r.status());
                let _ = r.bytes().await;
                done += 1;
                i += 1;
            }
            done
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await.unwrap();
    }
    done as f64 / started.elapsed().as_secs_f64()
}

// ---- the baseline: a bare axum + SQLite server with the submit handler's shape -------

async fn baseline_submit(
    State(pool): State<SqlitePool>,
    Json(req): Json<CreateScanRequest>,
) -> Result<Json<Value>, StatusCode> {
    req.validate().map_err(|_| StatusCode::BAD_REQUEST)?;
    let err = |_| StatusCode::INTERNAL_SERVER_ERROR;
    let id = format!("scan_{}", ulid::Ulid::new());
    let created_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let mut tx = pool.begin().await.map_err(err)?;
    sqlx::query("INSERT INTO scans (id, type, target, risk_score, risk_level, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(&id)
        .bind(&req.scan_type)
        .bind(&req.target)
        .bind(req.risk_score)
        .bind(format!("{:?}", req.risk_level))
        .bind(&created_at)
        .execute(&mut *tx)
        .await
        .map_err(err)?;
    let mut findings = Vec::new();
    for f in &req.findings {
        let fid = format!("fnd_{}", ulid::Ulid::new());
        sqlx::query("INSERT INTO findings (id, scan_id, severity, title) VALUES (?, ?, ?, ?)")
            .bind(&fid)
            .bind(&id)
            .bind(format!("{:?}", f.severity))
            .bind(&f.title)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        findings.push(json!({"id": fid, "severity": f.severity, "title": f.title}));
    }
    #[allow(clippy::disallowed_methods)] // the baseline has no write units
    tx.commit().await.map_err(err)?;
    Ok(Json(json!({
        "id": id, "type": req.scan_type, "target": req.target, "riskScore": req.risk_score,
        "riskLevel": req.risk_level, "findings": findings, "createdAt": created_at,
    })))
}

async fn run_baseline(dir: &str) {
    let opts = SqliteConnectOptions::new()
        .filename(format!("{dir}/baseline.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .unwrap();
    for sql in [
        "CREATE TABLE IF NOT EXISTS scans (id TEXT PRIMARY KEY, type TEXT, target TEXT, risk_score REAL, risk_level TEXT, created_at TEXT)",
        "CREATE TABLE IF NOT EXISTS findings (id TEXT PRIMARY KEY, scan_id TEXT REFERENCES scans(id), severity TEXT, title TEXT)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    let app = axum::Router::new()
        .route("/v1/scans", post(baseline_submit))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!(
        "baseline listening on http://{}",
        listener.local_addr().unwrap()
    );
    axum::serve(listener, app).await.unwrap();
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--baseline-server") {
        run_baseline(&args[i + 1]).await;
        return;
    }
    let seconds = arg("--seconds", 60);
    let rate = arg("--rate", 100);
    let concurrency = arg("--concurrency", 16);
    let throughput_seconds = arg("--throughput-seconds", 10);
    let dir = tempfile::tempdir().unwrap();
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };

    let mut cmd = Command::new(server_binary());
    cmd.arg("--data-dir")
        .arg(dir.path().join("postq"))
        .args(["--listen", "127.0.0.1:0"])
        .args([
            "--rate-limits",
            "scans_write=10000000,read=10000000,write=10000000",
        ])
        .env("POSTQ_SERVER_LOG", "warn");
    let server = Server::start(cmd);
    let key = server.key.clone().unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    // A signing key and a signature to verify.
    let hk: Value = http
        .post(format!("{}/v1/keys", server.base))
        .bearer_auth(&key)
        .json(&json!({"name": "load"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key_id = hk["id"].as_str().unwrap().to_owned();
    let signed: Value = http
        .post(format!("{}/v1/sign", server.base))
        .bearer_auth(&key)
        .json(&json!({"keyId": key_id, "payload": base64::engine::general_purpose::STANDARD.encode("load payload")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ctx = Arc::new(Ctx {
        http,
        base: server.base.clone(),
        key: key.clone(),
        key_id,
        signature: signed["signature"].as_str().unwrap().to_owned(),
    });
    // Warm up (connections, caches), then measure the resting size.
    let _ = mixed_load(ctx.clone(), 2, rate).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = server.rss_kib();

    println!("postq-server load ({build} build): {seconds} s of mixed load at {rate} req/s");
    let started = Instant::now();
    let (results, errors) = mixed_load(ctx.clone(), seconds, rate).await;
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = server.rss_kib();
    println!(
        "  {} requests in {:.1} s ({:.1} req/s achieved), {errors} errors",
        results.len() as u64 + errors,
        elapsed.as_secs_f64(),
        (results.len() as u64 + errors) as f64 / elapsed.as_secs_f64()
    );
    println!("  {:<8} {:>7} {:>10} {:>10}", "op", "n", "p50", "p99");
    for op in [Op::Submit, Op::List, Op::Sign, Op::Verify] {
        let mut d: Vec<Duration> = results
            .iter()
            .filter(|(o, _)| *o == op)
            .map(|(_, d)| *d)
            .collect();
        d.sort();
        println!(
            "  {:<8} {:>7} {:>10.2?} {:>10.2?}",
            format!("{op:?}"),
            d.len(),
            pct(&d, 0.5),
            pct(&d, 0.99)
        );
    }
    let mut all: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();
    all.sort();
    println!(
        "  {:<8} {:>7} {:>10.2?} {:>10.2?}",
        "all",
        all.len(),
        pct(&all, 0.5),
        pct(&all, 0.99)
    );
    println!(
        "  server RSS: {:.1} MiB before, {:.1} MiB after ({:+.1} MiB)",
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        (rss_after as f64 - rss_before as f64) / 1024.0
    );

    // Submit throughput against the bare baseline, in the same run.
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.arg("--baseline-server").arg(dir.path());
    let baseline = Server::start(cmd);
    let _ = submit_throughput(&baseline.base, None, false, concurrency, 1).await;
    let base_rate =
        submit_throughput(&baseline.base, None, false, concurrency, throughput_seconds).await;
    let postq_rate = submit_throughput(
        &server.base,
        Some(&key),
        false,
        concurrency,
        throughput_seconds,
    )
    .await;
    let postq_idem = submit_throughput(
        &server.base,
        Some(&key),
        true,
        concurrency,
        throughput_seconds,
    )
    .await;
    println!(
        "submit throughput, {concurrency} clients, {throughput_seconds} s each, 1 finding per scan:"
    );
    println!("  bare axum + SQLite       {base_rate:>8.0} scans/s");
    println!(
        "  postq-server             {postq_rate:>8.0} scans/s  ({:.2}x the baseline)",
        postq_rate / base_rate
    );
    println!(
        "  postq + Idempotency-Key  {postq_idem:>8.0} scans/s  ({:.2}x the baseline)",
        postq_idem / base_rate
    );
    assert_eq!(errors, 0, "the mixed load must see no errors");
}
