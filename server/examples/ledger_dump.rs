//! Dump a live server's audit-ledger evidence in the shape of
//! `tests/vectors/ledger-tree.json`, for the independent Go check
//! (`tests/ledger-go/run.sh` runs it): an in-memory server, real routes writing 13 rows
//! (key creation, signing, verification), the signed checkpoint after every row, and every
//! inclusion and consistency proof between those sizes — all fetched over HTTP.
//!
//!     cargo run -p postq-server --example ledger_dump -- OUT.json
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use postq::ledger::{LedgerEntry, NodeHash};
use postq_server::Config;
use serde_json::{Value, json};

const ROWS: u64 = 13;

#[tokio::main]
async fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: ledger_dump OUT.json");
    let server = postq_server::spawn(Config::in_memory()).await.unwrap();
    let base = server.base_url();
    let key = server.bootstrap_key.clone().unwrap();
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let request = http
            .request(method, format!("{base}{path}"))
            .bearer_auth(&key);
        let request = match body {
            Some(b) => request.json(&b),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            response.json::<Value>().await.unwrap()
        }
    };
    let get = |path: String| call(reqwest::Method::GET, path, None);

    // Rows from real routes (a key, then signatures and verifications), a checkpoint
    // after each: sizes 0 to ROWS.
    let checkpoint = || get("/v1/audit/checkpoint".into());
    let mut checkpoints = vec![checkpoint().await];
    let created = call(
        reqwest::Method::POST,
        "/v1/keys".into(),
        Some(json!({"name": "dump"})),
    )
    .await;
    let key_id = created["id"].as_str().unwrap().to_owned();
    checkpoints.push(checkpoint().await);
    let mut n = 0;
    while checkpoints.len() <= ROWS as usize {
        n += 1;
        let payload = STANDARD.encode(format!("release {n}"));
        let signed = call(
            reqwest::Method::POST,
            "/v1/sign".into(),
            Some(json!({"keyId": key_id, "payload": payload})),
        )
        .await;
        checkpoints.push(checkpoint().await);
        if checkpoints.len() <= ROWS as usize {
            let body =
                json!({"keyId": key_id, "payload": payload, "signature": signed["signature"]});
            call(reqwest::Method::POST, "/v1/verify".into(), Some(body)).await;
            checkpoints.push(checkpoint().await);
        }
    }

    let rows: Vec<LedgerEntry> =
        serde_json::from_value(get("/v1/audit?limit=100".into()).await["data"].clone()).unwrap();
    let leaves: Vec<Value> = rows
        .iter()
        .take(ROWS as usize)
        .map(|row| {
            json!({
                "row": row,
                "leafData": String::from_utf8(row.canonical_bytes()).unwrap(),
                "leafHash": NodeHash::leaf(&row.canonical_bytes()).to_base64(),
            })
        })
        .collect();
    let mut roots = Vec::new();
    let mut signed = Vec::new();
    for c in &checkpoints {
        let size = c["treeSize"].as_u64().unwrap();
        roots.push(json!({"treeSize": size, "root": c["rootHash"]}));
        signed.push(json!({"name": format!("honest-live-{size}"), "treeSize": size, "note": c["checkpoint"]}));
    }
    let mut inclusion = Vec::new();
    let mut consistency = Vec::new();
    for size in 1..=ROWS {
        for seq in 1..=size {
            inclusion.push(
                get(format!(
                    "/v1/audit/proofs/inclusion?seq={seq}&treeSize={size}"
                ))
                .await,
            );
        }
        for size1 in 0..=size {
            consistency.push(
                get(format!(
                    "/v1/audit/proofs/consistency?treeSize1={size1}&treeSize2={size}"
                ))
                .await,
            );
        }
    }
    let ledger_key = get("/v1/audit/ledger-key".into()).await;
    let dump = json!({
        "description": "A live reference server's audit-ledger evidence (server/examples/ledger_dump.rs).",
        "ledgerKey": {
            "json": serde_json::to_string(&ledger_key).unwrap(),
            "ed25519Vkey": ledger_key["ed25519"],
        },
        "leaves": leaves,
        "roots": roots,
        "inclusionProofs": inclusion,
        "consistencyProofs": consistency,
        "signedCheckpoints": signed,
        "invalidCheckpoints": [],
        "invalidInclusionProofs": [],
        "invalidConsistencyProofs": [],
        "witness": [],
    });
    std::fs::write(&out, serde_json::to_string_pretty(&dump).unwrap()).unwrap();
    server.shutdown().await;
}
