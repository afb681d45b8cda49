//! The Rust client (crate `postq`) against the real reference server, in-process on
//! 127.0.0.1:0: every call, error mapping from real responses, and fault injection.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

use std::time::Duration;

use futures_util::TryStreamExt as _;
use postq::api::{
    AuditQuery, CreateKeyRequest, CreateScanRequest, FindingInput, ListQuery, RiskLevel,
    RotateKeyRequest, Severity,
};
use postq::ledger::EventType;
use postq::{Client, ClientConfig, RequestOptions};

struct Harness {
    server: postq_server::Running,
    admin: Client,
}

async fn start(faults: bool) -> Harness {
    let mut config = postq_server::Config::in_memory();
    config.faults = faults;
    let server = postq_server::spawn(config).await.unwrap();
    let key = server.create_api_key("acme", &["all"]).await.unwrap().key;
    let admin = client(&server, &key);
    Harness { server, admin }
}

fn client(server: &postq_server::Running, key: &str) -> Client {
    let mut config = ClientConfig::new(key).base_url(server.base_url());
    config.initial_backoff = Duration::from_millis(20);
    Client::new(config).unwrap()
}

fn fault(value: &str) -> RequestOptions {
    RequestOptions {
        headers: vec![("X-PostQ-Fault".into(), value.into())],
        ..Default::default()
    }
}

fn scan(target: &str) -> CreateScanRequest {
    let mut s = CreateScanRequest::new("url", target, 85.0, RiskLevel::High);
    let mut finding = FindingInput::new(Severity::High, "RSA-2048 public key");
    finding.evidence = Some("cert.pem".into());
    s.findings = vec![finding];
    s
}

#[tokio::test]
async fn scans_submit_list_all_and_get() {
    let h = start(false).await;
    let first = h.admin.scans().submit(&scan("a.example")).await.unwrap();
    assert!(first.id.starts_with("scan_") && first.url.ends_with(&first.id));
    assert_eq!(first.findings.len(), 1);
    assert_eq!(first.source.as_deref(), Some("sdk"));
    for i in 0..6 {
        h.admin
            .scans()
            .submit(&scan(&format!("{i}.example")))
            .await
            .unwrap();
    }
    let page = h
        .admin
        .scans()
        .list(&ListQuery {
            limit: Some(3),
            cursor: None,
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.data.len(), 3);
    assert!(page.next_cursor.is_some());
    let all: Vec<_> = h
        .admin
        .scans()
        .list_all(ListQuery::limit(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(all.last().unwrap().id, first.id, "newest first");
    let got = h.admin.scans().get(&first.id).await.unwrap();
    assert_eq!(got.findings[0].evidence.as_deref(), Some("cert.pem"));
    assert!(got.findings[0].id.starts_with("fnd_"));
}

#[tokio::test]
async fn keys_sign_verify_online_offline_and_rotate() {
    let h = start(false).await;
    let key = h
        .admin
        .hybrid_keys()
        .create(&CreateKeyRequest::named("release-signing"))
        .await
        .unwrap();
    assert_eq!(
        (key.algorithm.as_str(), key.version, key.pq_ready),
        ("mldsa65+ed25519", 1, true)
    );
    let signed = h.admin.sign(&key.id, b"ship it").await.unwrap();
    assert_eq!(signed.key_version, 1);
    let online = h
        .admin
        .verify_with_key(&key.id, b"ship it", &signed.signature)
        .await
        .unwrap();
    assert!(online.ok && online.classical_ok && online.pq_ok);
    let wrong = h
        .admin
        .verify_with_key(&key.id, b"ship it!", &signed.signature)
        .await
        .unwrap();
    assert!(!wrong.ok && !wrong.classical_ok && !wrong.pq_ok);
    let by_public = h
        .admin
        .verify_with_public_key(&key.public_key, b"ship it", &signed.signature)
        .await
        .unwrap();
    assert!(by_public.ok);
    assert!(
        Client::verify_offline(&key.public_key, b"ship it", &signed.signature)
            .unwrap()
            .ok
    );
    let fetched = h
        .admin
        .hybrid_keys()
        .public_key(&key.id, None)
        .await
        .unwrap();
    assert_eq!(fetched.to_json(), key.public_key);
    let jwk = fetched.to_jwk();
    assert!(
        Client::verify_offline(&jwk, b"ship it", &signed.signature)
            .unwrap()
            .ok
    );

    let rotated = h
        .admin
        .hybrid_keys()
        .rotate(&key.id, &RotateKeyRequest::default())
        .await
        .unwrap();
    assert_eq!(rotated.version, 2);
    assert!(
        h.admin
            .verify_with_key(&key.id, b"ship it", &signed.signature)
            .await
            .unwrap()
            .ok,
        "v1 still verifies"
    );
    let v2 = h.admin.sign(&key.id, b"ship it").await.unwrap();
    assert_eq!(v2.key_version, 2);
    let retired = h
        .admin
        .hybrid_keys()
        .rotate(
            &key.id,
            &RotateKeyRequest {
                min_version: Some(3),
            },
        )
        .await
        .unwrap();
    assert_eq!(retired.min_version, 3);
    let old = h
        .admin
        .verify_with_key(&key.id, b"ship it", &signed.signature)
        .await
        .unwrap();
    assert!(!old.ok, "versions below minVersion no longer verify");
    let listed: Vec<_> = h
        .admin
        .hybrid_keys()
        .list_all(ListQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        h.admin
            .hybrid_keys()
            .get(&key.id)
            .await
            .unwrap()
            .versions
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn audit_rows_verify_offline_and_hold_only_payload_hashes() {
    let h = start(false).await;
    let key = h
        .admin
        .hybrid_keys()
        .create(&CreateKeyRequest::named("k"))
        .await
        .unwrap();
    let signed = h.admin.sign(&key.id, b"secret payload").await.unwrap();
    h.admin
        .verify_with_key(&key.id, b"secret payload", &signed.signature)
        .await
        .unwrap();
    let report = h
        .admin
        .audit()
        .verify_chain(AuditQuery::default())
        .await
        .unwrap();
    assert!(report.ok && report.rows >= 3, "{report:?}");
    let signs = h
        .admin
        .audit()
        .list(&AuditQuery {
            event_type: Some(EventType::Sign),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(signs.data.len(), 1);
    let row = serde_json::to_string(&signs.data[0]).unwrap();
    assert!(row.contains(&signed.payload_sha256) && !row.contains("secret payload"));
    let filtered = h
        .admin
        .audit()
        .verify_chain(AuditQuery {
            event_type: Some(EventType::Sign),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(filtered.ok);
}

#[tokio::test]
async fn real_error_responses_map_to_typed_errors() {
    let h = start(false).await;
    assert_eq!(h.admin.health().await.unwrap().status, "ok");
    let err = h
        .admin
        .scans()
        .get("scan_01NOTTHERE000000000000000")
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(404), "not_found"));
    assert!(err.request_id().is_some_and(|id| id.starts_with("req_")));

    let bad = client(&h.server, "pq_live_not_a_real_key");
    let err = bad.scans().list(&ListQuery::default()).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(401), "unauthorized"));

    let reader = h.server.create_api_key("acme", &[]).await.unwrap().key;
    let reader = client(&h.server, &reader);
    let err = reader.scans().submit(&scan("x.example")).await.unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), "insufficient_scope")
    );

    let other_org = h
        .server
        .create_api_key("globex", &["all"])
        .await
        .unwrap()
        .key;
    let mine = h.admin.scans().submit(&scan("mine.example")).await.unwrap();
    let err = client(&h.server, &other_org)
        .scans()
        .get(&mine.id)
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(404),
        "another organisation's scan does not exist for you"
    );

    let err = h
        .admin
        .scans()
        .list(&ListQuery {
            limit: Some(10),
            cursor: Some("garbage".into()),
            ..ListQuery::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));

    let key = h
        .admin
        .hybrid_keys()
        .create(&CreateKeyRequest::named("k"))
        .await
        .unwrap();
    let other = h
        .admin
        .hybrid_keys()
        .create(&CreateKeyRequest::named("k2"))
        .await
        .unwrap();
    let sig = h.admin.sign(&key.id, b"p").await.unwrap().signature;
    let err = h
        .admin
        .verify_with_key(&other.id, b"p", &sig)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "key_mismatch");
}

#[tokio::test]
async fn injected_faults_are_retried_or_reported() {
    let h = start(true).await;
    // Every attempt fails: three attempts, then the last error.
    let err = h
        .admin
        .with_options(fault("status=503"))
        .scans()
        .list(&ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(503), "server_error"));
    let err = h
        .admin
        .with_options(RequestOptions {
            max_retries: Some(0),
            ..fault("status=429")
        })
        .health()
        .await;
    // /health is outside the fault layer or not: either way no panic and a typed answer.
    let _ = err;
    let err = h
        .admin
        .with_options(RequestOptions {
            max_retries: Some(0),
            ..fault("status=429")
        })
        .scans()
        .list(&ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
    // A slow server under a short whole-call timeout is a timeout error.
    let slow = RequestOptions {
        timeout: Some(Duration::from_millis(200)),
        max_retries: Some(0),
        ..fault("delay=2000")
    };
    let err = h
        .admin
        .with_options(slow)
        .scans()
        .list(&ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "timeout");
    // A dropped connection on every attempt is a connection error after retries, and
    // each attempt reused one idempotency key, so exactly one scan was written.
    let before = h
        .admin
        .scans()
        .list(&ListQuery {
            limit: Some(100),
            cursor: None,
            ..ListQuery::default()
        })
        .await
        .unwrap()
        .data
        .len();
    let err = h
        .admin
        .with_options(fault("drop"))
        .scans()
        .submit(&scan("drop.example"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "connection_error", "{err}");
    let after = h
        .admin
        .scans()
        .list(&ListQuery {
            limit: Some(100),
            cursor: None,
            ..ListQuery::default()
        })
        .await
        .unwrap()
        .data
        .len();
    assert_eq!(after, before + 1, "three attempts, one committed scan");
}

#[tokio::test]
async fn idempotent_replay_with_an_explicit_key() {
    let h = start(false).await;
    let opts = RequestOptions {
        idempotency_key: Some("ci-run-42".into()),
        ..Default::default()
    };
    let a = h
        .admin
        .with_options(opts.clone())
        .scans()
        .submit(&scan("same.example"))
        .await
        .unwrap();
    let b = h
        .admin
        .with_options(opts.clone())
        .scans()
        .submit(&scan("same.example"))
        .await
        .unwrap();
    assert_eq!(a.id, b.id, "replayed, not created twice");
    let err = h
        .admin
        .with_options(opts)
        .scans()
        .submit(&scan("different.example"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(409), "idempotency_key_reused")
    );
}

#[tokio::test]
async fn keys_update_include_and_owned_streams() {
    let h = start(false).await;
    let key = h
        .admin
        .hybrid_keys()
        .create(&CreateKeyRequest::named("policy"))
        .await
        .unwrap();
    for _ in 0..2 {
        h.admin
            .hybrid_keys()
            .rotate(&key.id, &RotateKeyRequest::default())
            .await
            .unwrap();
    }
    let updated = h
        .admin
        .hybrid_keys()
        .update(&key.id, &postq::api::UpdateKeyRequest { min_version: 2 })
        .await
        .unwrap();
    assert_eq!((updated.version, updated.min_version), (3, 2));
    let err = h
        .admin
        .hybrid_keys()
        .update(&key.id, &postq::api::UpdateKeyRequest { min_version: 9 })
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), "validation_error"));

    // `include=versions` hydrates every version in a list; without it there are none.
    let with = ListQuery {
        include: vec![postq::api::Include::Versions],
        ..ListQuery::default()
    };
    let page = h.admin.hybrid_keys().list(&with).await.unwrap();
    assert_eq!(page.data[0].versions.as_ref().map(Vec::len), Some(3));
    let page = h
        .admin
        .hybrid_keys()
        .list(&ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.data[0].versions, None);
    // An include the list does not support is refused locally.
    let bad = ListQuery {
        include: vec![postq::api::Include::Findings],
        ..ListQuery::default()
    };
    assert_eq!(
        h.admin.hybrid_keys().list(&bad).await.unwrap_err().code(),
        "invalid_input"
    );

    h.admin.scans().submit(&scan("a.example")).await.unwrap();
    let findings = ListQuery {
        include: vec![postq::api::Include::Findings, postq::api::Include::Metadata],
        ..ListQuery::default()
    };
    let page = h.admin.scans().list(&findings).await.unwrap();
    let listed = page.data[0].findings.as_ref().unwrap();
    assert_eq!(listed[0].title, "RSA-2048 public key");
    assert!(page.data[0].metadata.is_some());

    // A list stream owns its client handle: it outlives the resource and the client
    // it came from, and can move to another task.
    let stream = {
        let client = h.admin.clone();
        client.scans().list_all(ListQuery::limit(1))
    };
    let all: Vec<_> = tokio::spawn(async move { stream.try_collect::<Vec<_>>().await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(all.len(), 1);
    drop(h.server);
}
