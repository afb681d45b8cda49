//! Benchmark: appending audit-ledger rows with the Merkle tree (the server's append
//! today: chain hash + the row's tree column, in the row's own INSERT) against the same
//! append without the tree (the statements the server ran before the tree: the tip
//! SELECT and the INSERT, chain hash only). Goal: ≥ 0.8× the rate without the tree.
//!
//!     cargo run -p postq-server --release --example ledger_bench                # 100 000 rows each
//!     cargo run -p postq-server --release --example ledger_bench -- --rows 20000
//!
//! Both run in-process on file-backed (WAL) databases in temp dirs, one transaction per
//! row, in alternating batches so a neighbour's load falls on both alike. Then it proves
//! the largest tree: a checkpoint's root, and inclusion and consistency proofs at depth.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use postq::ledger::{EventType, GENESIS_HASH, LedgerEntry};
use postq_server::Config;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn details(i: u64) -> BTreeMap<String, String> {
    let mut d = BTreeMap::new();
    d.insert("keyVersion".to_owned(), "1".to_owned());
    d.insert("payloadSha256".to_owned(), format!("{i:064x}"));
    d
}

/// The pre-tree append: the same statements the server ran before the tree existed.
async fn append_without_tree(pool: &sqlx::SqlitePool, org: &str, i: u64) {
    let mut tx = pool.begin().await.unwrap();
    let tip: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM ledger WHERE org_id = ? ORDER BY seq DESC LIMIT 1")
            .bind(org)
            .fetch_optional(&mut *tx)
            .await
            .unwrap();
    let (seq, prev_hash) = match tip {
        Some((seq, hash)) => (seq as u64 + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = LedgerEntry {
        seq,
        id: format!("evt_bench_{i:012}"),
        org_id: org.to_owned(),
        event_type: EventType::Sign,
        actor: "test:record_event".into(),
        resource_id: Some("hk_bench".into()),
        occurred_at: "2026-11-30T12:00:00.000Z".into(),
        details: details(i),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    sqlx::query(
        "INSERT INTO ledger (org_id, seq, id, event_type, actor, resource_id, occurred_at, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&entry.org_id)
    .bind(entry.seq as i64)
    .bind(&entry.id)
    .bind(entry.event_type.as_str())
    .bind(&entry.actor)
    .bind(&entry.resource_id)
    .bind(&entry.occurred_at)
    .bind(serde_json::to_string(&entry.details).unwrap())
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *tx)
    .await
    .unwrap();
    #[allow(clippy::disallowed_methods)] // the pre-tree baseline has no write units
    tx.commit().await.unwrap();
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let rows = arg("--rows", 100_000);
    let batch = arg("--batch", 10_000).min(rows).max(1);

    // With the tree: the server itself.
    let with_dir = tempfile::tempdir().unwrap();
    let server = postq_server::spawn(Config::with_data_dir(with_dir.path()))
        .await
        .unwrap();
    let org = server.bootstrap_org_id.clone().unwrap();

    // Without: a database of the same schema (made by a server start), written with the
    // pre-tree statements through one writer connection, like the server's.
    let without_dir = tempfile::tempdir().unwrap();
    let schema = postq_server::spawn(Config::with_data_dir(without_dir.path()))
        .await
        .unwrap();
    let plain_org = schema.bootstrap_org_id.clone().unwrap();
    schema.shutdown().await;
    let plain = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(without_dir.path().join("postq.db"))
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("secure_delete", "ON"),
        )
        .await
        .unwrap();

    println!("appending {rows} rows to each ledger, batches of {batch}, alternating…");
    let (mut with_rates, mut without_rates) = (Vec::new(), Vec::new());
    let mut done = 0;
    while done < rows {
        let n = batch.min(rows - done);
        let start = Instant::now();
        for i in done..done + n {
            server
                .record_event(&org, EventType::Sign, Some("hk_bench"), details(i))
                .await
                .unwrap();
        }
        with_rates.push(n as f64 / start.elapsed().as_secs_f64());
        let start = Instant::now();
        for i in done..done + n {
            append_without_tree(&plain, &plain_org, i).await;
        }
        without_rates.push(n as f64 / start.elapsed().as_secs_f64());
        done += n;
    }
    let (with, without) = (median(&mut with_rates), median(&mut without_rates));
    println!(
        "append, rows/s (median batch): without tree {without:.0}, with tree {with:.0} → {:.2}× (goal ≥ 0.80×)",
        with / without
    );

    // Proofs at depth, over HTTP as a client sees them.
    let http = reqwest::Client::new();
    let key = server.bootstrap_key.clone().unwrap();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{}{path}", server.base_url());
        let key = key.clone();
        async move {
            let start = Instant::now();
            let body: serde_json::Value = http
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (start.elapsed(), body)
        }
    };
    let (t, checkpoint) = get("/v1/audit/checkpoint".into()).await;
    println!(
        "checkpoint at {} rows: {:.2} ms (root read + hybrid signature)",
        checkpoint["treeSize"],
        t.as_secs_f64() * 1e3
    );
    let mut inclusion = Vec::new();
    for i in 0..200u64 {
        let seq = 1 + (i * 7919) % rows;
        let (t, _) = get(format!(
            "/v1/audit/proofs/inclusion?seq={seq}&treeSize={rows}"
        ))
        .await;
        inclusion.push(t.as_secs_f64());
    }
    let mut consistency = Vec::new();
    for i in 0..200u64 {
        let old = 1 + (i * 7919) % rows;
        let (t, _) = get(format!(
            "/v1/audit/proofs/consistency?treeSize1={old}&treeSize2={rows}"
        ))
        .await;
        consistency.push(t.as_secs_f64());
    }
    println!(
        "inclusion proof over HTTP: {:.2} ms median; consistency proof: {:.2} ms median",
        median(&mut inclusion) * 1e3,
        median(&mut consistency) * 1e3
    );
    server.shutdown().await;
    plain.close().await;
}
