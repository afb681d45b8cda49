//! Integration tests over real HTTP against the in-process server on 127.0.0.1:0.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::{Api, client, reply, scan_body};
use postq::ledger::{ChainFailure, LedgerEntry, verify_chain};
use postq_server::{Config, RateLimits, Scope};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

// ---- health, openapi, routing ---------------------------------------------------------

#[tokio::test]
async fn health_openapi_and_unknown_routes() {
    let api = Api::memory().await;
    let r = api.send(None, Method::GET, "/health", None, &[]).await;
    assert_eq!(r.ok(), &json!({"status": "ok"}));
    assert!(
        r.header("x-request-id")
            .is_some_and(|id| id.starts_with("req_"))
    );

    let r = api
        .send(None, Method::GET, "/openapi.json", None, &[])
        .await;
    let doc = r.ok();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    for path in [
        "/health",
        "/v1/scans",
        "/v1/scans/{id}",
        "/v1/ingest/kubernetes",
        "/v1/keys",
        "/v1/keys/{id}",
        "/v1/keys/{id}/public",
        "/v1/keys/{id}/rotate",
        "/v1/sign",
        "/v1/verify",
        "/v1/audit",
    ] {
        assert!(doc["paths"][path].is_object(), "openapi lacks {path}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["Scan"].is_object());

    api.get(&api.admin, "/v1/nope")
        .await
        .assert_error(404, "not_found");
    api.send(Some(&api.admin), Method::DELETE, "/v1/scans", None, &[])
        .await
        .assert_error(405, "method_not_allowed");
    // A sane client request id is kept and echoed.
    let r = api
        .send(
            None,
            Method::GET,
            "/v1/scans",
            None,
            &[("x-request-id", "client-123")],
        )
        .await;
    r.assert_error(401, "unauthorized");
    assert_eq!(r.body["error"]["requestId"], "client-123");
    api.shutdown().await;
}

// ---- auth ----------------------------------------------------------------------------------

#[tokio::test]
async fn authentication_bearer_x_api_key_and_revocation() {
    let api = Api::memory().await;
    assert!(api.admin.starts_with("pq_live_"));
    api.send(None, Method::GET, "/v1/scans", None, &[])
        .await
        .assert_error(401, "unauthorized");
    api.get("pq_live_0000", "/v1/scans")
        .await
        .assert_error(401, "unauthorized");
    api.send(
        None,
        Method::GET,
        "/v1/scans",
        None,
        &[("authorization", "Basic abc")],
    )
    .await
    .assert_error(401, "unauthorized");
    api.get(&api.admin, "/v1/scans").await.ok();
    api.send(
        None,
        Method::GET,
        "/v1/scans",
        None,
        &[("x-api-key", &api.admin)],
    )
    .await
    .ok();

    let created = api
        .running
        .create_api_key("default", &["scans:read"])
        .await
        .unwrap();
    api.get(&created.key, "/v1/scans").await.ok();
    assert!(api.running.revoke_api_key(&created.id).await.unwrap());
    api.get(&created.key, "/v1/scans")
        .await
        .assert_error(401, "unauthorized");
    api.shutdown().await;
}

/// Every route against a key without its scope (403) and with only its scope (not 403).
#[tokio::test]
async fn scope_matrix() {
    let api = Api::memory().await;
    let admin = api.admin.clone();
    let key = api.post(&admin, "/v1/keys", &json!({"name": "k"})).await;
    let key_id = key.ok()["id"].as_str().unwrap().to_owned();
    let sig = api
        .post(
            &admin,
            "/v1/sign",
            &json!({"keyId": key_id, "payload": "aGk="}),
        )
        .await;
    let signature = sig.ok()["signature"].as_str().unwrap().to_owned();
    let scan = api.post(&admin, "/v1/scans", &scan_body("a.example")).await;
    let scan_id = scan.ok()["id"].as_str().unwrap().to_owned();

    let routes: Vec<(Method, String, Option<Value>, &str)> = vec![
        (
            Method::POST,
            "/v1/scans".into(),
            Some(scan_body("x")),
            "scans:write",
        ),
        (Method::GET, "/v1/scans".into(), None, "scans:read"),
        (
            Method::GET,
            format!("/v1/scans/{scan_id}"),
            None,
            "scans:read",
        ),
        (
            Method::POST,
            "/v1/keys".into(),
            Some(json!({"name": "n"})),
            "keys:write",
        ),
        (Method::GET, "/v1/keys".into(), None, "keys:read"),
        (Method::GET, format!("/v1/keys/{key_id}"), None, "keys:read"),
        (
            Method::GET,
            format!("/v1/keys/{key_id}/public"),
            None,
            "keys:read",
        ),
        (
            Method::POST,
            format!("/v1/keys/{key_id}/rotate"),
            None,
            "keys:write",
        ),
        (
            Method::PATCH,
            format!("/v1/keys/{key_id}"),
            Some(json!({"minVersion": 1})),
            "keys:write",
        ),
        (
            Method::POST,
            "/v1/sign".into(),
            Some(json!({"keyId": key_id, "payload": "aGk="})),
            "sign:write",
        ),
        (
            Method::POST,
            "/v1/verify".into(),
            Some(json!({"keyId": key_id, "payload": "aGk=", "signature": signature})),
            "sign:read",
        ),
        (Method::GET, "/v1/audit".into(), None, "audit:read"),
    ];
    let all: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
    for (method, path, body, scope) in &routes {
        let others: Vec<&str> = all.iter().copied().filter(|s| s != scope).collect();
        let without = api.key("default", &others).await;
        let with = api.key("default", &[scope]).await;
        api.send(Some(&without), method.clone(), path, body.as_ref(), &[])
            .await
            .assert_error(403, "insufficient_scope");
        let r = api
            .send(Some(&with), method.clone(), path, body.as_ref(), &[])
            .await;
        assert_eq!(r.status, 200, "{method} {path} with {scope}: {}", r.text);
    }

    // New keys default to the read scopes.
    let default = api.key("default", &[]).await;
    api.get(&default, "/v1/scans").await.ok();
    api.get(&default, "/v1/keys").await.ok();
    api.get(&default, "/v1/audit").await.ok();
    api.post(
        &default,
        "/v1/verify",
        &json!({"keyId": key_id, "payload": "aGk=", "signature": signature}),
    )
    .await
    .ok();
    api.post(&default, "/v1/scans", &scan_body("x"))
        .await
        .assert_error(403, "insufficient_scope");
    api.post(
        &default,
        "/v1/sign",
        &json!({"keyId": key_id, "payload": "aGk="}),
    )
    .await
    .assert_error(403, "insufficient_scope");
    api.shutdown().await;
}

#[tokio::test]
async fn other_organisations_resources_are_404() {
    let api = Api::memory().await;
    let a = api.key("acme", &["all"]).await;
    let b = api.key("globex", &["all"]).await;
    let scan = api.post(&a, "/v1/scans", &scan_body("acme.example")).await;
    let scan_id = scan.ok()["id"].as_str().unwrap().to_owned();
    let key = api.post(&a, "/v1/keys", &json!({"name": "acme"})).await;
    let key_id = key.ok()["id"].as_str().unwrap().to_owned();
    let sig = api
        .post(&a, "/v1/sign", &json!({"keyId": key_id, "payload": "aGk="}))
        .await;
    let signature = sig.ok()["signature"].as_str().unwrap().to_owned();

    api.get(&b, &format!("/v1/scans/{scan_id}"))
        .await
        .assert_error(404, "not_found");
    api.get(&b, &format!("/v1/keys/{key_id}"))
        .await
        .assert_error(404, "not_found");
    api.get(&b, &format!("/v1/keys/{key_id}/public"))
        .await
        .assert_error(404, "not_found");
    api.send(
        Some(&b),
        Method::POST,
        &format!("/v1/keys/{key_id}/rotate"),
        None,
        &[],
    )
    .await
    .assert_error(404, "not_found");
    api.patch(&b, &format!("/v1/keys/{key_id}"), &json!({"minVersion": 1}))
        .await
        .assert_error(404, "not_found");
    api.post(&b, "/v1/sign", &json!({"keyId": key_id, "payload": "aGk="}))
        .await
        .assert_error(404, "not_found");
    api.post(
        &b,
        "/v1/verify",
        &json!({"keyId": key_id, "payload": "aGk=", "signature": signature}),
    )
    .await
    .assert_error(404, "not_found");
    assert_eq!(api.get(&b, "/v1/scans").await.ok()["data"], json!([]));
    assert_eq!(api.get(&b, "/v1/keys").await.ok()["data"], json!([]));
    assert_eq!(api.get(&b, "/v1/audit").await.ok()["data"], json!([]));
    // Org A still sees its own.
    api.get(&a, &format!("/v1/scans/{scan_id}")).await.ok();
    assert_eq!(
        api.get(&a, "/v1/audit").await.ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    api.shutdown().await;
}

// ---- scans -----------------------------------------------------------------------------------

#[tokio::test]
async fn scans_submit_get_and_validate() {
    let api = Api::memory().await;
    let k = api.admin.clone();
    let body = json!({
        "type": "cloud",
        "target": "app.contoso.example",
        "riskScore": 72.5,
        "riskLevel": "Critical",
        "findings": [
            {"severity": "critical", "title": "TLS-1.0-MIN", "description": "d", "evidence": "e"},
            {"severity": "info", "title": "HTTPS-NOT-ENFORCED"}
        ],
        "source": "agent",
        "metadata": {"ci": "github-actions", "n": 3}
    });
    let created = api.post(&k, "/v1/scans", &body).await;
    let s = created.ok().clone();
    let id = s["id"].as_str().unwrap();
    assert!(id.starts_with("scan_") && id.len() == 5 + 26);
    // Permalinks point at the server itself (it serves the dashboard) by default.
    assert_eq!(s["url"], format!("{}/scans/{id}", api.base));
    assert_eq!(s["riskScore"], 72.5);
    assert_eq!(s["source"], "agent");
    assert_eq!(s["metadata"], json!({"ci": "github-actions", "n": 3}));
    let findings = s["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let fids: HashSet<&str> = findings.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(fids.len(), 2);
    assert!(fids.iter().all(|f| f.starts_with("fnd_")));
    assert!(s["createdAt"].as_str().unwrap().ends_with('Z'));

    let got = api.get(&k, &format!("/v1/scans/{id}")).await;
    assert_eq!(got.ok(), &s);
    // Findings are addressable by their own id, within the organisation only: the
    // rollover route starts from one (and finds this one of a cloud scan).
    let fid = findings[0]["id"].as_str().unwrap();
    let rollover = |key: String| {
        let body = json!({"findingId": fid, "hostname": "app.contoso.example"});
        let api = &api;
        async move { api.post(&key, "/v1/mitigations/tls-rollover", &body).await }
    };
    let other = api.key("org_other", &["sign:write"]).await;
    rollover(other).await.assert_error(404, "not_found");
    let minted = rollover(k.clone()).await;
    assert_eq!(minted.ok()["findingId"], fid);
    assert_eq!(minted.body["scanId"], id);

    // Defaults; the same type+target twice is two records.
    let a = api.post(&k, "/v1/scans", &scan_body("example.com")).await;
    let b = api.post(&k, "/v1/scans", &scan_body("example.com")).await;
    assert_eq!(a.ok()["source"], "sdk");
    assert_eq!(a.ok()["riskScore"], 85);
    assert_eq!(a.ok()["metadata"], json!({}));
    assert_ne!(a.ok()["id"], b.ok()["id"]);
    assert!(b.ok()["id"].as_str() > a.ok()["id"].as_str());

    api.get(&k, "/v1/scans/scan_01J00000000000000000000000")
        .await
        .assert_error(404, "not_found");
    api.get(&k, "/v1/scans/whatever")
        .await
        .assert_error(404, "not_found");

    let mut bad: Vec<(Value, &str)> = Vec::new();
    for (field, value) in [
        ("riskScore", json!(-1)),
        ("riskScore", json!(100.5)),
        ("riskScore", json!("85")),
        ("riskLevel", json!("high")),
        ("riskLevel", json!(null)),
        ("type", json!("")),
        ("type", json!("x".repeat(65))),
        ("target", json!("   ")),
        ("source", json!("")),
        ("metadata", json!("ci")),
        ("metadata", json!([1])),
        ("findings", json!([{"severity": "severe", "title": "t"}])),
        ("findings", json!([{"severity": "high", "title": ""}])),
        ("findings", json!([{"severity": "high"}])),
        (
            "findings",
            json!([{"severity": "high", "title": "t", "cvss": 9}]),
        ),
        ("findings", json!({"severity": "high"})),
        ("unknownField", json!(1)),
    ] {
        let mut b = scan_body("v.example");
        b[field] = value;
        bad.push((b, field));
    }
    let mut missing = scan_body("v.example");
    missing.as_object_mut().unwrap().remove("target");
    bad.push((missing, "target"));
    for (body, field) in bad {
        let r = api.post(&k, "/v1/scans", &body).await;
        r.assert_error(400, "validation_error");
        let msg = r.body["error"]["message"].as_str().unwrap();
        let root = field.trim_end_matches("Field");
        assert!(
            msg.contains(root) || msg.contains("unknown field") || msg.contains("missing field"),
            "{field}: {msg}"
        );
    }
    // Malformed JSON and empty bodies.
    let raw = |body: &'static str| {
        client()
            .post(format!("{}/v1/scans", api.base))
            .bearer_auth(&k)
            .body(body)
            .send()
    };
    reply(raw("{\"type\":").await.unwrap())
        .await
        .assert_error(400, "validation_error");
    reply(raw("").await.unwrap())
        .await
        .assert_error(400, "validation_error");
    reply(raw("{} trailing").await.unwrap())
        .await
        .assert_error(400, "validation_error");
    // Nothing invalid was stored.
    assert_eq!(
        api.get(&k, "/v1/scans").await.ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    api.shutdown().await;
}

#[tokio::test]
async fn scans_list_limits_and_cursors() {
    let api = Api::memory().await;
    let k = api.admin.clone();
    for i in 0..5 {
        api.post(&k, "/v1/scans", &scan_body(&format!("t{i}.example")))
            .await
            .ok();
    }
    let page = api.get(&k, "/v1/scans").await;
    let data = page.ok()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 5);
    assert_eq!(page.body["nextCursor"], Value::Null);
    assert_eq!(data[0]["target"], "t4.example", "newest first");
    assert!(data[0].get("findings").is_none());
    assert!(data[0].get("metadata").is_none());
    // ?include= hydrates list items (QuantumAPI's convention).
    let full = api
        .get(&k, "/v1/scans?limit=1&include=findings,metadata")
        .await;
    assert_eq!(
        full.ok()["data"][0]["findings"][0]["title"],
        "RSA-2048 public key"
    );
    assert!(
        full.body["data"][0]["findings"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("fnd_")
    );
    assert_eq!(full.body["data"][0]["metadata"], json!({}));
    let all = api.get(&k, "/v1/scans?limit=1&include=all").await;
    assert_eq!(all.ok()["data"], full.body["data"]);
    let meta = api.get(&k, "/v1/scans?limit=1&include=metadata").await;
    assert!(meta.ok()["data"][0].get("findings").is_none());
    api.get(&k, "/v1/scans?include=secrets")
        .await
        .assert_error(400, "validation_error");

    let p1 = api.get(&k, "/v1/scans?limit=2").await;
    let cursor = p1.ok()["nextCursor"].as_str().unwrap().to_owned();
    assert_eq!(p1.body["data"].as_array().unwrap().len(), 2);
    let p2 = api
        .get(&k, &format!("/v1/scans?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(p2.ok()["data"][0]["target"], "t2.example");
    let c2 = p2.body["nextCursor"].as_str().unwrap().to_owned();
    let p3 = api.get(&k, &format!("/v1/scans?limit=2&cursor={c2}")).await;
    assert_eq!(p3.ok()["data"].as_array().unwrap().len(), 1);
    assert_eq!(p3.body["nextCursor"], Value::Null);

    for q in ["limit=0", "limit=101", "limit=abc", "limit=-3"] {
        api.get(&k, &format!("/v1/scans?{q}"))
            .await
            .assert_error(400, "validation_error");
    }
    for c in ["garbage!", "e30", "eyJpZCI6InhfMSJ9"] {
        api.get(&k, &format!("/v1/scans?cursor={c}"))
            .await
            .assert_error(400, "invalid_cursor");
    }
    api.shutdown().await;
}

/// Page through while other clients keep inserting: every scan that existed when paging
/// started is seen exactly once, nothing twice, and order never goes backwards. Run in
/// memory and on a data dir (separate reader and writer connections, WAL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_while_inserting_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let durable = Config {
        rate_limits: RateLimits {
            scans_write: 100_000,
            read: 100_000,
            write: 100_000,
        },
        ..Config::with_data_dir(dir.path())
    };
    for api in [Api::memory().await, Api::start(durable).await] {
        paginate_during_inserts(&api).await;
        api.shutdown().await;
    }
}

async fn paginate_during_inserts(api: &Api) {
    let k = api.admin.clone();
    let mut before = HashSet::new();
    for i in 0..120 {
        let r = api
            .post(&k, "/v1/scans", &scan_body(&format!("p{i}")))
            .await;
        before.insert(r.ok()["id"].as_str().unwrap().to_owned());
    }
    let mut writers = Vec::new();
    for w in 0..3 {
        let (base, key) = (api.base.clone(), k.clone());
        writers.push(tokio::spawn(async move {
            let http = client();
            for i in 0..30 {
                let r = http
                    .post(format!("{base}/v1/scans"))
                    .bearer_auth(&key)
                    .json(&scan_body(&format!("c{w}-{i}")))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        }));
    }
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/scans?limit=7&cursor={c}"),
            None => "/v1/scans?limit=7".to_owned(),
        };
        let page = api.get(&k, &path).await;
        for s in page.ok()["data"].as_array().unwrap() {
            seen.push(s["id"].as_str().unwrap().to_owned());
        }
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for w in writers {
        w.await.unwrap();
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "duplicates in pagination");
    for id in &before {
        assert!(unique.contains(id), "missed {id}");
    }
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "order went backwards");
    // A second walk after the writers finished sees every scan exactly once.
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/scans?limit=100&cursor={c}"),
            None => "/v1/scans?limit=100".to_owned(),
        };
        let page = api.get(&k, &path).await;
        for s in page.ok()["data"].as_array().unwrap() {
            all.push(s["id"].as_str().unwrap().to_owned());
        }
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(all.len(), 120 + 90);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 210);
}

/// Two rotations at once both land: versions 2 and 3, no version lost or duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rotations_make_distinct_versions() {
    let api = Api::memory().await;
    let k = api.admin.clone();
    let key = api.post(&k, "/v1/keys", &json!({"name": "r"})).await;
    let id = key.ok()["id"].as_str().unwrap().to_owned();
    let rotate = |api: &Api| {
        let (base, k, id) = (api.base.clone(), k.clone(), id.clone());
        tokio::spawn(async move {
            let r = client()
                .post(format!("{base}/v1/keys/{id}/rotate"))
                .bearer_auth(&k)
                .send()
                .await
                .unwrap();
            reply(r).await
        })
    };
    let (a, b) = (rotate(&api), rotate(&api));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let mut versions = vec![
        a.ok()["version"].as_u64().unwrap(),
        b.ok()["version"].as_u64().unwrap(),
    ];
    versions.sort_unstable();
    assert_eq!(versions, [2, 3]);
    let got = api.get(&k, &format!("/v1/keys/{id}")).await;
    let listed: Vec<u64> = got.ok()["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, [1, 2, 3]);
    let audit = api.get(&k, "/v1/audit?eventType=key.rotate").await;
    assert_eq!(audit.ok()["data"].as_array().unwrap().len(), 2);
    api.shutdown().await;
}

// ---- keys, sign, verify ----------------------------------------------------------------------

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

#[tokio::test]
async fn hybrid_keys_lifecycle_and_rotation() {
    let api = Api::memory().await;
    let k = api.admin.clone();
    let created = api
        .post(&k, "/v1/keys", &json!({"name": "release-signing"}))
        .await;
    let key = created.ok().clone();
    let id = key["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("hk_"));
    assert_eq!(key["algorithm"], "mldsa65+ed25519");
    assert_eq!(key["backend"], "software");
    assert_eq!(key["pqReady"], true);
    assert_eq!(key["version"], 1);
    assert_eq!(key["versions"].as_array().unwrap().len(), 1);
    let pk = postq::hybrid::HybridPublicKey::from_json(key["publicKey"].as_str().unwrap()).unwrap();
    assert_eq!(pk.key_id(), id);
    assert_eq!(pk.fingerprint(), key["fingerprint"].as_str().unwrap());

    api.post(
        &k,
        "/v1/keys",
        &json!({"name": "x", "algorithm": "rsa-2048"}),
    )
    .await
    .assert_error(400, "validation_error");
    api.post(&k, "/v1/keys", &json!({"name": ""}))
        .await
        .assert_error(400, "validation_error");
    api.post(&k, "/v1/keys", &json!({}))
        .await
        .assert_error(400, "validation_error");

    // Public key export, JSON and JWK.
    let public = api.get(&k, &format!("/v1/keys/{id}/public")).await;
    assert_eq!(public.text, key["publicKey"].as_str().unwrap());
    let jwk = api
        .get(&k, &format!("/v1/keys/{id}/public?format=jwk"))
        .await;
    let from_jwk = postq::hybrid::HybridPublicKey::from_jwk(&jwk.text).unwrap();
    assert_eq!(from_jwk.fingerprint(), pk.fingerprint());
    api.get(&k, &format!("/v1/keys/{id}/public?format=pem"))
        .await
        .assert_error(400, "validation_error");
    api.get(&k, &format!("/v1/keys/{id}/public?version=9"))
        .await
        .assert_error(404, "not_found");

    // Sign with v1, rotate, sign with v2: both verify.
    let s1 = api
        .post(
            &k,
            "/v1/sign",
            &json!({"keyId": id, "payload": "ship it", "encoding": "utf8"}),
        )
        .await;
    assert_eq!(s1.ok()["keyVersion"], 1);
    let sig1 = s1.body["signature"].as_str().unwrap().to_owned();
    let rotated = api
        .send(
            Some(&k),
            Method::POST,
            &format!("/v1/keys/{id}/rotate"),
            None,
            &[],
        )
        .await;
    assert_eq!(rotated.ok()["version"], 2);
    assert_eq!(rotated.body["minVersion"], 1);
    assert_eq!(rotated.body["versions"].as_array().unwrap().len(), 2);
    assert!(rotated.body["rotatedAt"].is_string());
    assert_ne!(rotated.body["publicKey"], key["publicKey"]);
    let s2 = api
        .post(
            &k,
            "/v1/sign",
            &json!({"keyId": id, "payload": "ship it", "encoding": "utf8"}),
        )
        .await;
    assert_eq!(s2.ok()["keyVersion"], 2);
    let sig2 = s2.body["signature"].as_str().unwrap().to_owned();
    for sig in [&sig1, &sig2] {
        let v = api
            .post(
                &k,
                "/v1/verify",
                &json!({"keyId": id, "payload": "ship it", "encoding": "utf8", "signature": sig}),
            )
            .await;
        assert_eq!(v.ok()["ok"], true, "{}", v.text);
    }
    // Retire v1: its signatures stop verifying; v2's still do.
    let updated = api
        .patch(&k, &format!("/v1/keys/{id}"), &json!({"minVersion": 2}))
        .await;
    assert_eq!(updated.ok()["minVersion"], 2);
    let v1 = api
        .post(
            &k,
            "/v1/verify",
            &json!({"keyId": id, "payload": "ship it", "encoding": "utf8", "signature": sig1}),
        )
        .await;
    assert_eq!(v1.ok()["ok"], false);
    assert_eq!(v1.body["reason"], "key_version_retired");
    let v2 = api
        .post(
            &k,
            "/v1/verify",
            &json!({"keyId": id, "payload": "ship it", "encoding": "utf8", "signature": sig2}),
        )
        .await;
    assert_eq!(v2.ok()["ok"], true);
    api.patch(&k, &format!("/v1/keys/{id}"), &json!({"minVersion": 3}))
        .await
        .assert_error(400, "validation_error");
    api.patch(&k, &format!("/v1/keys/{id}"), &json!({"minVersion": 0}))
        .await
        .assert_error(400, "validation_error");
    // Rotate with minVersion retires in the same step.
    let r3 = api
        .post(
            &k,
            &format!("/v1/keys/{id}/rotate"),
            &json!({"minVersion": 3}),
        )
        .await;
    assert_eq!(r3.ok()["version"], 3);
    assert_eq!(r3.body["minVersion"], 3);
    api.post(
        &k,
        &format!("/v1/keys/{id}/rotate"),
        &json!({"minVersion": 9}),
    )
    .await
    .assert_error(400, "validation_error");

    // List: newest first, paginated, without versions.
    api.post(&k, "/v1/keys", &json!({"name": "second"}))
        .await
        .ok();
    let list = api.get(&k, "/v1/keys?limit=1").await;
    assert_eq!(list.ok()["data"][0]["name"], "second");
    assert!(list.body["data"][0].get("versions").is_none());
    let with = api.get(&k, "/v1/keys?limit=1&include=versions").await;
    assert_eq!(
        with.ok()["data"][0]["versions"].as_array().unwrap().len(),
        1
    );
    api.get(&k, "/v1/keys?include=bogus")
        .await
        .assert_error(400, "validation_error");
    let c = list.body["nextCursor"].as_str().unwrap().to_owned();
    let list2 = api.get(&k, &format!("/v1/keys?limit=1&cursor={c}")).await;
    assert_eq!(list2.ok()["data"][0]["id"], id.as_str());
    assert_eq!(list2.body["data"][0]["version"], 3);
    assert_eq!(list2.body["nextCursor"], Value::Null);
    api.get(&k, "/v1/keys/hk_01J00000000000000000000000")
        .await
        .assert_error(404, "not_found");
    api.shutdown().await;
}

#[tokio::test]
async fn sign_and_verify_with_audit_rows() {
    let api = Api::memory().await;
    let k = api.admin.clone();
    let key = api.post(&k, "/v1/keys", &json!({"name": "a"})).await;
    let id = key.ok()["id"].as_str().unwrap().to_owned();
    let public_json = key.body["publicKey"].as_str().unwrap().to_owned();
    let other = api.post(&k, "/v1/keys", &json!({"name": "b"})).await;
    let other_id = other.ok()["id"].as_str().unwrap().to_owned();

    let payload = b"release artifact \x00\xff bytes";
    let b64 = base64_std(payload);
    let s = api
        .post(&k, "/v1/sign", &json!({"keyId": id, "payload": b64}))
        .await;
    let signed = s.ok().clone();
    assert_eq!(signed["payloadSha256"], sha256_hex(payload));
    let signature = signed["signature"].as_str().unwrap().to_owned();
    // Offline verification with core, against the published key.
    let pk = postq::hybrid::HybridPublicKey::from_json(&public_json).unwrap();
    assert!(postq::hybrid::verify(&pk, payload, &signature).unwrap().ok);

    let verify = |body: Value| {
        let api = &api;
        let k = k.clone();
        async move { api.post(&k, "/v1/verify", &body).await }
    };
    let v = verify(json!({"keyId": id, "payload": b64, "signature": signature})).await;
    assert_eq!(
        v.ok(),
        &json!({"ok": true, "classicalOk": true, "pqOk": true, "keyId": id, "keyVersion": 1})
    );
    let v = verify(json!({"publicKey": public_json, "payload": b64, "signature": signature})).await;
    assert_eq!(v.ok()["ok"], true);
    let jwk = pk.to_jwk();
    let v = verify(json!({"publicKey": jwk, "payload": b64, "signature": signature})).await;
    assert_eq!(v.ok()["ok"], true);
    // Another payload: a clean "no".
    let v =
        verify(json!({"keyId": id, "payload": base64_std(b"tampered"), "signature": signature}))
            .await;
    assert_eq!(v.ok()["ok"], false);
    assert_eq!(v.body["classicalOk"], false);
    assert_eq!(v.body["pqOk"], false);

    verify(json!({"keyId": id, "payload": b64, "signature": "not-a-signature"}))
        .await
        .assert_error(400, "invalid_signature");
    verify(json!({"keyId": other_id, "payload": b64, "signature": signature}))
        .await
        .assert_error(400, "key_mismatch");
    verify(json!({"keyId": id, "publicKey": public_json, "payload": b64, "signature": signature}))
        .await
        .assert_error(400, "validation_error");
    verify(json!({"payload": b64, "signature": signature}))
        .await
        .assert_error(400, "validation_error");
    verify(json!({"publicKey": "{\"v\":9}", "payload": b64, "signature": signature}))
        .await
        .assert_error(400, "invalid_public_key");
    api.post(&k, "/v1/sign", &json!({"keyId": id, "payload": "%%%"}))
        .await
        .assert_error(400, "validation_error");
    api.post(
        &k,
        "/v1/sign",
        &json!({"keyId": "hk_01J00000000000000000000000", "payload": "aGk="}),
    )
    .await
    .assert_error(404, "not_found");

    // Audit: sign + 4 successful verifies; each stores only the payload's hash.
    let audit = api.get(&k, "/v1/audit?limit=100").await;
    let rows: Vec<LedgerEntry> = serde_json::from_value(audit.ok()["data"].clone()).unwrap();
    let types: Vec<&str> = rows.iter().map(|r| r.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "key.create",
            "key.create",
            "sign",
            "verify",
            "verify",
            "verify",
            "verify"
        ]
    );
    for r in rows
        .iter()
        .filter(|r| r.event_type == "sign" || r.event_type == "verify")
    {
        assert_eq!(r.details["payloadSha256"].len(), 64);
        assert!(!audit.text.contains(&b64));
        assert!(r.actor.starts_with("apikey:ak_"));
    }
    assert_eq!(rows[2].details["payloadSha256"], sha256_hex(payload));
    assert_eq!(rows[3].details["ok"], "true");
    assert_eq!(rows[6].details["ok"], "false");
    assert!(verify_chain(&rows).ok);
    api.shutdown().await;
}

fn base64_std(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

// ---- audit ---------------------------------------------------------------------------------------

#[tokio::test]
async fn audit_filters_and_cursor_paging_verify_offline() {
    let api = Api::memory().await;
    let k = api.admin.clone();
    let key = api.post(&k, "/v1/keys", &json!({"name": "a"})).await;
    let id = key.ok()["id"].as_str().unwrap().to_owned();
    let t0 = api.get(&k, "/v1/audit").await.ok()["data"][0]["occurredAt"]
        .as_str()
        .unwrap()
        .to_owned();
    for i in 0..4 {
        api.post(
            &k,
            "/v1/sign",
            &json!({"keyId": id, "payload": base64_std(&[i])}),
        )
        .await
        .ok();
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mid = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    api.send(
        Some(&k),
        Method::POST,
        &format!("/v1/keys/{id}/rotate"),
        None,
        &[],
    )
    .await
    .ok();

    // Page through everything two at a time; the concatenation verifies from genesis.
    let mut all: Vec<LedgerEntry> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/audit?limit=2&cursor={c}"),
            None => "/v1/audit?limit=2".into(),
        };
        let page = api.get(&k, &path).await;
        let rows: Vec<LedgerEntry> = serde_json::from_value(page.ok()["data"].clone()).unwrap();
        all.extend(rows);
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(all.len(), 6);
    assert_eq!(
        all.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    let report = verify_chain(&all);
    assert!(report.ok, "{report:?}");
    assert_eq!(report.links_checked, 6);

    let signs = api.get(&k, "/v1/audit?eventType=sign").await;
    let rows: Vec<LedgerEntry> = serde_json::from_value(signs.ok()["data"].clone()).unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.event_type == "sign"));
    assert!(verify_chain(&rows).ok);

    let late = api.get(&k, &format!("/v1/audit?since={mid}")).await;
    let rows: Vec<LedgerEntry> = serde_json::from_value(late.ok()["data"].clone()).unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.event_type.as_str())
            .collect::<Vec<_>>(),
        ["key.rotate"]
    );
    let early = api
        .get(&k, &format!("/v1/audit?until={mid}&since={t0}"))
        .await;
    assert_eq!(early.ok()["data"].as_array().unwrap().len(), 5);

    api.get(&k, "/v1/audit?since=yesterday")
        .await
        .assert_error(400, "validation_error");
    api.get(&k, "/v1/audit?cursor=zzz")
        .await
        .assert_error(400, "invalid_cursor");
    api.get(&k, "/v1/audit?bogus=1")
        .await
        .assert_error(400, "validation_error");
    api.shutdown().await;
}

// ---- idempotency ------------------------------------------------------------------------------------

#[tokio::test]
async fn idempotent_replay_and_conflict() {
    let api = Api::memory().await;
    let k = api.admin.clone();
    let body = scan_body("idem.example");
    let h = [("idempotency-key", "idem-1")];
    let first = api
        .send(Some(&k), Method::POST, "/v1/scans", Some(&body), &h)
        .await;
    let second = api
        .send(Some(&k), Method::POST, "/v1/scans", Some(&body), &h)
        .await;
    assert_eq!(first.ok(), second.ok());
    assert_eq!(
        second.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert!(first.header("idempotent-replayed").is_none());
    assert_eq!(
        api.get(&k, "/v1/scans").await.ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let other = scan_body("other.example");
    api.send(Some(&k), Method::POST, "/v1/scans", Some(&other), &h)
        .await
        .assert_error(409, "idempotency_key_reused");
    // Same key on another route is another request too.
    api.send(
        Some(&k),
        Method::POST,
        "/v1/keys",
        Some(&json!({"name": "x"})),
        &h,
    )
    .await
    .assert_error(409, "idempotency_key_reused");
    // Keys are per API key: another key may use the same string.
    let k2 = api.key("default", &["scans:write", "scans:read"]).await;
    let third = api
        .send(Some(&k2), Method::POST, "/v1/scans", Some(&body), &h)
        .await;
    assert_ne!(third.ok()["id"], first.body["id"]);

    // Signing replays too: one audit row for two calls.
    let key = api.post(&k, "/v1/keys", &json!({"name": "s"})).await;
    let id = key.ok()["id"].as_str().unwrap().to_owned();
    let sign = json!({"keyId": id, "payload": "aGk="});
    let h = [("idempotency-key", "sign-1")];
    let s1 = api
        .send(Some(&k), Method::POST, "/v1/sign", Some(&sign), &h)
        .await;
    let s2 = api
        .send(Some(&k), Method::POST, "/v1/sign", Some(&sign), &h)
        .await;
    assert_eq!(s1.ok()["signature"], s2.ok()["signature"]);
    let audit = api.get(&k, "/v1/audit?eventType=sign").await;
    assert_eq!(audit.ok()["data"].as_array().unwrap().len(), 1);
    // A validation failure is stored and replayed as such (no new attempt).
    let bad = json!({"keyId": id});
    let h = [("idempotency-key", "bad-1")];
    api.send(Some(&k), Method::POST, "/v1/sign", Some(&bad), &h)
        .await
        .assert_error(400, "validation_error");
    let again = api
        .send(Some(&k), Method::POST, "/v1/sign", Some(&bad), &h)
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let long = "k".repeat(300);
    api.send(
        Some(&k),
        Method::POST,
        "/v1/scans",
        Some(&body),
        &[("idempotency-key", &long)],
    )
    .await
    .assert_error(400, "invalid_idempotency_key");
    api.shutdown().await;
}

// ---- rate limits ---------------------------------------------------------------------------------

#[tokio::test]
async fn rate_limits_per_key_and_route_class() {
    let api = Api::start(Config {
        rate_limits: RateLimits {
            scans_write: 3,
            read: 5,
            write: 4,
        },
        ..Config::in_memory()
    })
    .await;
    let k = api.admin.clone();
    for i in 0..3 {
        let r = api.post(&k, "/v1/scans", &scan_body("r")).await;
        r.ok();
        assert_eq!(r.header("x-ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(r.header("x-ratelimit-remaining"), Some((2 - i).to_string()));
        let reset: u64 = r.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert!(reset >= now_unix());
    }
    let limited = api.post(&k, "/v1/scans", &scan_body("r")).await;
    limited.assert_error(429, "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    assert_eq!(
        limited.header("x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    // Reads are another class; another key has its own bucket.
    api.get(&k, "/v1/scans").await.ok();
    let k2 = api.key("default", &["scans:write"]).await;
    api.post(&k2, "/v1/scans", &scan_body("r")).await.ok();
    // The read class runs out at 5 (one used above).
    for _ in 0..4 {
        api.get(&k, "/v1/audit").await.ok();
    }
    api.get(&k, "/v1/scans")
        .await
        .assert_error(429, "rate_limited");
    // Only the limited key's scans were refused.
    assert_eq!(
        api.get(&api.key("default", &["scans:read"]).await, "/v1/scans")
            .await
            .ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    api.shutdown().await;
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---- body limit -------------------------------------------------------------------------------------

#[tokio::test]
async fn oversized_bodies_are_413() {
    let api = Api::start(Config {
        max_body_bytes: 2048,
        ..Config::in_memory()
    })
    .await;
    let k = api.admin.clone();
    let mut big = scan_body("big");
    big["metadata"] = json!({"blob": "x".repeat(100 * 1024)});
    api.post(&k, "/v1/scans", &big)
        .await
        .assert_error(413, "payload_too_large");
    // A streamed (chunked) body with no Content-Length is cut off at the limit too.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..64).map(|_| Ok(vec![b' '; 1024])).collect();
    let stream = futures_util::stream::iter(chunks);
    let r = client()
        .post(format!("{}/v1/scans", api.base))
        .bearer_auth(&k)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    reply(r).await.assert_error(413, "payload_too_large");
    // Under the limit is fine.
    api.post(&k, "/v1/scans", &scan_body("small")).await.ok();
    assert_eq!(
        api.get(&k, "/v1/scans").await.ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    api.shutdown().await;
}

// ---- faults -------------------------------------------------------------------------------------------

#[tokio::test]
async fn fault_injection_status_delay_and_drop_after_commit() {
    let api = Api::start(Config {
        faults: true,
        ..Config::in_memory()
    })
    .await;
    let k = api.admin.clone();
    let body = scan_body("fault.example");
    for (status, code) in [
        (500, "server_error"),
        (503, "server_error"),
        (429, "rate_limited"),
    ] {
        let v = format!("status={status}");
        let r = api
            .send(
                Some(&k),
                Method::POST,
                "/v1/scans",
                Some(&body),
                &[("x-postq-fault", &v)],
            )
            .await;
        r.assert_error(status, code);
        if status != 500 {
            assert_eq!(r.header("retry-after").as_deref(), Some("1"));
        }
    }
    assert_eq!(
        api.get(&k, "/v1/scans").await.ok()["data"],
        json!([]),
        "nothing written"
    );

    let t = Instant::now();
    api.send(
        Some(&k),
        Method::GET,
        "/v1/scans",
        None,
        &[("x-postq-fault", "delay=300")],
    )
    .await
    .ok();
    assert!(t.elapsed() >= Duration::from_millis(300));

    // Drop after commit: the client sees a transport error, the write happened, and a
    // retry with the same Idempotency-Key gets the stored response without a new row.
    let sent = client()
        .post(format!("{}/v1/scans", api.base))
        .bearer_auth(&k)
        .header("idempotency-key", "drop-1")
        .header("x-postq-fault", "drop")
        .json(&body)
        .send()
        .await;
    assert!(sent.is_err(), "connection should have been dropped");
    let retry = api
        .send(
            Some(&k),
            Method::POST,
            "/v1/scans",
            Some(&body),
            &[("idempotency-key", "drop-1")],
        )
        .await;
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    let list = api.get(&k, "/v1/scans").await;
    let data = list.ok()["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], retry.ok()["id"]);

    // A client that gives up mid-request (timeout) does not strand its key: the write
    // completes, and the retry replays it.
    let gave_up = client()
        .post(format!("{}/v1/scans", api.base))
        .bearer_auth(&k)
        .header("idempotency-key", "timeout-1")
        .header("x-postq-fault", "delay=400")
        .timeout(Duration::from_millis(100))
        .json(&body)
        .send()
        .await;
    assert!(gave_up.is_err());
    tokio::time::sleep(Duration::from_millis(600)).await;
    let retried = api
        .send(
            Some(&k),
            Method::POST,
            "/v1/scans",
            Some(&body),
            &[("idempotency-key", "timeout-1")],
        )
        .await;
    retried.ok();
    assert_eq!(
        retried.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(
        api.get(&k, "/v1/scans").await.ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // While a request holds an Idempotency-Key, a second one with the same key is a 409.
    let slow = {
        let (base, k, body) = (api.base.clone(), k.clone(), body.clone());
        tokio::spawn(async move {
            let r = client()
                .post(format!("{base}/v1/scans"))
                .bearer_auth(&k)
                .header("idempotency-key", "slow-1")
                .header("x-postq-fault", "delay=600")
                .json(&body)
                .send()
                .await
                .unwrap();
            reply(r).await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    api.send(
        Some(&k),
        Method::POST,
        "/v1/scans",
        Some(&body),
        &[("idempotency-key", "slow-1")],
    )
    .await
    .assert_error(409, "idempotency_in_progress");
    let first = slow.await.unwrap();
    first.ok();
    let replay = api
        .send(
            Some(&k),
            Method::POST,
            "/v1/scans",
            Some(&body),
            &[("idempotency-key", "slow-1")],
        )
        .await;
    assert_eq!(replay.ok()["id"], first.body["id"]);
    api.send(
        Some(&k),
        Method::GET,
        "/v1/scans",
        None,
        &[("x-postq-fault", "explode")],
    )
    .await
    .assert_error(400, "invalid_fault");
    api.shutdown().await;

    // Without --faults the header does nothing.
    let plain = Api::memory().await;
    plain
        .send(
            Some(&plain.admin),
            Method::GET,
            "/v1/scans",
            None,
            &[("x-postq-fault", "status=500")],
        )
        .await
        .ok();
    plain.shutdown().await;
}

// ---- durability, KEK, tampering -----------------------------------------------------------------------

#[tokio::test]
async fn data_survives_restart_and_kek_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(Config::with_data_dir(dir.path())).await;
    let admin = api.admin.clone();
    assert!(admin.starts_with("pq_live_"));
    let scan = api
        .post(&admin, "/v1/scans", &scan_body("durable.example"))
        .await;
    let scan_id = scan.ok()["id"].as_str().unwrap().to_owned();
    let key = api.post(&admin, "/v1/keys", &json!({"name": "d"})).await;
    let key_id = key.ok()["id"].as_str().unwrap().to_owned();
    let public = key.body["publicKey"].as_str().unwrap().to_owned();
    api.post(
        &admin,
        "/v1/sign",
        &json!({"keyId": key_id, "payload": "aGk="}),
    )
    .await
    .ok();
    api.shutdown().await;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("kek.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The private key is not in the database file in the clear: the file holds only the
    // sealed form (checked by opening it with the KEK below) — and the API key only hashed.
    let db = std::fs::read(dir.path().join("postq.db")).unwrap();
    assert!(!contains(&db, admin.as_bytes()));

    let api = Api::start(Config::with_data_dir(dir.path())).await;
    assert!(api.running.bootstrap_key.is_none(), "bootstrap only once");
    let got = api.get(&admin, &format!("/v1/scans/{scan_id}")).await;
    assert_eq!(got.ok()["target"], "durable.example");
    let s = api
        .post(
            &admin,
            "/v1/sign",
            &json!({"keyId": key_id, "payload": "aGk="}),
        )
        .await;
    let sig = s.ok()["signature"].as_str().unwrap();
    let pk = postq::hybrid::HybridPublicKey::from_json(&public).unwrap();
    assert!(postq::hybrid::verify(&pk, b"hi", sig).unwrap().ok);
    let audit = api.get(&admin, "/v1/audit").await;
    let rows: Vec<LedgerEntry> = serde_json::from_value(audit.ok()["data"].clone()).unwrap();
    assert_eq!(rows.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(verify_chain(&rows).ok);
    // New ids still sort after the old ones.
    let newer = api.post(&admin, "/v1/scans", &scan_body("later")).await;
    assert!(newer.ok()["id"].as_str().unwrap() > scan_id.as_str());
    api.shutdown().await;

    // A different KEK refuses to start rather than failing at the first signature.
    let err = postq_server::spawn(Config {
        kek: Some("11".repeat(32)),
        ..Config::with_data_dir(dir.path())
    })
    .await
    .unwrap_err();
    assert!(
        matches!(err, postq_server::StartError::KekMismatch),
        "{err}"
    );
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn open_db(dir: &std::path::Path) -> sqlx::SqlitePool {
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("postq.db")))
        .await
        .unwrap()
}

#[tokio::test]
async fn ledger_tampering_is_detected_offline() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(Config::with_data_dir(dir.path())).await;
    let admin = api.admin.clone();
    let key = api.post(&admin, "/v1/keys", &json!({"name": "t"})).await;
    let id = key.ok()["id"].as_str().unwrap().to_owned();
    for p in ["YQ==", "Yg==", "Yw=="] {
        api.post(&admin, "/v1/sign", &json!({"keyId": id, "payload": p}))
            .await
            .ok();
    }
    let rows: Vec<LedgerEntry> =
        serde_json::from_value(api.get(&admin, "/v1/audit").await.ok()["data"].clone()).unwrap();
    assert!(verify_chain(&rows).ok);
    api.shutdown().await;

    // Rewrite history directly in SQLite: claim row 3 signed another payload.
    let pool = open_db(dir.path()).await;
    let forged = format!(
        "{{\"keyVersion\":\"1\",\"payloadSha256\":\"{}\"}}",
        "ab".repeat(32)
    );
    let n = sqlx::query("UPDATE ledger SET details = ? WHERE seq = 3")
        .bind(forged)
        .execute(&pool)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 1);
    pool.close().await;

    let api = Api::start(Config::with_data_dir(dir.path())).await;
    let rows: Vec<LedgerEntry> =
        serde_json::from_value(api.get(&admin, "/v1/audit").await.ok()["data"].clone()).unwrap();
    let report = verify_chain(&rows);
    assert!(!report.ok);
    assert_eq!(report.failed_seq, Some(3));
    assert_eq!(report.reason, Some(ChainFailure::HashMismatch));
    api.shutdown().await;

    // Recomputing the forged row's hash does not help: the next row's link breaks.
    let pool = open_db(dir.path()).await;
    let mut row3 = rows[2].clone();
    row3.hash = row3.compute_hash();
    sqlx::query("UPDATE ledger SET hash = ? WHERE seq = 3")
        .bind(&row3.hash)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let api = Api::start(Config::with_data_dir(dir.path())).await;
    let rows: Vec<LedgerEntry> =
        serde_json::from_value(api.get(&admin, "/v1/audit").await.ok()["data"].clone()).unwrap();
    let report = verify_chain(&rows);
    assert_eq!(report.failed_seq, Some(4));
    assert_eq!(report.reason, Some(ChainFailure::BrokenLink));
    api.shutdown().await;
}

/// A real 5xx: a sealed private key that no longer opens (corrupted at rest) is a 500
/// with the envelope, not a panic or a leak.
#[tokio::test]
async fn corrupted_sealed_key_is_a_500() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(Config::with_data_dir(dir.path())).await;
    let admin = api.admin.clone();
    let key = api.post(&admin, "/v1/keys", &json!({"name": "c"})).await;
    let id = key.ok()["id"].as_str().unwrap().to_owned();
    api.shutdown().await;
    let pool = open_db(dir.path()).await;
    sqlx::query("UPDATE hybrid_key_versions SET sealed_private = zeroblob(93)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let api = Api::start(Config::with_data_dir(dir.path())).await;
    let r = api
        .post(&admin, "/v1/sign", &json!({"keyId": id, "payload": "aGk="}))
        .await;
    r.assert_error(500, "internal_error");
    assert!(!r.text.contains("seed") && !r.text.contains("sealed"));
    api.shutdown().await;
}

// ---- logs ------------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Everything the server logs at every level, while it handles keys, payloads and
/// signatures, contains none of them.
#[tokio::test]
async fn logs_never_contain_keys_or_payloads() {
    // tracing caches each callsite's interest process-wide, computed on the thread that
    // first reaches it: a sibling test's thread without a subscriber would cache "never"
    // and this capture would miss the event. A do-nothing global subscriber gives every
    // thread one, so the cache can only say "yes".
    static BASELINE: std::sync::Once = std::sync::Once::new();
    BASELINE.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
    });
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    // #[tokio::test] runs on one thread, so the server's tasks log through this.
    let _guard = tracing::subscriber::set_default(subscriber);
    let api = Api::start(Config {
        faults: true,
        ..Config::in_memory()
    })
    .await;
    let k = api.admin.clone();
    let payload = "top-secret-payload-7f3a";
    let key = api.post(&k, "/v1/keys", &json!({"name": "logged"})).await;
    let id = key.ok()["id"].as_str().unwrap().to_owned();
    let s = api
        .post(
            &k,
            "/v1/sign",
            &json!({"keyId": id, "payload": payload, "encoding": "utf8"}),
        )
        .await;
    let signature = s.ok()["signature"].as_str().unwrap().to_owned();
    api.post(
        &k,
        "/v1/verify",
        &json!({"keyId": id, "payload": payload, "encoding": "utf8", "signature": signature}),
    )
    .await
    .ok();
    let wrong = "pq_live_0123456789abcdef0123456789abcdef0123456789abcdef";
    api.get(wrong, "/v1/scans")
        .await
        .assert_error(401, "unauthorized");
    api.send(
        Some(&k),
        Method::POST,
        "/v1/scans",
        Some(&scan_body("secret-target.example")),
        &[("x-postq-fault", "status=503")],
    )
    .await
    .assert_error(503, "server_error");
    api.shutdown().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("request done"), "logs were captured");
    assert!(logs.contains(&id), "resource ids are fine to log");
    for secret in [
        k.as_str(),
        wrong,
        payload,
        &base64_std(payload.as_bytes()),
        &signature[..64],
        "secret-target.example",
    ] {
        assert!(!logs.contains(secret), "log leaked {secret}");
    }
}
