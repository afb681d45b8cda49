//! Over real HTTP against the in-process server: the credential vault, hybrid TLS
//! rollovers with their artifacts, the ledger rows they write, and `times=N` faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use base64::Engine;
use common::{Api, Reply};
use postq::ledger::{LedgerEntry, verify_complete_chain};
use postq_server::{Config, RateLimits};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

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

async fn durable(dir: &Path) -> Api {
    Api::start(relaxed(Config::with_data_dir(dir))).await
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

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The raw bytes of the database and its WAL/SHM files.
fn db_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["postq.db", "postq.db-wal", "postq.db-shm"]
        .iter()
        .filter_map(|n| {
            std::fs::read(dir.join(n))
                .ok()
                .map(|b| ((*n).to_owned(), b))
        })
        .collect()
}

async fn delete(api: &Api, key: &str, path: &str) -> Reply {
    api.send(Some(key), Method::DELETE, path, None, &[]).await
}

/// Every row of the caller's organisation, oldest first.
async fn audit_all(api: &Api, key: &str) -> Vec<LedgerEntry> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/audit?limit=100&cursor={c}"),
            None => "/v1/audit?limit=100".to_owned(),
        };
        let r = api.get(key, &path).await;
        let page = r.ok();
        for row in page["data"].as_array().unwrap() {
            out.push(serde_json::from_value(row.clone()).unwrap());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    out
}

fn count(rows: &[LedgerEntry], event: &str) -> usize {
    rows.iter().filter(|r| r.event_type == event).count()
}

/// The uniform vault refusal: same status, code and message, whatever the cause.
#[track_caller]
fn assert_denied(r: &Reply) {
    r.assert_error(403, "access_denied");
    assert_eq!(r.body["error"]["message"], "Access denied.");
    let mut body = r.body.clone();
    body["error"]["requestId"] = Value::Null;
    assert_eq!(
        body,
        json!({"error": {"code": "access_denied", "message": "Access denied.", "requestId": null}})
    );
}

// ---- vault ----------------------------------------------------------------------------

#[tokio::test]
async fn vault_every_route_uniform_403_rotation_ttl_and_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let api = durable(dir.path()).await;
    let admin = api.admin.clone();
    let writer = api.key("default", &["vault:write"]).await;
    let reader = api.key("default", &["vault:read"]).await;
    let no_vault = api.key("default", &["scans:read", "keys:write"]).await;
    let other = api
        .key("rival", &["vault:read", "vault:write", "audit:read"])
        .await;
    let secret = "sk_live_abc123_unique_marker_7f3e9b";

    // Seal: metadata only, never values.
    let sealed = api
        .post(
            &writer,
            "/v1/vault/credentials",
            &json!({"name": "stripe-production-key", "credentialType": "api_key",
                    "values": {"key": secret, "account": "acct_42"}, "ttlDays": 90}),
        )
        .await;
    let cred = sealed.ok().clone();
    assert!(!sealed.text.contains(secret));
    let id = cred["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cred_"));
    assert_eq!(cred["name"], "stripe-production-key");
    assert_eq!(cred["credentialType"], "api_key");
    assert_eq!(cred["keys"], json!(["account", "key"]));
    assert_eq!(cred["version"], 1);
    assert_eq!(cred["rotatedAt"], Value::Null);
    assert!(cred["expiresAt"].as_str().unwrap() > cred["createdAt"].as_str().unwrap());
    let fp1 = cred["sealPublicKeyFingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(fp1.len(), 64);
    assert!(cred.get("values").is_none());
    let forever = api
        .post(
            &admin,
            "/v1/vault/credentials",
            &json!({"name": "db", "credentialType": "password", "values": {"password": "hunter2-marker"}}),
        )
        .await;
    assert_eq!(forever.ok()["expiresAt"], Value::Null);
    let forever_id = forever.body["id"].as_str().unwrap().to_owned();

    // Malformed seal bodies are ordinary 400s that echo no value.
    for bad in [
        json!({"name": "x", "credentialType": "api_key", "values": {}}),
        json!({"name": "", "credentialType": "api_key", "values": {"k": "v"}}),
        json!({"name": "x", "credentialType": "API-KEY", "values": {"k": "v"}}),
        json!({"name": "x", "credentialType": "api_key", "values": {"k": "v"}, "ttlDays": 0}),
        json!({"name": "x", "credentialType": "api_key", "values": {"k": "v"}, "ttlDays": 3651}),
        json!({"name": "x", "credentialType": "api_key", "values": {"k": 12345678}}),
        json!({"name": "x", "credentialType": "api_key", "values": {"k": "v"}, "extra": 1}),
        json!({"name": "x", "credentialType": "api_key"}),
    ] {
        let r = api.post(&writer, "/v1/vault/credentials", &bad).await;
        r.assert_error(400, "validation_error");
        assert!(!r.text.contains("12345678"), "{}", r.text);
    }
    let big: BTreeMap<String, String> = (0..65).map(|i| (format!("k{i}"), "v".into())).collect();
    api.post(
        &writer,
        "/v1/vault/credentials",
        &json!({"name": "x", "credentialType": "other", "values": big}),
    )
    .await
    .assert_error(400, "validation_error");

    // List: metadata only, newest first, paged.
    let list = api.get(&reader, "/v1/vault/credentials").await;
    let data = list.ok()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["id"], forever_id.as_str());
    assert!(!list.text.contains(secret) && !list.text.contains("hunter2"));
    let page = api.get(&reader, "/v1/vault/credentials?limit=1").await;
    let cursor = page.ok()["nextCursor"].as_str().unwrap().to_owned();
    let page2 = api
        .get(
            &reader,
            &format!("/v1/vault/credentials?limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(page2.ok()["data"][0]["id"], id.as_str());
    assert_eq!(page2.body["nextCursor"], Value::Null);
    api.get(&reader, "/v1/vault/credentials?limit=0")
        .await
        .assert_error(400, "validation_error");

    // Unseal.
    let un = api
        .get(&reader, &format!("/v1/vault/credentials/{id}"))
        .await;
    assert_eq!(
        un.ok()["values"],
        json!({"key": secret, "account": "acct_42"})
    );
    assert_eq!(un.body["id"], id.as_str());
    assert_eq!(un.body["version"], 1);

    // Rotate: new key and ciphertext in the row, same values, version 2.
    let db = open_db(dir.path()).await;
    let row_of = |id: String| {
        let db = db.clone();
        async move {
            let r = sqlx::query(
                "SELECT ciphertext, sealed_seed, seal_fingerprint, version FROM vault_credentials WHERE id = ?",
            )
            .bind(&id)
            .fetch_one(&db)
            .await
            .unwrap();
            (
                r.get::<Vec<u8>, _>("ciphertext"),
                r.get::<Vec<u8>, _>("sealed_seed"),
                r.get::<String, _>("seal_fingerprint"),
                r.get::<i64, _>("version"),
            )
        }
    };
    let before = row_of(id.clone()).await;
    assert!(before.0.starts_with(b"pqseal-v1"));
    assert_eq!(before.3, 1);
    let rotated = api
        .post(
            &writer,
            &format!("/v1/vault/credentials/{id}/rotate"),
            &json!({}),
        )
        .await;
    let rot = rotated.ok().clone();
    assert_eq!(rot["version"], 2);
    assert!(rot["rotatedAt"].is_string());
    assert_ne!(rot["sealPublicKeyFingerprint"], fp1.as_str());
    let after = row_of(id.clone()).await;
    assert_ne!(after.0, before.0, "ciphertext changed");
    assert_ne!(after.1, before.1, "sealed key seed changed");
    assert_eq!(after.2, rot["sealPublicKeyFingerprint"].as_str().unwrap());
    assert_eq!(after.3, 2);
    let un = api
        .get(&reader, &format!("/v1/vault/credentials/{id}"))
        .await;
    assert_eq!(
        un.ok()["values"],
        json!({"key": secret, "account": "acct_42"})
    );
    assert_eq!(un.body["version"], 2);
    // The envelope is bound to its credential: swapping it onto another row fails to open.
    let victim = row_of(forever_id.clone()).await;
    sqlx::query("UPDATE vault_credentials SET ciphertext = ? WHERE id = ?")
        .bind(&after.0)
        .bind(&forever_id)
        .execute(&db)
        .await
        .unwrap();
    api.get(&admin, &format!("/v1/vault/credentials/{forever_id}"))
        .await
        .assert_error(500, "internal_error");
    sqlx::query("UPDATE vault_credentials SET ciphertext = ? WHERE id = ?")
        .bind(&victim.0)
        .bind(&forever_id)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        api.get(&admin, &format!("/v1/vault/credentials/{forever_id}"))
            .await
            .ok()["values"]["password"],
        "hunter2-marker"
    );

    // The uniform 403: unknown id, malformed id, another org's id, missing scope.
    let unknown = "cred_01JDQ3ZQ8J6V8X4K5N2M7P9R1T";
    let item = |i: &str| format!("/v1/vault/credentials/{i}");
    let rot_path = |i: &str| format!("/v1/vault/credentials/{i}/rotate");
    for target in [unknown, "nope", "cred_", "DROP%20TABLE"] {
        assert_denied(&api.get(&admin, &item(target)).await);
        assert_denied(&api.post(&admin, &rot_path(target), &json!({})).await);
        assert_denied(&delete(&api, &admin, &item(target)).await);
    }
    assert_denied(&api.get(&other, &item(&id)).await);
    assert_denied(&api.post(&other, &rot_path(&id), &json!({})).await);
    assert_denied(&delete(&api, &other, &item(&id)).await);
    assert_eq!(
        api.get(&other, "/v1/vault/credentials").await.ok()["data"],
        json!([])
    );
    assert_denied(&api.get(&writer, &item(&id)).await); // vault:write cannot unseal
    assert_denied(&api.get(&writer, "/v1/vault/credentials").await);
    assert_denied(&api.post(&reader, &rot_path(&id), &json!({})).await);
    assert_denied(&delete(&api, &reader, &item(&id)).await);
    assert_denied(
        &api.post(
            &reader,
            "/v1/vault/credentials",
            &json!({"name": "x", "credentialType": "api_key", "values": {"k": "v"}}),
        )
        .await,
    );
    assert_denied(&api.get(&no_vault, &item(&id)).await);
    assert_denied(&api.get(&no_vault, "/v1/vault/credentials").await);
    // Without the scope even a malformed body is the same 403 (the scope comes first).
    assert_denied(
        &api.post(&no_vault, "/v1/vault/credentials", &json!({}))
            .await,
    );
    // Only a missing or bad API key is a 401.
    api.send(None, Method::GET, &item(&id), None, &[])
        .await
        .assert_error(401, "unauthorized");
    // The credential survived all of that.
    assert_eq!(
        api.get(&reader, &item(&id)).await.ok()["values"]["key"],
        secret
    );

    // Delete, then the deleted id is the same 403 everywhere.
    let del = delete(&api, &writer, &item(&id)).await;
    assert_eq!(del.ok(), &json!({"id": id, "deleted": true}));
    assert_denied(&api.get(&reader, &item(&id)).await);
    assert_denied(&api.post(&writer, &rot_path(&id), &json!({})).await);
    assert_denied(&delete(&api, &writer, &item(&id)).await);
    let gone: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM vault_credentials WHERE id = ?")
        .bind(&id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(gone, 0);

    // TTL: a credential past its expiresAt is the same 403, leaves the list, and is
    // purged (key seed and envelope) with a vault.expire row.
    let short = api
        .post(
            &writer,
            "/v1/vault/credentials",
            &json!({"name": "temp", "credentialType": "token", "values": {"t": "short-lived"}, "ttlDays": 1}),
        )
        .await;
    let short_id = short.ok()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        api.get(&reader, &item(&short_id)).await.ok()["values"]["t"],
        "short-lived"
    );
    sqlx::query("UPDATE vault_credentials SET expires_at = ? WHERE id = ?")
        .bind("2020-01-01T00:00:00.000Z")
        .bind(&short_id)
        .execute(&db)
        .await
        .unwrap();
    let listed = api.get(&reader, "/v1/vault/credentials").await;
    assert!(!listed.text.contains(&short_id));
    assert_denied(&api.post(&writer, &rot_path(&short_id), &json!({})).await);
    assert_denied(&api.get(&reader, &item(&short_id)).await);
    assert_denied(&delete(&api, &writer, &item(&short_id)).await);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM vault_credentials WHERE id = ?")
        .bind(&short_id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left, 0, "expired credential purged");

    // Plain values never reached the database file.
    for (name, bytes) in db_files(dir.path()) {
        for plain in [secret, "hunter2-marker", "short-lived"] {
            assert!(!contains(&bytes, plain.as_bytes()), "{plain} in {name}");
        }
    }

    // Every access is a ledger row; the whole chain verifies.
    let rows = audit_all(&api, &admin).await;
    let report = verify_complete_chain(&rows);
    assert!(report.ok, "{report:?}");
    assert_eq!(count(&rows, "vault.seal"), 3);
    // Two unseals and a re-read, the swapped-envelope attempt (a 500: the access is
    // recorded before decryption), the restored one, the survivor, the short-lived one.
    assert_eq!(count(&rows, "vault.unseal"), 6);
    assert_eq!(count(&rows, "vault.rotate"), 1);
    assert_eq!(count(&rows, "vault.delete"), 1);
    assert_eq!(count(&rows, "vault.expire"), 1);
    // 12 unknown/malformed + 8 missing scope + 3 deleted + 3 expired (then purged);
    // another organisation's refusals land in that organisation's chain.
    assert_eq!(
        count(&rows, "vault.denied"),
        12 + 8 + 3 + 3,
        "{:#?}",
        rows.iter()
            .map(|r| (&r.event_type, &r.details))
            .collect::<Vec<_>>()
    );
    let denied: Vec<_> = rows
        .iter()
        .filter(|r| r.event_type == "vault.denied")
        .collect();
    assert!(denied.iter().any(|r| r.details["reason"] == "expired"));
    assert!(
        denied
            .iter()
            .any(|r| r.details["reason"] == "missing_scope")
    );
    assert!(
        denied
            .iter()
            .any(|r| r.resource_id.as_deref() == Some("DROP TABLE"))
    );
    assert!(
        rows.iter()
            .all(|r| !serde_json::to_string(r).unwrap().contains(secret))
    );
    let rival = audit_all(&api, &other).await;
    assert!(verify_complete_chain(&rival).ok);
    assert_eq!(count(&rival, "vault.denied"), 3);
    assert!(
        rival
            .iter()
            .all(|r| r.resource_id.as_deref() == Some(id.as_str()))
    );

    // The OpenAPI document covers the vault routes.
    let doc = api
        .send(None, Method::GET, "/openapi.json", None, &[])
        .await;
    for path in [
        "/v1/vault/credentials",
        "/v1/vault/credentials/{id}",
        "/v1/vault/credentials/{id}/rotate",
    ] {
        assert!(doc.ok()["paths"][path].is_object(), "openapi lacks {path}");
    }
    assert!(doc.body["paths"]["/v1/vault/credentials/{id}"]["delete"].is_object());
    for schema in [
        "SealRequest",
        "Credential",
        "UnsealedCredential",
        "CredentialList",
        "Deleted",
        "CreateRolloverRequest",
        "TransitionRequest",
        "Rollover",
        "RolloverCreated",
        "RolloverList",
        "PlanStage",
        "HistoryEntry",
    ] {
        assert!(
            doc.body["components"]["schemas"][schema].is_object(),
            "openapi lacks schema {schema}: {:?}",
            doc.body["components"]["schemas"]
                .as_object()
                .map(|o| o.keys().collect::<Vec<_>>())
        );
    }
    api.shutdown().await;
}

// ---- rollovers -------------------------------------------------------------------------

async fn cloud_scan(api: &Api, key: &str, scan_type: &str, titles: &[&str]) -> Vec<String> {
    let findings: Vec<Value> = titles
        .iter()
        .map(|t| json!({"severity": "high", "title": t}))
        .collect();
    let r = api
        .post(
            key,
            "/v1/scans",
            &json!({"type": scan_type, "target": "azure:contoso-prod", "riskScore": 72,
                    "riskLevel": "High", "findings": findings}),
        )
        .await;
    r.ok()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

fn key_body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// Structural checks of a Bicep file: balanced (){}[] outside strings and comments,
/// closed strings, the expected resources and parameters, and every `${…}`
/// interpolation naming a declared parameter.
fn check_bicep(text: &str) {
    let mut stack = Vec::new();
    let mut in_string = false;
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        if c == '\n' {
            assert!(!in_string, "string not closed on line {line}");
            line += 1;
            continue;
        }
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '\'' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '\'' => in_string = true,
            '(' | '{' | '[' => stack.push(c),
            ')' | '}' | ']' => {
                let open = stack
                    .pop()
                    .unwrap_or_else(|| panic!("unbalanced {c} on line {line}"));
                let want = match c {
                    ')' => '(',
                    '}' => '{',
                    _ => '[',
                };
                assert_eq!(open, want, "mismatched {c} on line {line}");
            }
            _ => {}
        }
    }
    assert!(!in_string && stack.is_empty(), "unbalanced: {stack:?}");
    let params: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("param "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    for p in ["webAppName", "keyVaultName", "hostName", "certificateName"] {
        assert!(params.contains(&p), "param {p}");
    }
    for ty in [
        "'Microsoft.Web/sites@",
        "'Microsoft.KeyVault/vaults@",
        "'Microsoft.Web/certificates@",
        "'Microsoft.Web/sites/hostNameBindings@",
    ] {
        assert!(text.contains(ty), "resource {ty}");
    }
    for l in text.lines().filter(|l| l.starts_with("resource ")) {
        let parts: Vec<&str> = l.split_whitespace().collect();
        assert!(
            parts.len() >= 4 && parts.last() == Some(&"{"),
            "resource line: {l}"
        );
        let ty = parts[2].trim_matches('\'');
        let (_, version) = ty.split_once('@').expect("api version");
        assert!(version.len() == 10 && version.as_bytes()[4] == b'-', "{ty}");
    }
    for interp in text.split("${").skip(1) {
        let name = interp.split('}').next().unwrap();
        assert!(params.contains(&name), "unknown interpolation {name}");
    }
    assert!(text.contains("sslState: 'SniEnabled'"));
}

fn shellcheck(path: &Path) {
    let out = Command::new("shellcheck")
        .args(["--shell=bash", "--severity=style"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("shellcheck is required (Debian package `shellcheck`): {e}"));
    assert!(
        out.status.success(),
        "shellcheck {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A stand-in `az` that logs its arguments and answers the queries the scripts make.
const FAKE_AZ: &str = r#"#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "az $*" >>"$AZ_LOG"
case "$*" in
  *"webapp identity assign"*) echo "11111111-2222-3333-4444-555555555555" ;;
  *"keyvault show"*"enableRbacAuthorization"*) echo "false" ;;
  *"webapp show"*) echo "${AZ_BOUND:-}" ;;
  *"keyvault certificate import"*)
    while [ $# -gt 0 ]; do
      if [ "$1" = "--file" ]; then cat "$2" >"$AZ_LOG.bundle"; fi
      shift
    done ;;
esac
"#;

fn run_script(
    dir: &Path,
    script: &str,
    env: &[(&str, &str)],
    unset: &[&str],
) -> std::process::Output {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(dir.join(script))
        .current_dir(dir)
        .env("PATH", path)
        .env("AZ_LOG", dir.join("az.log"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    for k in unset {
        cmd.env_remove(k);
    }
    cmd.output().unwrap()
}

#[tokio::test]
async fn rollover_routes_artifacts_transitions_and_one_shot_key() {
    let dir = tempfile::tempdir().unwrap();
    let api = durable(dir.path()).await;
    let admin = api.admin.clone();
    let signer = api
        .key("default", &["sign:write", "sign:read", "scans:write"])
        .await;
    let read_only = api.key("default", &["sign:read"]).await;
    let rival = api.key("rival", &["all"]).await;
    let f = cloud_scan(
        &api,
        &admin,
        "cloud",
        &[
            "TLS-1.0-MIN on app.contoso.example",
            "tls-1.1-min: legacy minimum",
            "App HTTPS-not-enforced",
            "RSA-2048 certificate",
        ],
    )
    .await;
    let url_finding = cloud_scan(&api, &admin, "url", &["TLS-1.0-MIN"]).await;
    let rival_finding = cloud_scan(&api, &rival, "cloud", &["TLS-1.0-MIN"]).await;
    let base = "/v1/mitigations/tls-rollover";
    let create = |finding: &str, host: &str| json!({"findingId": finding, "hostname": host});

    // Refusals: not eligible, not a cloud scan, unknown, other org, bad input, scope.
    api.post(&signer, base, &create(&f[3], "app.contoso.example"))
        .await
        .assert_error(400, "finding_not_eligible");
    for missing in [
        url_finding[0].as_str(),
        rival_finding[0].as_str(),
        "fnd_01JDQ3ZQ8J6V8X4K5N2M7P9R1T",
        "nope",
    ] {
        api.post(&signer, base, &create(missing, "app.contoso.example"))
            .await
            .assert_error(404, "not_found");
    }
    for host in [
        "",
        "bad host",
        "*.contoso.example",
        "a'b.example",
        "10.0.0.1",
        // Every numeric IPv4 form (inet_aton and browsers read these as addresses).
        "0x7f.1",
        "127.1",
        "0177.0.0.1",
        "2130706433",
        "0x7f000001",
        "$(id).example",
    ] {
        api.post(&signer, base, &create(&f[0], host))
            .await
            .assert_error(400, "validation_error");
    }
    for window in [0, 721] {
        api.post(
            &signer,
            base,
            &json!({"findingId": f[0], "hostname": "a.example", "observationWindowHours": window}),
        )
        .await
        .assert_error(400, "validation_error");
    }
    api.post(&read_only, base, &create(&f[0], "app.contoso.example"))
        .await
        .assert_error(403, "insufficient_scope");
    api.post(&signer, base, &json!({"findingId": f[0]}))
        .await
        .assert_error(400, "validation_error");

    // Create: the one-shot bundle.
    let r = api
        .send(
            Some(&signer),
            Method::POST,
            base,
            Some(&json!({"findingId": f[0], "hostname": "App.Contoso.Example.", "observationWindowHours": 48})),
            &[("idempotency-key", "rollover-create-1")],
        )
        .await;
    let created = r.ok().clone();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("tlsr_"));
    assert_eq!(created["status"], "planned");
    assert_eq!(created["hostname"], "app.contoso.example");
    assert_eq!(created["findingId"], f[0].as_str());
    assert!(created["scanId"].as_str().unwrap().starts_with("scan_"));
    assert_eq!(created["observationWindowHours"], 48);
    let stages: Vec<&str> = created["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["planned", "observation", "cutover", "completed"]);
    assert_eq!(created["plan"][1]["durationHours"], 48);
    assert_eq!(
        created["artifacts"],
        json!([
            "cert.pem",
            "bundle.sh",
            "import.sh",
            "bind.sh",
            "rollback.sh",
            "site.bicep"
        ])
    );
    assert_eq!(
        created["history"],
        json!([{"from": null, "to": "planned", "at": created["createdAt"]}])
    );
    let key_pem = created["privateKeyPem"].as_str().unwrap().to_owned();
    assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let files = created["files"].as_object().unwrap().clone();
    assert_eq!(files.len(), 6);
    let cert_pem = created["certificatePem"].as_str().unwrap().to_owned();
    assert_eq!(files["cert.pem"], cert_pem.as_str());
    for text in files.values() {
        assert!(!text.as_str().unwrap().contains("PRIVATE KEY"));
    }
    let binding: Value = serde_json::from_str(created["binding"].as_str().unwrap()).unwrap();
    assert_eq!(binding["hostname"], "app.contoso.example");
    assert_eq!(binding["serial"], created["serial"]);
    assert_eq!(binding["notAfter"], created["notAfter"]);

    // Default window is 24 h.
    let second = api
        .post(&signer, base, &create(&f[1], "www.contoso.example"))
        .await;
    assert_eq!(second.ok()["observationWindowHours"], 24);
    assert_eq!(second.body["plan"][1]["durationHours"], 24);

    // The certificate verifies with core's sidecar check and parses with openssl.
    let report = postq::sidecar::verify_certificate(
        cert_pem.as_bytes(),
        &postq::sidecar::VerifyOptions {
            hostname: Some("app.contoso.example".into()),
            at: None,
        },
    )
    .unwrap();
    assert!(report.ok, "{report:?}");
    let pq_pub = base64::engine::general_purpose::STANDARD
        .decode(binding["pqPub"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        created["pqPublicKeyFingerprint"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pq_pub)).as_str()
    );
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("postq-hybrid.pem"), &cert_pem).unwrap();
    std::fs::write(work.path().join("postq-hybrid.key"), &key_pem).unwrap();
    let x509 = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in", "postq-hybrid.pem"])
        .current_dir(work.path())
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&x509.stdout);
    assert!(
        x509.status.success(),
        "{}",
        String::from_utf8_lossy(&x509.stderr)
    );
    assert!(text.contains("1.3.9999.42.1"), "{text}");
    assert!(text.contains("CN=app.contoso.example") || text.contains("CN = app.contoso.example"));
    assert!(text.contains("ecdsa-with-SHA256"));
    // The key matches the certificate.
    let pub_of = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .current_dir(work.path())
            .output()
            .unwrap();
        assert!(o.status.success());
        o.stdout
    };
    assert_eq!(
        pub_of(&["x509", "-noout", "-pubkey", "-in", "postq-hybrid.pem"]),
        pub_of(&["pkey", "-pubout", "-in", "postq-hybrid.key"])
    );

    // The key is never returned again: get, list, downloads, and an idempotent replay.
    let got = api.get(&read_only, &format!("{base}/{id}")).await;
    assert_eq!(got.ok()["id"], id.as_str());
    assert!(got.body.get("privateKeyPem").is_none() && got.body.get("files").is_none());
    assert!(!got.text.contains("PRIVATE KEY") && !got.text.contains(&key_body(&key_pem)[..40]));
    let mut expected = created.clone();
    let obj = expected.as_object_mut().unwrap();
    obj.remove("privateKeyPem");
    obj.remove("files");
    assert_eq!(got.body, expected);
    let replay = api
        .send(
            Some(&signer),
            Method::POST,
            base,
            Some(&json!({"findingId": f[0], "hostname": "App.Contoso.Example.", "observationWindowHours": 48})),
            &[("idempotency-key", "rollover-create-1")],
        )
        .await;
    // The stored answer is replayed as is (with the first request's id).
    assert_eq!(replay.status, 409, "{}", replay.text);
    assert_eq!(replay.body["error"]["code"], "already_delivered");
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert!(
        replay.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&id)
    );
    assert!(!replay.text.contains("PRIVATE KEY"));
    let list = api.get(&read_only, base).await;
    let data = list.ok()["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "the replay created nothing");
    assert!(!list.text.contains("PRIVATE KEY"));
    let page = api.get(&read_only, &format!("{base}?limit=1")).await;
    let cursor = page.ok()["nextCursor"].as_str().unwrap().to_owned();
    let page2 = api
        .get(&read_only, &format!("{base}?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(page2.ok()["data"][0]["id"], id.as_str());
    assert_eq!(page2.body["nextCursor"], Value::Null);

    // Another organisation sees nothing.
    api.get(&rival, &format!("{base}/{id}"))
        .await
        .assert_error(404, "not_found");
    api.post(
        &rival,
        &format!("{base}/{id}/transition"),
        &json!({"to": "observation"}),
    )
    .await
    .assert_error(404, "not_found");
    api.post(&rival, &format!("{base}/{id}/rollback"), &json!({}))
        .await
        .assert_error(404, "not_found");
    api.get(&rival, &format!("{base}/{id}/download?artifact=cert.pem"))
        .await
        .assert_error(404, "not_found");
    assert_eq!(api.get(&rival, base).await.ok()["data"], json!([]));
    api.get(&admin, &format!("{base}/nope"))
        .await
        .assert_error(404, "not_found");

    // Downloads: type, safe file name, nosniff, same bytes as the one-shot files.
    for (name, ct) in [
        ("cert.pem", "application/x-pem-file"),
        ("bundle.sh", "text/x-shellscript; charset=utf-8"),
        ("import.sh", "text/x-shellscript; charset=utf-8"),
        ("bind.sh", "text/x-shellscript; charset=utf-8"),
        ("rollback.sh", "text/x-shellscript; charset=utf-8"),
        ("site.bicep", "text/plain; charset=utf-8"),
    ] {
        let d = api
            .get(&read_only, &format!("{base}/{id}/download?artifact={name}"))
            .await;
        assert_eq!(d.status, 200, "{name}: {}", d.text);
        assert_eq!(d.header("content-type").as_deref(), Some(ct));
        assert_eq!(
            d.header("content-disposition").unwrap(),
            format!("attachment; filename=\"postq-app.contoso.example-{name}\"")
        );
        assert_eq!(
            d.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(d.text, files[name].as_str().unwrap(), "{name}");
        std::fs::write(work.path().join(name), &d.text).unwrap();
    }
    for bad in [
        "?artifact=../../etc/passwd",
        "?artifact=key.pem",
        "",
        "?artifact=cert.pem&x=1",
    ] {
        api.get(&read_only, &format!("{base}/{id}/download{bad}"))
            .await
            .assert_error(400, "validation_error");
    }

    // Scripts: shellcheck-clean, strict mode, env vars, pure az; they run against a
    // stand-in az and issue the expected calls.
    for name in ["bundle.sh", "import.sh", "bind.sh", "rollback.sh"] {
        let text = &files[name].as_str().unwrap();
        assert!(text.starts_with("#!/usr/bin/env bash\n"));
        assert!(text.contains("\nset -euo pipefail\n"));
        assert!(text.contains("POSTQ_KEYVAULT"));
        assert!(!text.contains("openssl") && !text.contains("__"), "{name}");
        shellcheck(&work.path().join(name));
    }
    std::fs::create_dir(work.path().join("bin")).unwrap();
    let az = work.path().join("bin/az");
    std::fs::write(&az, FAKE_AZ).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let env = [
        ("POSTQ_KEYVAULT", "kv-contoso"),
        ("POSTQ_RESOURCE_GROUP", "rg-web"),
        ("POSTQ_WEBAPP", "contoso-app"),
        ("AZ_BOUND", "OLDTHUMB"),
    ];
    let out = run_script(work.path(), "bundle.sh", &env, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(work.path().join("az.log")).unwrap();
    let cert_name = files["site.bicep"]
        .as_str()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("param certificateName string = '"))
        .unwrap()
        .trim_end_matches('\'')
        .to_owned();
    assert!(cert_name.starts_with("postq-app-contoso-example-"));
    for call in [
        format!("az keyvault certificate import --vault-name kv-contoso --name {cert_name} --file"),
        "az webapp identity assign --resource-group rg-web --name contoso-app".to_owned(),
        "az keyvault set-policy --name kv-contoso --object-id 11111111-2222-3333-4444-555555555555 --secret-permissions get".to_owned(),
        format!("az webapp config ssl import --resource-group rg-web --name contoso-app --key-vault kv-contoso --key-vault-certificate-name {cert_name}"),
        "--ssl-type SNI --hostname app.contoso.example".to_owned(),
        "az webapp update --resource-group rg-web --name contoso-app --https-only true".to_owned(),
        "--min-tls-version 1.2 --ftps-state FtpsOnly".to_owned(),
    ] {
        assert!(log.contains(&call), "missing `{call}` in\n{log}");
    }
    let bundle = std::fs::read_to_string(work.path().join("az.log.bundle")).unwrap();
    assert_eq!(
        bundle,
        format!("{cert_pem}{key_pem}"),
        "PEM bundle = cert + key"
    );
    assert_eq!(
        std::fs::read_to_string(work.path().join("postq-previous-thumbprint.txt")).unwrap(),
        "OLDTHUMB\n"
    );
    // rollback.sh re-binds the previous certificate and disables the Key Vault version.
    let thumb_line = files["bind.sh"]
        .as_str()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("readonly THUMBPRINT='"))
        .unwrap()
        .trim_end_matches('\'')
        .to_owned();
    assert_eq!(thumb_line.len(), 40);
    std::fs::remove_file(work.path().join("az.log")).unwrap();
    let out = run_script(
        work.path(),
        "rollback.sh",
        &[
            ("POSTQ_KEYVAULT", "kv-contoso"),
            ("POSTQ_RESOURCE_GROUP", "rg-web"),
            ("POSTQ_WEBAPP", "contoso-app"),
            ("AZ_BOUND", thumb_line.as_str()),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(work.path().join("az.log")).unwrap();
    assert!(
        log.contains(
            "--certificate-thumbprint OLDTHUMB --ssl-type SNI --hostname app.contoso.example"
        ),
        "{log}"
    );
    assert!(log.contains(&format!("az keyvault certificate set-attributes --vault-name kv-contoso --name {cert_name} --enabled false")), "{log}");
    // Missing environment or files: a clear error before any az call.
    for (script, missing) in [
        ("bundle.sh", "POSTQ_WEBAPP"),
        ("import.sh", "POSTQ_KEYVAULT"),
        ("bind.sh", "POSTQ_RESOURCE_GROUP"),
        ("rollback.sh", "POSTQ_KEYVAULT"),
    ] {
        let _ = std::fs::remove_file(work.path().join("az.log"));
        let out = run_script(work.path(), script, &env, &[missing]);
        assert_eq!(out.status.code(), Some(1), "{script}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("environment variable {missing} is not set")),
            "{script}: {err}"
        );
        assert!(!work.path().join("az.log").exists(), "{script} called az");
    }
    std::fs::remove_file(work.path().join("postq-hybrid.key")).unwrap();
    let out = run_script(work.path(), "import.sh", &env, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("postq-hybrid.key not found"));
    check_bicep(files["site.bicep"].as_str().unwrap());
    assert!(
        files["site.bicep"]
            .as_str()
            .unwrap()
            .contains("param hostName string = 'app.contoso.example'")
    );

    // Transitions: every legal step, every illegal one is a 409 naming the status.
    let transition = |to: &str| {
        let (path, body) = (format!("{base}/{id}/transition"), json!({"to": to}));
        let (api, signer) = (&api, &signer);
        async move { api.post(signer, &path, &body).await }
    };
    let illegal = |r: Reply, current: &str| {
        r.assert_error(409, "invalid_transition");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{current}`")),
            "{}",
            r.text
        );
    };
    for to in [
        "planned",
        "cutover",
        "completed",
        "rolled_back",
        "bogus",
        "",
    ] {
        illegal(transition(to).await, "planned");
    }
    assert_eq!(
        transition("observation").await.ok()["status"],
        "observation"
    );
    for to in ["planned", "observation", "completed", "rolled_back"] {
        illegal(transition(to).await, "observation");
    }
    assert_eq!(transition("cutover").await.ok()["status"], "cutover");
    for to in ["planned", "observation", "cutover"] {
        illegal(transition(to).await, "cutover");
    }
    let done = transition("completed").await;
    assert_eq!(done.ok()["status"], "completed");
    let hist: Vec<(Value, Value)> = done.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone()))
        .collect();
    assert_eq!(
        hist,
        [
            (Value::Null, json!("planned")),
            (json!("planned"), json!("observation")),
            (json!("observation"), json!("cutover")),
            (json!("cutover"), json!("completed")),
        ]
    );
    for to in [
        "planned",
        "observation",
        "cutover",
        "completed",
        "rolled_back",
    ] {
        illegal(transition(to).await, "completed");
    }
    // `rolled_back` is reachable from any other status, `completed` included (the
    // PostQ API reference), and nothing moves it afterwards.
    let undone = api
        .post(&signer, &format!("{base}/{id}/rollback"), &json!({}))
        .await;
    assert_eq!(undone.ok()["status"], "rolled_back");
    let last = undone.body["history"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (&last["from"], &last["to"]),
        (&json!("completed"), &json!("rolled_back"))
    );
    illegal(
        api.post(&signer, &format!("{base}/{id}/rollback"), &json!({}))
            .await,
        "rolled_back",
    );
    api.post(
        &signer,
        &format!("{base}/{id}/transition"),
        &json!({"to": 3}),
    )
    .await
    .assert_error(400, "validation_error");
    api.post(
        &read_only,
        &format!("{base}/{id}/transition"),
        &json!({"to": "observation"}),
    )
    .await
    .assert_error(403, "insufficient_scope");
    api.post(&read_only, &format!("{base}/{id}/rollback"), &json!({}))
        .await
        .assert_error(403, "insufficient_scope");

    // Rollback from each non-terminal state, then nothing moves it.
    let mut rolled = Vec::new();
    for steps in [vec![], vec!["observation"], vec!["observation", "cutover"]] {
        let c = api
            .post(&signer, base, &create(&f[2], "api.contoso.example"))
            .await;
        let rid = c.ok()["id"].as_str().unwrap().to_owned();
        for s in &steps {
            api.post(
                &signer,
                &format!("{base}/{rid}/transition"),
                &json!({"to": s}),
            )
            .await
            .ok();
        }
        // An empty body works as well as {}.
        let rb = api
            .send(
                Some(&signer),
                Method::POST,
                &format!("{base}/{rid}/rollback"),
                None,
                &[],
            )
            .await;
        assert_eq!(rb.ok()["status"], "rolled_back");
        let last = rb.body["history"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["from"], *steps.last().unwrap_or(&"planned"));
        assert_eq!(last["to"], "rolled_back");
        illegal(
            api.post(&signer, &format!("{base}/{rid}/rollback"), &json!({}))
                .await,
            "rolled_back",
        );
        for to in ["planned", "observation", "cutover", "completed"] {
            illegal(
                api.post(
                    &signer,
                    &format!("{base}/{rid}/transition"),
                    &json!({"to": to}),
                )
                .await,
                "rolled_back",
            );
        }
        rolled.push(rid);
    }

    // Every transition is a ledger row; the chain verifies end to end.
    let rows = audit_all(&api, &admin).await;
    let report = verify_complete_chain(&rows);
    assert!(report.ok, "{report:?}");
    assert_eq!(count(&rows, "rollover.create"), 5);
    // 3 on the completed one; 0, 1 and 2 before the three rollbacks.
    assert_eq!(count(&rows, "rollover.transition"), 3 + 1 + 2);
    // The completed one's and the three others'.
    assert_eq!(count(&rows, "rollover.rollback"), 1 + 3);
    let moves: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r.resource_id.as_deref() == Some(id.as_str()))
        .filter(|r| r.event_type == "rollover.transition")
        .map(|r| (r.details["from"].clone(), r.details["to"].clone()))
        .collect();
    assert_eq!(
        moves,
        [
            ("planned".to_owned(), "observation".to_owned()),
            ("observation".to_owned(), "cutover".to_owned()),
            ("cutover".to_owned(), "completed".to_owned()),
        ]
    );
    assert!(rows.iter().any(|r| r.event_type == "rollover.rollback"
        && r.resource_id.as_deref() == Some(rolled[2].as_str())
        && r.details["from"] == "cutover"));

    // The OpenAPI document covers the rollover routes.
    let doc = api
        .send(None, Method::GET, "/openapi.json", None, &[])
        .await;
    for path in [
        "/v1/mitigations/tls-rollover",
        "/v1/mitigations/tls-rollover/{id}",
        "/v1/mitigations/tls-rollover/{id}/download",
        "/v1/mitigations/tls-rollover/{id}/transition",
        "/v1/mitigations/tls-rollover/{id}/rollback",
    ] {
        assert!(doc.ok()["paths"][path].is_object(), "openapi lacks {path}");
    }

    // The private key appears nowhere in the database files, also after shutdown.
    let body = key_body(&key_pem);
    let der = base64::engine::general_purpose::STANDARD
        .decode(&body)
        .unwrap();
    let check = |when: &str| {
        for (name, bytes) in db_files(dir.path()) {
            assert!(
                !contains(&bytes, body.as_bytes()),
                "key base64 in {name} ({when})"
            );
            assert!(!contains(&bytes, &der), "key DER in {name} ({when})");
            for line in key_pem
                .lines()
                .filter(|l| !l.starts_with("-----") && l.len() >= 32)
            {
                assert!(
                    !contains(&bytes, line.as_bytes()),
                    "key line in {name} ({when})"
                );
            }
            assert!(
                !contains(&bytes, b"PRIVATE KEY"),
                "a private key in {name} ({when})"
            );
        }
    };
    check("running");
    assert!(!db_files(dir.path()).is_empty());
    api.shutdown().await;
    check("stopped");
}

// ---- fault injection: times=N ---------------------------------------------------------

#[tokio::test]
async fn fault_times_limits_a_fault_to_the_first_attempts_of_a_key() {
    let api = Api::start(Config {
        faults: true,
        ..relaxed(Config::in_memory())
    })
    .await;
    let k = api.key("acme", &["scans:read", "scans:write"]).await;
    let body = common::scan_body("times.example");
    let post = |key: Option<&'static str>, fault: &'static str| {
        let (api, k, body) = (&api, &k, &body);
        async move {
            let mut headers = vec![("x-postq-fault", fault)];
            if let Some(key) = key {
                headers.push(("idempotency-key", key));
            }
            api.send(Some(k), Method::POST, "/v1/scans", Some(body), &headers)
                .await
        }
    };
    let scans = || async {
        api.get(&k, "/v1/scans").await.ok()["data"]
            .as_array()
            .unwrap()
            .len()
    };

    // status=503,times=2: two injected errors, then the request runs.
    post(Some("t-503"), "status=503,times=2")
        .await
        .assert_error(503, "server_error");
    post(Some("t-503"), "status=503,times=2")
        .await
        .assert_error(503, "server_error");
    let third = post(Some("t-503"), "status=503,times=2").await;
    third.ok();
    assert_eq!(scans().await, 1);
    // Per key: another Idempotency-Key starts its own count.
    post(Some("t-503-b"), "status=503,times=1")
        .await
        .assert_error(503, "server_error");
    // Without an Idempotency-Key, times is ignored: the fault always applies.
    for _ in 0..3 {
        post(None, "status=503,times=1")
            .await
            .assert_error(503, "server_error");
    }
    assert_eq!(scans().await, 1);
    post(Some("t-bad"), "drop,times=0")
        .await
        .assert_error(400, "invalid_fault");

    // drop,times=1 over raw HTTP: the first attempt commits and drops, the retry with
    // the same key replays; exactly one scan.
    let first = common::client()
        .post(format!("{}/v1/scans", api.base))
        .bearer_auth(&k)
        .header("idempotency-key", "t-drop")
        .header("x-postq-fault", "drop,times=1")
        .json(&body)
        .send()
        .await;
    assert!(first.is_err(), "the first attempt is dropped");
    let retry = post(Some("t-drop"), "drop,times=1").await;
    retry.ok();
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(scans().await, 2);

    // The same through the Rust client: its automatic retry reuses the key, so the call
    // succeeds and writes exactly one scan.
    let mut config = postq::ClientConfig::new(&k).base_url(api.base.clone());
    config.initial_backoff = std::time::Duration::from_millis(20);
    let client = postq::Client::new(config).unwrap();
    let mut req = postq::api::CreateScanRequest::new(
        "url",
        "client-times.example",
        50.0,
        postq::api::RiskLevel::Medium,
    );
    req.findings = vec![];
    let scan = client
        .with_options(postq::RequestOptions {
            headers: vec![("X-PostQ-Fault".into(), "drop,times=1".into())],
            ..Default::default()
        })
        .scans()
        .submit(&req)
        .await
        .unwrap();
    assert!(scan.id.starts_with("scan_"));
    assert_eq!(scans().await, 3);
    // delay only for the first attempt too.
    let start = std::time::Instant::now();
    post(Some("t-delay"), "delay=400,times=1").await.ok();
    assert!(start.elapsed() >= std::time::Duration::from_millis(400));
    let start = std::time::Instant::now();
    post(Some("t-delay"), "delay=400,times=1").await.ok();
    assert!(start.elapsed() < std::time::Duration::from_millis(400));
    api.shutdown().await;
}
