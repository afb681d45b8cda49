//! The `postq` vault, rollover and demo commands against the in-process reference
//! server (the routes of docs/api-vault-rollover.md).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

mod common;

use assert_cmd::Command;
use common::{start, stderr_json};

#[test]
fn vault_commands() {
    let env = start();
    std::fs::write(env.path("secret.txt"), "from-a-file\n").unwrap();
    let sealed = env.json(
        &[
            "vault",
            "seal",
            "--name",
            "stripe",
            "--type",
            "api_key",
            "--value",
            "key=sk_live_abc",
            "--value",
            "other=@secret.txt",
            "--ttl-days",
            "30",
        ],
        0,
    );
    let id = sealed["id"].as_str().unwrap().to_owned();
    assert!(
        !serde_json::to_string(&sealed)
            .unwrap()
            .contains("sk_live_abc")
    );
    assert_eq!(
        env.json(&["vault", "list"], 0)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let unsealed = env.json(&["vault", "get", &id], 0);
    assert_eq!(unsealed["values"]["key"], "sk_live_abc");
    assert_eq!(unsealed["values"]["other"], "from-a-file");
    env.json(&["vault", "rotate", &id], 0);
    assert_eq!(
        env.json(&["vault", "get", &id], 0)["values"]["key"],
        "sk_live_abc"
    );
    env.json(&["vault", "delete", &id], 0);
    let gone = env.postq(&["--json", "vault", "get", &id]);
    assert_eq!(gone.status.code(), Some(1));
    assert_eq!(stderr_json(&gone)["error"]["status"], 403);
}

#[test]
fn rollover_commands_walk_the_states_and_write_the_bundle() {
    let env = start();
    let scan = env.json(
        &[
            "scans",
            "submit",
            "--type",
            "cloud",
            "--target",
            "azure:prod",
            "--risk-level",
            "High",
            "--finding",
            "high:TLS-1.0-MIN on app.contoso.example",
        ],
        0,
    );
    let finding = scan["findings"][0]["id"].as_str().unwrap().to_owned();
    let created = env.json(
        &[
            "rollover",
            "create",
            "--finding",
            &finding,
            "--hostname",
            "app.contoso.example",
            "--out",
            "bundle",
        ],
        0,
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(
        created.get("privateKeyPem").is_none(),
        "the key goes to a file, not stdout"
    );
    let bundle = env.dir.path().join("bundle");
    let key = std::fs::read_to_string(bundle.join("postq-hybrid.key")).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(bundle.join("postq-hybrid.key"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    env.json(
        &[
            "cert",
            "verify",
            bundle.join("postq-hybrid.pem").to_str().unwrap(),
            "--hostname",
            "app.contoso.example",
        ],
        0,
    );

    env.json(&["rollover", "download", &id, "--dir", "dl"], 0);
    let names: Vec<String> = std::fs::read_dir(env.dir.path().join("dl"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("postq-app.contoso.example-")),
        "{names:?}"
    );

    env.json(&["rollover", "transition", &id, "--to", "cutover"], 1); // must go through observation
    for to in ["observation", "cutover", "completed"] {
        assert_eq!(
            env.json(&["rollover", "transition", &id, "--to", to], 0)["status"],
            to
        );
    }
    // rolled_back is reachable from any other status, completed included; then nothing
    // moves it.
    assert_eq!(
        env.json(&["rollover", "rollback", &id], 0)["status"],
        "rolled_back"
    );
    env.json(&["rollover", "rollback", &id], 1);
    assert_eq!(
        env.json(&["rollover", "get", &id], 0)["status"],
        "rolled_back"
    );
    assert_eq!(
        env.json(&["rollover", "list"], 0)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn demo_runs_clean() {
    let out = Command::cargo_bin("postq")
        .unwrap()
        .arg("demo")
        .env_remove("POSTQ_API_KEY")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "ok=true classicalOk=true pqOk=true",
        "tampered artifact: ok=false",
        "cutover → completed",
        "rollback after completion: rolled_back (terminal)",
        "chain intact: true",
        "Dashboard: http://127.0.0.1:",
        "/signin/link?token=",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}
