//! The `postq` binary against the in-process reference server: every command, `--json`,
//! and the documented exit codes (0 ok, 1 error, 2 gate failed).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{start, stderr_json};
use serde_json::Value;

#[test]
fn scans_commands_and_the_high_risk_gate() {
    let env = start();
    let scan = env.json(
        &[
            "scans",
            "submit",
            "--type",
            "url",
            "--target",
            "example.com",
            "--risk-score",
            "85",
            "--risk-level",
            "High",
            "--finding",
            "high:RSA-2048 public key",
        ],
        0,
    );
    let id = scan["id"].as_str().unwrap().to_owned();
    assert_eq!(scan["source"], "cli");
    assert_eq!(scan["findings"][0]["title"], "RSA-2048 public key");

    std::fs::write(env.path("scan.json"), r#"{"type":"repo","target":"github.com/acme/app","riskScore":12,"riskLevel":"Low","findings":[]}"#).unwrap();
    let from_file = env.json(&["scans", "submit", "--file", "scan.json"], 0);
    assert_eq!(from_file["type"], "repo");

    env.json(
        &[
            "scans",
            "submit",
            "--type",
            "url",
            "--target",
            "crit.example",
            "--risk-level",
            "Critical",
            "--fail-on-high",
        ],
        2,
    );
    let page = env.json(&["scans", "list", "--limit", "2"], 0);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert!(page["nextCursor"].is_string());
    let all = env.json(&["scans", "list", "--all", "--limit", "1"], 0);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let got = env.json(&["scans", "get", &id], 0);
    assert_eq!(got["id"], id.as_str());

    let human = env.postq(&["scans", "get", &id]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("RSA-2048"));
    let missing = env.postq(&["--json", "scans", "get", "scan_01NOPE0000000000000000000"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(stderr_json(&missing)["error"]["status"], 404);
    let bad = env.postq(&[
        "scans",
        "submit",
        "--type",
        "url",
        "--target",
        "x",
        "--risk-level",
        "Severe",
    ]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn keys_sign_and_verify_gate_online_and_offline() {
    let env = start();
    let key = env.json(&["keys", "create", "--name", "release-signing"], 0);
    let id = key["id"].as_str().unwrap().to_owned();
    assert_eq!(
        env.json(&["keys", "list"], 0)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(env.json(&["keys", "get", &id], 0)["id"], id.as_str());

    std::fs::write(env.path("app.tar.gz"), b"release bytes").unwrap();
    let signed = env.json(
        &[
            "sign",
            "--key",
            &id,
            "--in",
            "app.tar.gz",
            "--out",
            "app.sig",
        ],
        0,
    );
    assert_eq!(signed["keyVersion"], 1);
    let verdict = env.json(
        &[
            "verify",
            "--key",
            &id,
            "--in",
            "app.tar.gz",
            "--sig",
            "app.sig",
        ],
        0,
    );
    assert_eq!(
        (verdict["ok"].as_bool(), verdict["mode"].as_str()),
        (Some(true), Some("server"))
    );

    let out = env.postq(&["keys", "public", &id, "--out", "release.pub.json"]);
    assert!(out.status.success());
    let offline = env.json(
        &[
            "verify",
            "--public-key",
            "release.pub.json",
            "--offline",
            "--in",
            "app.tar.gz",
            "--sig",
            "app.sig",
        ],
        0,
    );
    assert_eq!(
        (offline["ok"].as_bool(), offline["mode"].as_str()),
        (Some(true), Some("offline"))
    );
    let jwk = env.postq(&["keys", "public", &id, "--format", "jwk"]);
    std::fs::write(env.path("release.jwk"), &jwk.stdout).unwrap();
    env.json(
        &[
            "verify",
            "--public-key",
            "release.jwk",
            "--offline",
            "--in",
            "app.tar.gz",
            "--sig",
            "app.sig",
        ],
        0,
    );
    env.json(
        &[
            "verify",
            "--key",
            &id,
            "--offline",
            "--in",
            "app.tar.gz",
            "--sig",
            "app.sig",
        ],
        0,
    );

    // The gate: a tampered artifact or a garbled signature exits 2, online and offline.
    std::fs::write(env.path("app.tar.gz"), b"release bytes, tampered").unwrap();
    let rejected = env.json(
        &[
            "verify",
            "--key",
            &id,
            "--in",
            "app.tar.gz",
            "--sig",
            "app.sig",
        ],
        2,
    );
    assert_eq!(
        (
            rejected["classicalOk"].as_bool(),
            rejected["pqOk"].as_bool()
        ),
        (Some(false), Some(false))
    );
    env.json(
        &[
            "verify",
            "--public-key",
            "release.pub.json",
            "--offline",
            "--in",
            "app.tar.gz",
            "--sig",
            "app.sig",
        ],
        2,
    );
    std::fs::write(env.path("garbled.sig"), b"bm90IGEgc2lnbmF0dXJl").unwrap();
    env.json(
        &[
            "verify",
            "--public-key",
            "release.pub.json",
            "--offline",
            "--in",
            "app.tar.gz",
            "--sig",
            "garbled.sig",
        ],
        2,
    );

    let rotated = env.json(&["keys", "rotate", &id], 0);
    assert_eq!(rotated["version"], 2);
    let missing_file = env.postq(&["sign", "--key", &id, "--in", "nope.bin", "--out", "x.sig"]);
    assert_eq!(missing_file.status.code(), Some(1));
}

#[test]
fn cert_verify_gate_on_the_committed_vectors() {
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/sidecar.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let env = start();
    for case in vectors["certificates"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let file = env.path(&format!("{name}.pem"));
        std::fs::write(&file, case["pem"].as_str().unwrap()).unwrap();
        let mut args = vec![
            "cert",
            "verify",
            file.as_str(),
            "--at",
            case["at"].as_str().unwrap(),
        ];
        if let Some(h) = case["hostname"].as_str() {
            args.extend(["--hostname", h]);
        }
        let expect_ok = case["expected"]["ok"].as_bool().unwrap();
        let report = env.json(&args, if expect_ok { 0 } else { 2 });
        assert_eq!(
            report["failure"].as_str(),
            case["expected"]["failure"].as_str(),
            "{name}"
        );
    }
    std::fs::write(env.path("junk.pem"), b"not a certificate").unwrap();
    assert_eq!(
        env.postq(&["cert", "verify", &env.path("junk.pem")])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn audit_and_health_and_bad_credentials() {
    let env = start();
    env.json(&["keys", "create", "--name", "k"], 0);
    let health = env.json(&["health"], 0);
    assert_eq!(health["status"], "ok");
    let rows = env.json(&["audit", "list", "--all"], 0);
    assert!(!rows.as_array().unwrap().is_empty());
    let report = env.json(&["audit", "verify"], 0);
    assert_eq!(report["ok"], true);

    let out = Command::cargo_bin("postq")
        .unwrap()
        .env("POSTQ_BASE_URL", &env.base)
        .env("POSTQ_API_KEY", "pq_live_wrong")
        .args(["--json", "scans", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr_json(&out)["error"]["code"], "unauthorized");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("pq_live_wrong"));
    let insecure = Command::cargo_bin("postq")
        .unwrap()
        .env("POSTQ_BASE_URL", "http://api.example.com")
        .env("POSTQ_API_KEY", "pq_live_x")
        .args(["scans", "list"])
        .output()
        .unwrap();
    assert_eq!(insecure.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&insecure.stderr).contains("plain HTTP"));
}

/// An empty `POSTQ_API_KEY` is no key: a local configuration error, nothing sent.
#[test]
fn an_empty_api_key_is_a_local_error() {
    let env = start();
    for empty in ["", "  "] {
        let out = Command::cargo_bin("postq")
            .unwrap()
            .env("POSTQ_BASE_URL", &env.base)
            .env("POSTQ_API_KEY", empty)
            .args(["--json", "scans", "list"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = stderr_json(&out);
        assert_eq!(err["error"]["code"], "invalid_config", "{err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no API key"),
            "{err}"
        );
    }
}

/// `postq audit verify` on a tampered chain names the first bad row in words:
/// `seq 1: hash_mismatch`, and exits 2.
#[test]
fn audit_verify_names_the_first_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        postq_server::spawn_background(postq_server::Config::with_data_dir(dir.path())).unwrap();
    let key = server.bootstrap_key.clone().unwrap();
    let postq = |args: &[&str]| {
        Command::cargo_bin("postq")
            .unwrap()
            .env("POSTQ_BASE_URL", server.base_url())
            .env("POSTQ_API_KEY", &key)
            .args(args)
            .output()
            .unwrap()
    };
    assert_eq!(
        postq(&["keys", "create", "--name", "k"]).status.code(),
        Some(0)
    );
    assert_eq!(postq(&["audit", "verify"]).status.code(), Some(0));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(dir.path().join("postq.db"))
                    .busy_timeout(std::time::Duration::from_secs(10)),
            )
            .await
            .unwrap();
        sqlx::query("UPDATE ledger SET details = '{\"version\":\"9\"}' WHERE seq = 1")
            .execute(&db)
            .await
            .unwrap();
        db.close().await;
    });

    let out = postq(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("seq 1: hash_mismatch"), "{text}");
    let out = postq(&["--json", "audit", "verify"]);
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["failedSeq"].clone(), report["reason"].clone()),
        (1.into(), "hash_mismatch".into())
    );
    server.shutdown();
}

/// `postq audit verify --state`: pins the ledger key on first use, proves each new
/// checkpoint consistent with the stored one, and exits 2 naming the failure when the
/// log shrinks or the key is not the pinned one.
#[test]
fn audit_verify_state_pins_the_key_and_catches_a_shrink() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        postq_server::spawn_background(postq_server::Config::with_data_dir(dir.path())).unwrap();
    let key = server.bootstrap_key.clone().unwrap();
    let state = dir.path().join("ledger-state.json");
    let state_arg = state.to_str().unwrap().to_owned();
    let postq = |args: &[&str]| {
        Command::cargo_bin("postq")
            .unwrap()
            .env("POSTQ_BASE_URL", server.base_url())
            .env("POSTQ_API_KEY", &key)
            .args(args)
            .output()
            .unwrap()
    };
    let text = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    assert_eq!(
        postq(&["keys", "create", "--name", "k"]).status.code(),
        Some(0)
    );

    let out = postq(&["audit", "verify", "--state", &state_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("pinned the server's ledger key"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("exported rows match the signed checkpoint"),
        "{}",
        text(&out)
    );
    assert!(state.exists());

    assert_eq!(
        postq(&["keys", "create", "--name", "k2"]).status.code(),
        Some(0)
    );
    let out = postq(&["--json", "audit", "verify", "--state", &state_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checkpoint"], "extended");
    assert_eq!(
        (
            report["previousTreeSize"].clone(),
            report["treeSize"].clone()
        ),
        (1.into(), 2.into())
    );
    assert_eq!(report["rowsMatchCheckpoint"], true);

    // The pinned key, given explicitly, is accepted; another one is refused.
    let key_file = dir.path().join("ledger-key.json");
    let out = postq(&["audit", "ledger-key", "--out", key_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let good = std::fs::read_to_string(&key_file).unwrap();
    let out = postq(&[
        "audit",
        "verify",
        "--state",
        &state_arg,
        "--ledger-key",
        good.trim(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let other = postq_server::spawn_background(postq_server::Config::in_memory()).unwrap();
    let other_key = other.bootstrap_key.clone().unwrap();
    let out = Command::cargo_bin("postq")
        .unwrap()
        .env("POSTQ_BASE_URL", other.base_url())
        .env("POSTQ_API_KEY", &other_key)
        .args(["audit", "ledger-key"])
        .arg("--json")
        .output()
        .unwrap();
    let foreign = String::from_utf8_lossy(&out.stdout).into_owned();
    other.shutdown();
    let out = postq(&[
        "audit",
        "verify",
        "--state",
        &state_arg,
        "--ledger-key",
        foreign.trim(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("ledger key changed"), "{}", text(&out));

    // Delete the newest row in SQLite: the log shrank.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(dir.path().join("postq.db"))
                    .busy_timeout(std::time::Duration::from_secs(10)),
            )
            .await
            .unwrap();
        sqlx::query("DELETE FROM ledger WHERE seq = 2")
            .execute(&db)
            .await
            .unwrap();
        db.close().await;
    });
    let before = std::fs::read_to_string(&state).unwrap();
    let out = postq(&["audit", "verify", "--state", &state_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("audit ledger refused — shrink"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        before,
        "a refused run keeps the state"
    );
    server.shutdown();
}
