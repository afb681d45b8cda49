//! Per-organisation KEKs: keys are wrapped under their organisation's KEK, and rows
//! wrapped under the master KEK by an older server are rewrapped on start — idempotently,
//! and still usable at every point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use common::Api;
use postq::hybrid::HybridSigningKey;
use postq_server::Config;
use serde_json::json;

const KEK_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn config(dir: &Path) -> Config {
    Config {
        kek: Some(KEK_HEX.into()),
        ..Config::with_data_dir(dir)
    }
}

async fn db(dir: &Path) -> sqlx::SqlitePool {
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

/// How an older server sealed a key: `0x01 ‖ nonce ‖ AES-256-GCM(master KEK)`.
fn legacy_seal(aad: &str, secret: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(&hex::decode(KEK_HEX).unwrap()).unwrap();
    let nonce = [7u8; 12];
    let ct = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: secret,
                aad: aad.as_bytes(),
            },
        )
        .unwrap();
    [vec![0x01], nonce.to_vec(), ct].concat()
}

async fn sealed_blobs(dir: &Path) -> Vec<Vec<u8>> {
    let db = db(dir).await;
    let rows: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT sealed_private FROM hybrid_key_versions UNION ALL SELECT sealed_seed FROM vault_credentials",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    db.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_wrapped_per_organisation_and_old_rows_are_rewrapped_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(config(dir.path())).await;
    let admin = api.admin.clone();
    let key = api.post(&admin, "/v1/keys", &json!({"name": "k"})).await;
    let key_id = key.ok()["id"].as_str().unwrap().to_owned();
    let cred = api
        .post(
            &admin,
            "/v1/vault/credentials",
            &json!({"name": "db", "credentialType": "password", "values": {"password": "hunter2"}}),
        )
        .await;
    let cred_id = cred.ok()["id"].as_str().unwrap().to_owned();
    api.shutdown().await;
    // New rows are sealed under the organisation's KEK (version byte 0x02).
    assert!(sealed_blobs(dir.path()).await.iter().all(|b| b[0] == 0x02));

    // Make the key look like an older server's: a known seed, sealed under the master
    // KEK, with its public key.
    let seed = [9u8; 64];
    let sk = HybridSigningKey::from_seed(&seed, &key_id, 1).unwrap();
    let db = db(dir.path()).await;
    sqlx::query("UPDATE hybrid_key_versions SET sealed_private = ?, public_key = ?, fingerprint = ? WHERE key_id = ?")
        .bind(legacy_seal(&format!("postq:hybrid-key:{key_id}:v1"), &seed))
        .bind(sk.public_key().to_json())
        .bind(sk.public_key().fingerprint())
        .bind(&key_id)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    assert!(sealed_blobs(dir.path()).await.iter().any(|b| b[0] == 0x01));

    // On start it is rewrapped, and it signs as the same key.
    for _ in 0..2 {
        let mut api = Api::start(config(dir.path())).await;
        api.admin = admin.clone();
        let blobs = sealed_blobs(dir.path()).await;
        assert!(blobs.iter().all(|b| b[0] == 0x02), "every row rewrapped");
        let signed = api
            .post(
                &admin,
                "/v1/sign",
                &json!({"keyId": key_id, "payload": "aGk="}),
            )
            .await;
        let signature = signed.ok()["signature"].as_str().unwrap().to_owned();
        assert!(
            postq::hybrid::verify(sk.public_key(), b"hi", &signature)
                .unwrap()
                .ok
        );
        let unsealed = api
            .get(&admin, &format!("/v1/vault/credentials/{cred_id}"))
            .await;
        assert_eq!(unsealed.ok()["values"]["password"], "hunter2");
        api.shutdown().await;
    }
}
