//! The audit ledger's signed checkpoints and proofs over real HTTP, and the outside
//! review's attack: someone who can write the SQLite file rewrites history and
//! recomputes every hash — a client holding an earlier checkpoint catches it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Api;
use postq::ledger::{
    EventType, LedgerEntry, LedgerFailure, LedgerKey, MerkleTree, Observation, Witness,
    verify_complete_chain,
};
use postq::{Client, ClientConfig};
use postq_server::{Config, RateLimits};

fn relaxed(config: Config) -> Config {
    Config {
        rate_limits: RateLimits {
            scans_write: 100_000,
            read: 100_000,
            write: 100_000,
        },
        ..config
    }
}

fn client(api: &Api) -> Client {
    Client::new(ClientConfig::new(api.admin.clone()).base_url(api.base.clone())).unwrap()
}

async fn record(api: &Api, n: u64) -> Vec<LedgerEntry> {
    record_in(api, &api.running.bootstrap_org_id.clone().unwrap(), n).await
}

async fn record_in(api: &Api, org: &str, n: u64) -> Vec<LedgerEntry> {
    let mut rows = Vec::new();
    for i in 0..n {
        let mut details = BTreeMap::new();
        details.insert("payloadSha256".to_owned(), format!("{i:064x}"));
        rows.push(
            api.running
                .record_event(org, EventType::Sign, Some("hk_test"), details)
                .await
                .unwrap(),
        );
    }
    rows
}

fn failure_of<T: std::fmt::Debug>(result: postq::Result<T>) -> LedgerFailure {
    let err = result.expect_err("must be refused");
    let postq::Error::Ledger { failure, .. } = &err else {
        unreachable!("not a ledger failure: {err}");
    };
    *failure
}

/// seq, id, event_type, actor, resource_id, occurred_at, details — as SQLite holds them.
type StoredRow = (i64, String, String, String, Option<String>, String, String);

async fn sqlite(dir: &Path) -> sqlx::SqlitePool {
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir.join("postq.db"))
                .busy_timeout(std::time::Duration::from_secs(10)),
        )
        .await
        .unwrap()
}

/// Start again on a data dir whose first start minted `admin` (a restart prints none).
async fn restart(dir: &Path, admin: &str) -> Api {
    let mut api = Api::start(relaxed(Config::with_data_dir(dir))).await;
    api.admin = admin.to_owned();
    api
}

#[tokio::test]
async fn checkpoints_proofs_and_key_verify_offline_and_in_the_openapi_document() {
    let api = Api::start(relaxed(Config::in_memory())).await;
    let pq = client(&api);
    // Real routes write rows too: a key and a signature.
    let key = api
        .post(
            &api.admin,
            "/v1/keys",
            &serde_json::json!({"name": "ledger-test"}),
        )
        .await;
    let key_id = key.ok()["id"].as_str().unwrap().to_owned();
    api.post(
        &api.admin,
        "/v1/sign",
        &serde_json::json!({"keyId": key_id, "payload": "aGVsbG8="}),
    )
    .await
    .ok();
    record(&api, 9).await;

    let ledger_key = pq.audit().ledger_key().await.unwrap();
    let org = api.running.bootstrap_org_id.clone().unwrap();
    assert_eq!(
        ledger_key.origin().as_str(),
        format!("postq.local/audit/{org}")
    );
    let raw = api.get(&api.admin, "/v1/audit/ledger-key").await;
    assert_eq!(raw.ok()["ed25519"], ledger_key.ed25519_vkey());

    let mut witness = Witness::pin(ledger_key.clone());
    let first = pq.audit().witness(&mut witness).await.unwrap();
    let Observation::First(first) = first else {
        panic!("{first:?}")
    };
    assert_eq!(first.size, 11);

    // Every row's inclusion proof, and the export's tree, match the checkpoint.
    let rows: Vec<LedgerEntry> = futures_util::TryStreamExt::try_collect(
        pq.audit().list_all(postq::api::AuditQuery::default()),
    )
    .await
    .unwrap();
    assert_eq!(MerkleTree::from_entries(&rows).root(), first.root);
    for row in &rows {
        let proof = pq.audit().inclusion_proof(row.seq, 11).await.unwrap();
        witness.verify_inclusion(row, &proof).unwrap();
    }

    // More rows, then the witness advances with a consistency proof.
    record(&api, 5).await;
    let advanced = pq.audit().witness(&mut witness).await.unwrap();
    assert!(
        matches!(advanced, Observation::Extended { ref from, ref to } if from.size == 11 && to.size == 16),
        "{advanced:?}"
    );
    for size2 in [11, 12, 16] {
        for size1 in 0..=size2 {
            let proof = pq.audit().consistency_proof(size1, size2).await.unwrap();
            assert_eq!(proof.tree_size_1, size1);
        }
    }

    // Out-of-range requests are 400s, and the scope is audit:read.
    api.get(&api.admin, "/v1/audit/proofs/inclusion?seq=0&treeSize=3")
        .await
        .assert_error(400, "validation_error");
    api.get(&api.admin, "/v1/audit/proofs/inclusion?seq=4&treeSize=17")
        .await
        .assert_error(400, "validation_error");
    api.get(
        &api.admin,
        "/v1/audit/proofs/consistency?treeSize1=5&treeSize2=4",
    )
    .await
    .assert_error(400, "validation_error");
    let writer = api.key("default", &["scans:write"]).await;
    api.get(&writer, "/v1/audit/checkpoint")
        .await
        .assert_error(403, "insufficient_scope");

    let doc = api.get(&api.admin, "/openapi.json").await;
    for path in [
        "/v1/audit/checkpoint",
        "/v1/audit/ledger-key",
        "/v1/audit/proofs/inclusion",
        "/v1/audit/proofs/consistency",
    ] {
        assert!(
            doc.ok()["paths"][path]["get"].is_object(),
            "openapi lacks {path}"
        );
    }
    for schema in [
        "SignedCheckpoint",
        "LedgerKey",
        "InclusionProof",
        "ConsistencyProof",
    ] {
        assert!(
            doc.ok()["components"]["schemas"][schema].is_object(),
            "{schema}"
        );
    }
    api.shutdown().await;
}

/// The outside review's attack, and its variants, against a durable data dir.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewriting_or_truncating_the_database_is_caught_by_a_client_holding_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(relaxed(Config::with_data_dir(dir.path()))).await;
    let org = api.running.bootstrap_org_id.clone().unwrap();
    record(&api, 20).await;
    let pq = client(&api);
    let mut witness = Witness::pin(pq.audit().ledger_key().await.unwrap());
    pq.audit().witness(&mut witness).await.unwrap();
    let held = witness.to_json();
    let admin = api.admin.clone();
    api.shutdown().await;

    // Rewrite row 7's details, then recompute every chain hash and every tree column
    // after it, exactly as the server would have: the chain verifies again.
    let db = sqlite(dir.path()).await;
    let stored: Vec<StoredRow> = sqlx::query_as(
        "SELECT seq, id, event_type, actor, resource_id, occurred_at, details FROM ledger WHERE org_id = ? ORDER BY seq",
    )
    .bind(&org)
    .fetch_all(&db)
    .await
    .unwrap();
    let mut forged: Vec<LedgerEntry> = Vec::new();
    let mut tree = MerkleTree::new();
    for (seq, id, event_type, actor, resource_id, occurred_at, details) in stored {
        let mut details: BTreeMap<String, String> = serde_json::from_str(&details).unwrap();
        if seq == 7 {
            details.insert("payloadSha256".into(), "0".repeat(64));
        }
        let entry = LedgerEntry {
            seq: 0,
            id,
            org_id: org.clone(),
            event_type: EventType::parse(&event_type),
            actor,
            resource_id,
            occurred_at,
            details,
            prev_hash: String::new(),
            hash: String::new(),
        };
        let (entry, leaf) = entry.chain_and_leaf_after(forged.last());
        let index = entry.seq - 1;
        tree.push_leaf_hash(leaf);
        let column: Vec<u8> = postq::ledger::tree::SubtreeId::completed_by(index)
            .flat_map(|id| {
                use postq::ledger::tree::SubtreeHashes as _;
                *tree.subtree_hash(id).unwrap().as_bytes()
            })
            .collect();
        sqlx::query("UPDATE ledger SET details = ?, prev_hash = ?, hash = ?, tree = ? WHERE org_id = ? AND seq = ?")
            .bind(serde_json::to_string(&entry.details).unwrap())
            .bind(&entry.prev_hash)
            .bind(&entry.hash)
            .bind(column)
            .bind(&org)
            .bind(seq)
            .execute(&db)
            .await
            .unwrap();
        forged.push(entry);
    }
    db.close().await;
    assert!(
        verify_complete_chain(&forged).ok,
        "the forged chain verifies on its own"
    );

    // The server restarts on the forged database and signs what it holds.
    let api = restart(dir.path(), &admin).await;
    let pq = client(&api);
    record_in(&api, &org, 3).await;
    let mut client_state = Witness::from_json(&held).unwrap();
    assert_eq!(
        failure_of(pq.audit().witness(&mut client_state).await),
        LedgerFailure::ConsistencyProofFailed
    );
    // The exported rows no longer hash to the held checkpoint's root either.
    let rows: Vec<LedgerEntry> = futures_util::TryStreamExt::try_collect(
        pq.audit().list_all(postq::api::AuditQuery::default()),
    )
    .await
    .unwrap();
    assert_ne!(
        MerkleTree::from_entries(&rows[..20]).root(),
        Witness::from_json(&held)
            .unwrap()
            .checkpoint()
            .unwrap()
            .root
    );
    let held_witness = Witness::from_json(&held).unwrap();
    let proof = pq.audit().inclusion_proof(7, 20).await.unwrap();
    assert_eq!(
        failure_of(held_witness.verify_inclusion(&rows[6], &proof)),
        LedgerFailure::InclusionProofFailed
    );
    api.shutdown().await;

    // Truncation: the last rows deleted.
    let db = sqlite(dir.path()).await;
    sqlx::query("DELETE FROM ledger WHERE org_id = ? AND seq > 15")
        .bind(&org)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let api = restart(dir.path(), &admin).await;
    let pq = client(&api);
    let mut client_state = Witness::from_json(&held).unwrap();
    assert_eq!(
        failure_of(pq.audit().witness(&mut client_state).await),
        LedgerFailure::Shrink
    );
    api.shutdown().await;

    // A checkpoint signed by another server's key is refused.
    let other = Api::start(relaxed(Config::in_memory())).await;
    let other_checkpoint = client(&other).audit().checkpoint().await.unwrap();
    let mut client_state = Witness::from_json(&held).unwrap();
    assert_eq!(
        failure_of(client_state.observe(&other_checkpoint.checkpoint, None)),
        LedgerFailure::BadSignature
    );
    let other_key: LedgerKey = client(&other).audit().ledger_key().await.unwrap();
    assert_eq!(
        failure_of(client_state.expect_key(&other_key)),
        LedgerFailure::KeyChanged
    );
    other.shutdown().await;
}

/// The tree survives a restart (the ledger key is sealed in the data dir), and rows
/// written before the tree existed get their tree on start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_persists_and_old_rows_are_backfilled() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(relaxed(Config::with_data_dir(dir.path()))).await;
    record(&api, 12).await;
    let before = client(&api).audit().checkpoint().await.unwrap();
    let key = client(&api).audit().ledger_key().await.unwrap();
    let (admin, org) = (
        api.admin.clone(),
        api.running.bootstrap_org_id.clone().unwrap(),
    );
    api.shutdown().await;

    // As if written by a server from before the tree: no tree column.
    let db = sqlite(dir.path()).await;
    sqlx::query("UPDATE ledger SET tree = NULL")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;

    let api = restart(dir.path(), &admin).await;
    let pq = client(&api);
    assert_eq!(pq.audit().ledger_key().await.unwrap(), key);
    let after = pq.audit().checkpoint().await.unwrap();
    assert_eq!(
        (after.tree_size, after.root_hash),
        (before.tree_size, before.root_hash)
    );
    let mut witness = Witness::pin(key);
    witness.observe(&before.checkpoint, None).unwrap();
    record_in(&api, &org, 4).await;
    pq.audit().witness(&mut witness).await.unwrap();
    api.shutdown().await;
}

/// A generated log of 10 000 rows: a valid inclusion proof for every row over HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_of_a_ten_thousand_row_log_has_a_valid_inclusion_proof() {
    let api = Api::start(relaxed(Config::in_memory())).await;
    let rows = record(&api, 10_000).await;
    let pq = client(&api);
    let mut witness = Witness::pin(pq.audit().ledger_key().await.unwrap());
    pq.audit().witness(&mut witness).await.unwrap();
    assert_eq!(witness.checkpoint().unwrap().size, 10_000);
    use futures_util::{StreamExt as _, TryStreamExt as _};
    let proofs: Vec<_> = futures_util::stream::iter(rows.iter().map(|row| {
        let pq = pq.clone();
        let seq = row.seq;
        async move { pq.audit().inclusion_proof(seq, 10_000).await }
    }))
    .buffered(16)
    .try_collect()
    .await
    .unwrap();
    for (row, proof) in rows.iter().zip(&proofs) {
        witness.verify_inclusion(row, proof).unwrap();
    }
    api.shutdown().await;
}
