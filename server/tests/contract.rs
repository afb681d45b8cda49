//! The server keeps its contract with core: finding codes and rollover eligibility by
//! code, stored values read into core's enums (an unknown one is a 500, never a silent
//! default), the scope checked before any body, path ids that do not decode, and the
//! database files readable by the owner only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{Api, Reply, client, reply};
use postq::ledger::LedgerEntry;
use postq_server::{Config, RateLimits};
use reqwest::Method;
use serde_json::{Value, json};

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

async fn open_db(dir: &Path) -> sqlx::SqlitePool {
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

async fn exec(dir: &Path, sql: &str) {
    let db = open_db(dir).await;
    sqlx::query(sql).execute(&db).await.unwrap();
    db.close().await;
}

fn finding(severity: &str, title: &str, code: Option<&str>) -> Value {
    let mut f = json!({"severity": severity, "title": title});
    if let Some(code) = code {
        f["code"] = json!(code);
    }
    f
}

async fn cloud_scan(api: &Api, key: &str, findings: Vec<Value>) -> Value {
    api.post(
        key,
        "/v1/scans",
        &json!({"type": "cloud", "target": "azure:contoso", "riskScore": 70,
                "riskLevel": "High", "findings": findings}),
    )
    .await
    .ok()
    .clone()
}

async fn rollover_for(api: &Api, key: &str, finding_id: &str) -> Reply {
    api.post(
        key,
        "/v1/mitigations/tls-rollover",
        &json!({"findingId": finding_id, "hostname": "app.contoso.example"}),
    )
    .await
}

/// Findings carry a machine-readable `code`: as sent, or from a title that holds a
/// rollover code as a whole token (clients that predate codes); rollover eligibility
/// is decided by the code alone.
#[tokio::test]
async fn finding_codes_are_stored_returned_and_decide_rollover_eligibility() {
    let api = Api::start(relaxed(Config::in_memory())).await;
    let k = api.admin.clone();
    let scan = cloud_scan(
        &api,
        &k,
        vec![
            finding("high", "ML-KEM missing", Some("PQ-KEX-MISSING")),
            finding("high", "App Service allows TLS-1.0-MIN", None),
            finding("medium", "XTLS-1.0-MINX", None),
            finding("medium", "weak minimum TLS version", Some("TLS-1.1-MIN")),
            finding("low", "TLS-1.0-MIN in the title", Some("SOMETHING-ELSE")),
            finding("low", "https-not-enforced.", None),
        ],
    )
    .await;
    let codes: Vec<&Value> = scan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["code"])
        .collect();
    assert_eq!(
        codes,
        [
            &json!("PQ-KEX-MISSING"),
            &json!("TLS-1.0-MIN"),
            &Value::Null,
            &json!("TLS-1.1-MIN"),
            &json!("SOMETHING-ELSE"),
            &json!("HTTPS-NOT-ENFORCED"),
        ]
    );
    let id = scan["id"].as_str().unwrap();
    let got = api.get(&k, &format!("/v1/scans/{id}")).await;
    assert_eq!(got.ok()["findings"], scan["findings"]);
    let listed = api.get(&k, "/v1/scans?include=findings").await;
    assert_eq!(listed.ok()["data"][0]["findings"], scan["findings"]);

    let fid = |i: usize| scan["findings"][i]["id"].as_str().unwrap().to_owned();
    for eligible in [1, 3, 5] {
        rollover_for(&api, &k, &fid(eligible)).await.ok();
    }
    for not_eligible in [0, 2, 4] {
        rollover_for(&api, &k, &fid(not_eligible))
            .await
            .assert_error(400, "finding_not_eligible");
    }

    let bad = api
        .post(
            &k,
            "/v1/scans",
            &json!({"type": "cloud", "target": "t", "riskScore": 1, "riskLevel": "Low",
                    "findings": [finding("low", "t", None), finding("low", "t", Some("has space"))]}),
        )
        .await;
    bad.assert_error(400, "validation_error");
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("findings[1].code"),
        "{}",
        bad.text
    );
    api.shutdown().await;
}

/// Findings stored before codes existed get their codes from their titles once, at the
/// next start, by the same rule as at submit time.
#[tokio::test]
async fn stored_findings_are_back_filled_with_codes() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(relaxed(Config::with_data_dir(dir.path()))).await;
    let k = api.admin.clone();
    let scan = cloud_scan(
        &api,
        &k,
        vec![
            finding("high", "App Service allows TLS-1.1-MIN", None),
            finding("low", "XTLS-1.0-MINX", None),
        ],
    )
    .await;
    api.shutdown().await;
    // As a database written before migration 0003's back-fill ran.
    exec(dir.path(), "UPDATE findings SET code = NULL").await;
    exec(
        dir.path(),
        "DELETE FROM meta WHERE key = 'finding_codes_backfilled'",
    )
    .await;

    let api = Api::start(relaxed(Config::with_data_dir(dir.path()))).await;
    let id = scan["id"].as_str().unwrap();
    let got = api.get(&k, &format!("/v1/scans/{id}")).await;
    assert_eq!(got.ok()["findings"][0]["code"], "TLS-1.1-MIN");
    assert_eq!(got.body["findings"][1]["code"], Value::Null);
    let fid = got.body["findings"][0]["id"].as_str().unwrap().to_owned();
    rollover_for(&api, &k, &fid).await.ok();
    api.shutdown().await;
}

/// A stored risk level, severity or rollover status the server does not know is a 500
/// (the log names the row), never read as some default.
#[tokio::test]
async fn unknown_stored_enum_values_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(relaxed(Config::with_data_dir(dir.path()))).await;
    let k = api.admin.clone();
    let scan = cloud_scan(&api, &k, vec![finding("high", "TLS-1.0-MIN", None)]).await;
    let plain = cloud_scan(&api, &k, vec![finding("low", "fine", None)]).await;
    let fid = scan["findings"][0]["id"].as_str().unwrap().to_owned();
    let rollover = rollover_for(&api, &k, &fid).await.ok().clone();
    api.shutdown().await;
    let (sid, pid, rid) = (
        scan["id"].as_str().unwrap(),
        plain["id"].as_str().unwrap(),
        rollover["id"].as_str().unwrap(),
    );
    exec(
        dir.path(),
        &format!("UPDATE scans SET risk_level = 'Extreme' WHERE id = '{sid}'"),
    )
    .await;
    exec(
        dir.path(),
        &format!("UPDATE findings SET severity = 'severe' WHERE scan_id = '{pid}'"),
    )
    .await;
    exec(
        dir.path(),
        &format!("UPDATE tls_rollovers SET status = 'paused' WHERE id = '{rid}'"),
    )
    .await;

    let api = Api::start(relaxed(Config::with_data_dir(dir.path()))).await;
    for path in [
        format!("/v1/scans/{sid}"),
        "/v1/scans".to_owned(),
        format!("/v1/scans/{pid}"),
        format!("/v1/mitigations/tls-rollover/{rid}"),
        "/v1/mitigations/tls-rollover".to_owned(),
    ] {
        let r = api.get(&k, &path).await;
        r.assert_error(500, "internal_error");
        assert!(!r.text.contains("Extreme") && !r.text.contains("paused"));
    }
    api.post(
        &k,
        &format!("/v1/mitigations/tls-rollover/{rid}/rollback"),
        &json!({}),
    )
    .await
    .assert_error(500, "internal_error");
    api.shutdown().await;
}

/// Every write refuses a key without its scope with 403 `insufficient_scope` before it
/// looks at the body: a malformed body teaches such a key nothing.
#[tokio::test]
async fn the_scope_is_checked_before_the_body_on_every_write() {
    let api = Api::start(relaxed(Config::in_memory())).await;
    let admin = api.admin.clone();
    let key = api.post(&admin, "/v1/keys", &json!({"name": "k"})).await;
    let key_id = key.ok()["id"].as_str().unwrap().to_owned();
    let scan = cloud_scan(&api, &admin, vec![finding("high", "TLS-1.0-MIN", None)]).await;
    let fid = scan["findings"][0]["id"].as_str().unwrap().to_owned();
    let rollover = rollover_for(&api, &admin, &fid).await;
    let rid = rollover.ok()["id"].as_str().unwrap().to_owned();

    let writes: Vec<(Method, String, &[&str])> = vec![
        (Method::POST, "/v1/scans".into(), &["scans:write"]),
        (Method::POST, "/v1/sign".into(), &["sign:write"]),
        (Method::POST, "/v1/verify".into(), &["sign:read"]),
        (Method::POST, "/v1/keys".into(), &["keys:write"]),
        (
            Method::POST,
            format!("/v1/keys/{key_id}/rotate"),
            &["keys:write"],
        ),
        (Method::PATCH, format!("/v1/keys/{key_id}"), &["keys:write"]),
        (
            Method::POST,
            "/v1/mitigations/tls-rollover".into(),
            &["sign:write", "rollover:write"],
        ),
        (
            Method::POST,
            format!("/v1/mitigations/tls-rollover/{rid}/transition"),
            &["sign:write", "rollover:write"],
        ),
        (
            Method::POST,
            format!("/v1/mitigations/tls-rollover/{rid}/rollback"),
            &["sign:write", "rollover:write"],
        ),
    ];
    let every: Vec<&str> = postq_server::Scope::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    for (method, path, scopes) in &writes {
        let others: Vec<&str> = every
            .iter()
            .copied()
            .filter(|s| !scopes.contains(s))
            .collect();
        let without = api.key("default", &others).await;
        let with = api.key("default", &scopes[..1]).await;
        for body in ["{", "[1,2]", r#"{"unknownField": true}"#] {
            let send = |key: String| {
                let req = client()
                    .request(method.clone(), format!("{}{path}", api.base))
                    .bearer_auth(key)
                    .header("content-type", "application/json")
                    .body(body);
                async move { reply(req.send().await.unwrap()).await }
            };
            send(without.clone())
                .await
                .assert_error(403, "insufficient_scope");
            // The same body with the scope is refused for what it is.
            send(with.clone())
                .await
                .assert_error(400, "validation_error");
        }
    }
    api.shutdown().await;
}

/// A path id that is not UTF-8 (`%FF`) is answered in the error envelope; on the vault's
/// routes it is the uniform 403 with its `vault.denied` ledger row.
#[tokio::test]
async fn path_ids_that_do_not_decode_get_the_envelope() {
    let api = Api::start(relaxed(Config::in_memory())).await;
    let k = api.admin.clone();
    for (method, path) in [
        (Method::GET, "/v1/scans/%FF"),
        (Method::GET, "/v1/keys/%FF%FE"),
        (Method::GET, "/v1/keys/%FF/public"),
        (Method::POST, "/v1/keys/%FF/rotate"),
        (Method::GET, "/v1/mitigations/tls-rollover/%C3%28"),
        (
            Method::GET,
            "/v1/mitigations/tls-rollover/%FF/download?artifact=cert.pem",
        ),
    ] {
        api.send(Some(&k), method, path, None, &[])
            .await
            .assert_error(400, "validation_error");
    }
    let vault = [
        (Method::GET, "/v1/vault/credentials/%FF", "unseal"),
        (Method::POST, "/v1/vault/credentials/%FF/rotate", "rotate"),
        (Method::DELETE, "/v1/vault/credentials/%FF", "delete"),
    ];
    for (method, path, _) in &vault {
        let r = api.send(Some(&k), method.clone(), path, None, &[]).await;
        r.assert_error(403, "access_denied");
        assert_eq!(r.body["error"]["message"], "Access denied.");
    }
    let rows: Vec<LedgerEntry> = serde_json::from_value(
        api.get(&k, "/v1/audit?eventType=vault.denied").await.ok()["data"].clone(),
    )
    .unwrap();
    let denied: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .map(|r| {
            (
                r.details["operation"].as_str(),
                r.details["reason"].as_str(),
                r.resource_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        denied,
        vault
            .iter()
            .map(|(_, _, op)| (*op, "not_found", Some("%FF")))
            .collect::<Vec<_>>()
    );
    api.shutdown().await;
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `postq.db` and its `-wal`/`-shm` files are 0600 whatever the data dir's mode, also
/// when an older start left them wider.
#[cfg(unix)]
#[tokio::test]
async fn database_files_are_private_whatever_the_data_dir() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let files = ["postq.db", "postq.db-wal", "postq.db-shm"].map(|f| dir.path().join(f));
    let check = |when: &str| {
        for f in &files {
            assert!(f.exists(), "{} missing ({when})", f.display());
            assert_eq!(mode(f), 0o600, "{} ({when})", f.display());
        }
    };

    let api = Api::start(relaxed(Config::with_data_dir(dir.path()))).await;
    api.post(&api.admin, "/v1/keys", &json!({"name": "k"}))
        .await
        .ok();
    check("fresh data dir");
    let key = api.running.create_api_key("acme", &[]).await.unwrap();
    let shown = format!("{key:?}");
    assert!(
        shown.contains(&key.id) && !shown.contains(&key.key),
        "{shown}"
    );
    api.shutdown().await;

    for f in &files {
        if f.exists() {
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let api = Api::start(relaxed(Config::with_data_dir(dir.path()))).await;
    api.get(&key.key, "/v1/keys").await.ok();
    check("files left 0644 by an older start");
    api.shutdown().await;
}

// ---- route conformance ----------------------------------------------------------------

/// What the route table's calls need: ids made through the client before the calls.
struct Fixture {
    client: postq::Client,
    key_id: String,
    signature: String,
    scan_id: String,
    finding_id: String,
    credential_id: String,
    doomed_credential_id: String,
    rollover_id: String,
    doomed_rollover_id: String,
}

const SIGNED: &[u8] = b"conformance";

impl Fixture {
    async fn new(client: postq::Client) -> postq::Result<Fixture> {
        use postq::api::{
            CreateKeyRequest, CreateRolloverRequest, CreateScanRequest, FindingInput, RiskLevel,
            SealRequest, Severity,
        };
        let key_id = client
            .hybrid_keys()
            .create(&CreateKeyRequest::named("conformance"))
            .await?
            .id;
        let signature = client.sign(&key_id, SIGNED).await?.signature;
        let mut scan = CreateScanRequest::new("cloud", "azure:conformance", 70.0, RiskLevel::High);
        scan.findings = vec![FindingInput::new(Severity::High, "TLS").with_code("TLS-1.0-MIN")];
        let scan = client.scans().submit(&scan).await?;
        let finding_id = scan.findings[0].id.clone();
        let seal = || SealRequest {
            name: "conformance".into(),
            credential_type: "api_key".into(),
            values: [("k".to_owned(), "v".to_owned())].into(),
            ttl_days: None,
        };
        let credential_id = client.vault().seal(&seal()).await?.id;
        let doomed_credential_id = client.vault().seal(&seal()).await?.id;
        let rollover = || CreateRolloverRequest {
            finding_id: finding_id.clone(),
            hostname: "app.contoso.example".into(),
            observation_window_hours: None,
        };
        let rollover_id = client
            .rollovers()
            .create(&rollover())
            .await?
            .rollover
            .id
            .clone();
        let doomed_rollover_id = client
            .rollovers()
            .create(&rollover())
            .await?
            .rollover
            .id
            .clone();
        Ok(Fixture {
            client,
            key_id,
            signature,
            scan_id: scan.id,
            finding_id,
            credential_id,
            doomed_credential_id,
            rollover_id,
            doomed_rollover_id,
        })
    }
}

type Call =
    fn(std::sync::Arc<Fixture>) -> futures_util::future::BoxFuture<'static, postq::Result<()>>;

/// Every route of the API and the core client method that calls it. A route the server
/// documents without an entry here fails the test, as does an entry for a route the
/// document no longer has. Add a row when you add a route.
fn route_table() -> Vec<(&'static str, &'static str, Call)> {
    use futures_util::FutureExt as _;
    use postq::api::{
        AuditQuery, CreateKeyRequest, CreateRolloverRequest, CreateScanRequest, Include, ListQuery,
        RiskLevel, RolloverStatus, RotateKeyRequest, SealRequest, UpdateKeyRequest,
    };
    vec![
        ("get", "/health", |f| {
            async move { f.client.health().await.map(drop) }.boxed()
        }),
        ("post", "/v1/scans", |f| {
            async move {
                let scan = CreateScanRequest::new("url", "example.com", 85.0, RiskLevel::High);
                f.client.scans().submit(&scan).await.map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/scans", |f| {
            async move {
                let mut query = ListQuery::limit(5);
                query.include = vec![Include::Findings, Include::Metadata];
                f.client.scans().list(&query).await.map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/scans/{id}", |f| {
            async move { f.client.scans().get(&f.scan_id).await.map(drop) }.boxed()
        }),
        ("post", "/v1/ingest/kubernetes", |f| {
            async move {
                let report = postq::api::IngestKubernetesRequest {
                    cluster_name: "conformance".into(),
                    org_id: None,
                    agent_version: "postq-agent test".into(),
                    risk_score: 0.0,
                    risk_level: RiskLevel::Info,
                    findings: Vec::new(),
                    summary: Default::default(),
                };
                f.client.ingest().kubernetes(&report).await.map(drop)
            }
            .boxed()
        }),
        ("post", "/v1/keys", |f| {
            async move {
                let request = CreateKeyRequest::named("another");
                f.client.hybrid_keys().create(&request).await.map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/keys", |f| {
            async move {
                let mut query = ListQuery::limit(5);
                query.include = vec![Include::Versions];
                f.client.hybrid_keys().list(&query).await.map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/keys/{id}", |f| {
            async move { f.client.hybrid_keys().get(&f.key_id).await.map(drop) }.boxed()
        }),
        ("patch", "/v1/keys/{id}", |f| {
            async move {
                let request = UpdateKeyRequest { min_version: 1 };
                f.client
                    .hybrid_keys()
                    .update(&f.key_id, &request)
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/keys/{id}/public", |f| {
            async move {
                f.client
                    .hybrid_keys()
                    .public_key(&f.key_id, Some(1))
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("post", "/v1/keys/{id}/rotate", |f| {
            async move {
                let request = RotateKeyRequest::default();
                f.client
                    .hybrid_keys()
                    .rotate(&f.key_id, &request)
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("post", "/v1/sign", |f| {
            async move { f.client.sign(&f.key_id, SIGNED).await.map(drop) }.boxed()
        }),
        ("post", "/v1/verify", |f| {
            async move {
                let verdict = f
                    .client
                    .verify_with_key(&f.key_id, SIGNED, &f.signature)
                    .await?;
                assert!(verdict.ok, "{verdict:?}");
                Ok(())
            }
            .boxed()
        }),
        ("get", "/v1/audit/checkpoint", |f| {
            async move {
                let key = f.client.audit().ledger_key().await?;
                let signed = f.client.audit().checkpoint().await?;
                key.verify_checkpoint(&signed.checkpoint).map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/audit/ledger-key", |f| {
            async move { f.client.audit().ledger_key().await.map(drop) }.boxed()
        }),
        ("get", "/v1/audit/proofs/inclusion", |f| {
            async move {
                let size = f.client.audit().checkpoint().await?.tree_size;
                f.client.audit().inclusion_proof(1, size).await.map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/audit/proofs/consistency", |f| {
            async move {
                let size = f.client.audit().checkpoint().await?.tree_size;
                f.client.audit().consistency_proof(1, size).await.map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/audit", |f| {
            async move {
                let query = AuditQuery {
                    limit: Some(10),
                    ..AuditQuery::default()
                };
                f.client.audit().list(&query).await.map(drop)
            }
            .boxed()
        }),
        ("post", "/v1/vault/credentials", |f| {
            async move {
                let request = SealRequest {
                    name: "another".into(),
                    credential_type: "password".into(),
                    values: [("p".to_owned(), "hunter2".to_owned())].into(),
                    ttl_days: Some(1),
                };
                f.client.vault().seal(&request).await.map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/vault/credentials", |f| {
            async move { f.client.vault().list(&ListQuery::limit(5)).await.map(drop) }.boxed()
        }),
        ("get", "/v1/vault/credentials/{id}", |f| {
            async move { f.client.vault().unseal(&f.credential_id).await.map(drop) }.boxed()
        }),
        ("delete", "/v1/vault/credentials/{id}", |f| {
            async move {
                f.client
                    .vault()
                    .delete(&f.doomed_credential_id)
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("post", "/v1/vault/credentials/{id}/rotate", |f| {
            async move { f.client.vault().rotate(&f.credential_id).await.map(drop) }.boxed()
        }),
        ("post", "/v1/mitigations/tls-rollover", |f| {
            async move {
                let request = CreateRolloverRequest {
                    finding_id: f.finding_id.clone(),
                    hostname: "api.contoso.example".into(),
                    observation_window_hours: Some(48),
                };
                f.client.rollovers().create(&request).await.map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/mitigations/tls-rollover", |f| {
            async move {
                f.client
                    .rollovers()
                    .list(&ListQuery::limit(5))
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("get", "/v1/mitigations/tls-rollover/{id}", |f| {
            async move { f.client.rollovers().get(&f.rollover_id).await.map(drop) }.boxed()
        }),
        ("get", "/v1/mitigations/tls-rollover/{id}/download", |f| {
            async move {
                f.client
                    .rollovers()
                    .download(&f.rollover_id, "bundle.sh")
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        (
            "post",
            "/v1/mitigations/tls-rollover/{id}/transition",
            |f| {
                async move {
                    f.client
                        .rollovers()
                        .transition(&f.rollover_id, RolloverStatus::Observation)
                        .await
                        .map(drop)
                }
                .boxed()
            },
        ),
        ("post", "/v1/mitigations/tls-rollover/{id}/rollback", |f| {
            async move {
                f.client
                    .rollovers()
                    .rollback(&f.doomed_rollover_id)
                    .await
                    .map(drop)
            }
            .boxed()
        }),
    ]
}

/// Every (method, path) in the served `/openapi.json` is called through its core client
/// method against the in-process server and succeeds.
#[tokio::test]
async fn every_documented_route_is_called_through_the_core_client() {
    let api = Api::start(relaxed(Config::in_memory())).await;
    let doc = api
        .send(None, Method::GET, "/openapi.json", None, &[])
        .await;
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc.ok()["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let table = route_table();
    let entry = |method: &str, path: &str| {
        table
            .iter()
            .find(|(m, p, _)| *m == method && *p == path)
            .map(|(_, _, call)| *call)
    };
    let missing: Vec<&(String, String)> = documented
        .iter()
        .filter(|(m, p)| entry(m, p).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a core client call in route_table(): {missing:?}"
    );
    let stale: Vec<(&str, &str)> = table
        .iter()
        .map(|(m, p, _)| (*m, *p))
        .filter(|(m, p)| !documented.iter().any(|(dm, dp)| dm == m && dp == p))
        .collect();
    assert!(
        stale.is_empty(),
        "entries for undocumented routes: {stale:?}"
    );

    let config = postq::ClientConfig::new(api.admin.clone()).base_url(api.base.clone());
    let client = postq::Client::new(config).unwrap();
    let fixture = std::sync::Arc::new(Fixture::new(client).await.unwrap());
    for (method, path) in &documented {
        let call = entry(method, path).unwrap();
        if let Err(e) = call(fixture.clone()).await {
            panic!(
                "{} {path} through the core client: {e}",
                method.to_uppercase()
            );
        }
    }
    assert_eq!(documented.len(), table.len());
    api.shutdown().await;
}
