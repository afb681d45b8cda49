//! Crash safety of `Idempotency-Key` writes: concurrent writers against the real
//! `postq-server` binary on a durable data dir, `kill -9` at random moments, restart,
//! and every unacknowledged request retried with its key. Afterwards: no acknowledged
//! write lost, no write made twice, no spurious `vault.denied`, the ledger chain intact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::ServerProcess;
use postq::ledger::{LedgerEntry, verify_complete_chain};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

const WRITERS: usize = 8;
const KILLS: usize = 10;
const LIMITS: &str = "scans_write=1000000,read=1000000,write=1000000";

/// A small deterministic generator for the kill moments (the random seed is printed).
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// What every writer saw acknowledged.
#[derive(Default)]
struct Acked {
    /// scan target → scan id
    scans: HashMap<String, String>,
    /// sha256(payload) of acknowledged signs
    signs: Vec<String>,
    /// credential name → id, for seals; ids of acknowledged deletes
    seals: HashMap<String, String>,
    deletes: Vec<String>,
    /// requests that were sent again after an attempt got no answer
    retried: usize,
}

struct Writer {
    http: reqwest::Client,
    key: String,
    base: watch::Receiver<Option<String>>,
}

impl Writer {
    /// Send one write until it is acknowledged, with the same Idempotency-Key every
    /// time; a dead server (connection refused or reset) means wait for the next one.
    async fn write(
        &mut self,
        idem: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        acked: &Mutex<Acked>,
    ) -> Value {
        let mut attempts = 0;
        loop {
            let Some(base) = self.base.borrow().clone() else {
                let _ = self.base.changed().await;
                continue;
            };
            attempts += 1;
            let mut req = self
                .http
                .request(method.clone(), format!("{base}{path}"))
                .bearer_auth(&self.key)
                .header("idempotency-key", idem);
            if let Some(b) = body {
                req = req.json(b);
            }
            match req.send().await {
                Ok(resp) if resp.status().is_success() => {
                    if attempts > 1 {
                        acked.lock().unwrap().retried += 1;
                    }
                    return resp.json().await.expect("json answer");
                }
                Ok(resp) if resp.status() == 409 => {
                    // The first attempt is still running on this server: wait for it.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok(resp) => {
                    let status = resp.status();
                    panic!("{method} {path}: {status}: {}", resp.text().await.unwrap());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

async fn writer_loop(
    w: usize,
    mut writer: Writer,
    signing_key: String,
    stop: watch::Receiver<bool>,
    acked: Arc<Mutex<Acked>>,
) {
    use reqwest::Method;
    let mut n = 0usize;
    while !*stop.borrow() {
        let tag = format!("w{w}-n{n}");
        // Mostly scans (cheap, so many are in flight at each kill), some signs (ML-DSA),
        // some vault seal + delete pairs.
        match n % 6 {
            0..=3 => {
                let target = format!("{tag}.crash.example");
                let body = json!({"type": "url", "target": target, "riskScore": 50,
                    "riskLevel": "Medium", "findings": [{"severity": "low", "title": "t"}]});
                let scan = writer
                    .write(
                        &format!("scan-{tag}"),
                        Method::POST,
                        "/v1/scans",
                        Some(&body),
                        &acked,
                    )
                    .await;
                let id = scan["id"].as_str().unwrap().to_owned();
                acked.lock().unwrap().scans.insert(target, id);
            }
            4 => {
                let payload = format!("crash payload {tag}");
                let body = json!({"keyId": signing_key, "payload": payload, "encoding": "utf8"});
                writer
                    .write(
                        &format!("sign-{tag}"),
                        Method::POST,
                        "/v1/sign",
                        Some(&body),
                        &acked,
                    )
                    .await;
                acked
                    .lock()
                    .unwrap()
                    .signs
                    .push(sha256_hex(payload.as_bytes()));
            }
            _ => {
                let name = format!("crash-{tag}");
                let body = json!({"name": name, "credentialType": "api_key",
                    "values": {"token": format!("secret-{tag}")}});
                let cred = writer
                    .write(
                        &format!("seal-{tag}"),
                        Method::POST,
                        "/v1/vault/credentials",
                        Some(&body),
                        &acked,
                    )
                    .await;
                let id = cred["id"].as_str().unwrap().to_owned();
                acked.lock().unwrap().seals.insert(name, id.clone());
                let deleted = writer
                    .write(
                        &format!("delete-{tag}"),
                        Method::DELETE,
                        &format!("/v1/vault/credentials/{id}"),
                        None,
                        &acked,
                    )
                    .await;
                assert_eq!(deleted, json!({"id": id, "deleted": true}));
                acked.lock().unwrap().deletes.push(id);
            }
        }
        n += 1;
    }
}

async fn get_all(http: &reqwest::Client, base: &str, key: &str, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{base}{path}{sep}limit=100&cursor={c}"),
            None => format!("{base}{path}{sep}limit=100"),
        };
        let page: Value = http
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_concurrent_idempotent_writes_loses_and_duplicates_nothing() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--rate-limits", LIMITS];
    let first = ServerProcess::start(dir.path(), &flags, None);
    let admin = first.bootstrap_key.clone().expect("bootstrap key");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap();
    let key: Value = http
        .post(format!("{}/v1/keys", first.base))
        .bearer_auth(&admin)
        .json(&json!({"name": "crash-signing"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let signing_key = key["id"].as_str().unwrap().to_owned();

    let (base_tx, base_rx) = watch::channel(Some(first.base.clone()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let acked = Arc::new(Mutex::new(Acked::default()));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let writer = Writer {
                http: http.clone(),
                key: admin.clone(),
                base: base_rx.clone(),
            };
            tokio::spawn(writer_loop(
                w,
                writer,
                signing_key.clone(),
                stop_rx.clone(),
                acked.clone(),
            ))
        })
        .collect();

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("crash test seed {seed}");
    let mut rng = XorShift(seed);
    let mut server = first;
    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(rng.between(150, 600))).await;
        base_tx.send_replace(None);
        server.kill();
        server = ServerProcess::start(dir.path(), &flags, None);
        base_tx.send_replace(Some(server.base.clone()));
    }
    // Let the writers retry what the last kill left unanswered, then stop them.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop_tx.send_replace(true);
    for w in writers {
        tokio::time::timeout(Duration::from_secs(30), w)
            .await
            .expect("writers finish")
            .expect("writer ok");
    }

    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let base = server.base.clone();

    // Scans: every acknowledged one is stored, and each target exactly once.
    let scans = get_all(&http, &base, &admin, "/v1/scans").await;
    let mut per_target: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &scans {
        per_target
            .entry(s["target"].as_str().unwrap().to_owned())
            .or_default()
            .push(s["id"].as_str().unwrap().to_owned());
    }
    for (target, id) in &acked.scans {
        assert_eq!(
            per_target.get(target),
            Some(&vec![id.clone()]),
            "scan {target}"
        );
    }
    assert_eq!(scans.len(), acked.scans.len(), "no scan stored twice");

    // The ledger: intact, one row per acknowledged write, no vault.denied.
    let rows: Vec<LedgerEntry> = get_all(&http, &base, &admin, "/v1/audit")
        .await
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    let report = verify_complete_chain(&rows);
    assert!(report.ok, "ledger chain: {report:?}");
    let count = |event: &str| {
        rows.iter()
            .filter(|r| r.event_type.as_str() == event)
            .count()
    };
    let mut signs: HashMap<String, usize> = HashMap::new();
    for r in rows.iter().filter(|r| r.event_type.as_str() == "sign") {
        *signs.entry(r.details["payloadSha256"].clone()).or_default() += 1;
    }
    for digest in &acked.signs {
        assert_eq!(signs.get(digest), Some(&1), "sign of {digest}");
    }
    assert_eq!(count("sign"), acked.signs.len(), "no sign recorded twice");
    assert_eq!(count("vault.seal"), acked.seals.len(), "no seal twice");
    assert_eq!(
        count("vault.delete"),
        acked.deletes.len(),
        "no delete twice"
    );
    assert_eq!(count("vault.denied"), 0, "no spurious vault.denied");
    assert_eq!(count("key.create"), 1);
    for id in acked.seals.values() {
        assert!(acked.deletes.contains(id), "credential {id} deleted");
    }
    assert!(
        get_all(&http, &base, &admin, "/v1/vault/credentials")
            .await
            .is_empty()
    );
    eprintln!(
        "crash test: {KILLS} kills, {} scans, {} signs, {} seal+delete pairs, {} requests retried after a lost answer, {} ledger rows, {:.1} s",
        acked.scans.len(),
        acked.signs.len(),
        acked.deletes.len(),
        acked.retried,
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        acked.retried > 0,
        "the kills must have caught requests in flight"
    );
    server.kill();
}
