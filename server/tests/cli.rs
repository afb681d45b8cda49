//! The `postq-server` binary: flags and env vars, the bootstrap key printed once, and
//! `keys create` minting keys that the server accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_postq-server");

struct Server {
    child: Child,
    base: String,
    bootstrap: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The child is killed and waited for in `Server::drop`.
#[allow(clippy::zombie_processes)]
/// Start the binary on an ephemeral port and read its bootstrap key and address (both
/// on stdout, in that order).
fn start(args: &[&str], envs: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("POSTQ_KEK")
        .env("POSTQ_SERVER_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let (tx, rx) = mpsc::channel::<(bool, String)>();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send((true, line));
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx2.send((false, line));
        }
    });
    let mut bootstrap = None;
    loop {
        let (is_out, line) = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("server printed its address");
        if !is_out {
            continue;
        }
        if line.starts_with("pq_live_") {
            bootstrap = Some(line);
        } else if let Some(rest) = line.split("listening on ").nth(1) {
            let base = rest.split_whitespace().next().unwrap().to_owned();
            return Server {
                child,
                base,
                bootstrap,
            };
        }
    }
}

fn keys_create(data_dir: &str, org: &str, scopes: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("POSTQ_KEK")
        .env("POSTQ_SERVER_LOG", "warn")
        .args(["--data-dir", data_dir, "keys", "create", "--org", org]);
    if let Some(s) = scopes {
        cmd.args(["--scopes", s]);
    }
    cmd.output().unwrap()
}

async fn status(base: &str, key: Option<&str>, method: reqwest::Method, path: &str) -> u16 {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut req = http.request(method, format!("{base}{path}"));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    if path == "/v1/scans" {
        req = req
            .header("content-type", "application/json")
            .body(r#"{"type":"url","target":"cli.example","riskScore":1,"riskLevel":"Low"}"#);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn binary_prints_bootstrap_once_and_minted_keys_work() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();

    let first = start(&["--data-dir", data, "--listen", "127.0.0.1:0"], &[]);
    let admin = first
        .bootstrap
        .clone()
        .expect("bootstrap key on a fresh data dir");
    assert_eq!(
        status(&first.base, None, reqwest::Method::GET, "/health").await,
        200
    );
    assert_eq!(
        status(&first.base, Some(&admin), reqwest::Method::GET, "/v1/scans").await,
        200
    );

    // `keys create` works while the server runs, on the same data dir.
    let out = keys_create(data, "acme", Some("scans:read"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("pq_live_"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("scans:read"));
    let base = first.base.clone();
    assert_eq!(
        status(&base, Some(&key), reqwest::Method::GET, "/v1/scans").await,
        200
    );
    assert_eq!(
        status(&base, Some(&key), reqwest::Method::POST, "/v1/scans").await,
        403
    );
    // Default scopes are the read scopes.
    let out = keys_create(data, "acme", None);
    let reader = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(
        status(&base, Some(&reader), reqwest::Method::GET, "/v1/audit").await,
        200
    );
    assert_eq!(
        status(&base, Some(&reader), reqwest::Method::POST, "/v1/scans").await,
        403
    );
    // `keys list` shows ids and scopes, never a key; `keys revoke` takes effect at once.
    let list = Command::new(BIN)
        .args(["--data-dir", data, "keys", "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8(list.stdout).unwrap();
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(listed.contains("acme") && listed.contains("scans:read"));
    assert!(!listed.contains(&key) && !listed.contains(&admin));
    let reader_line = listed.lines().last().unwrap();
    let reader_id = reader_line.split('\t').next().unwrap();
    let revoke = Command::new(BIN)
        .args(["--data-dir", data, "keys", "revoke", reader_id])
        .output()
        .unwrap();
    assert!(revoke.status.success());
    assert_eq!(
        status(&base, Some(&reader), reqwest::Method::GET, "/v1/audit").await,
        401
    );
    // Unknown scopes are refused with a non-zero exit.
    let bad = keys_create(data, "acme", Some("scans:delete"));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown scope"));
    drop(first);

    // Second start on the same data dir: no new bootstrap key; the old one still works.
    let second = start(
        &["--listen", "127.0.0.1:0"],
        &[("POSTQ_SERVER_DATA_DIR", data)],
    );
    assert!(second.bootstrap.is_none());
    assert_eq!(
        status(
            &second.base,
            Some(&admin),
            reqwest::Method::GET,
            "/v1/scans"
        )
        .await,
        200
    );
}

#[tokio::test]
async fn env_vars_configure_memory_and_faults() {
    let server = start(
        &[],
        &[
            ("POSTQ_SERVER_LISTEN", "127.0.0.1:0"),
            ("POSTQ_SERVER_MEMORY", "true"),
            ("POSTQ_SERVER_FAULTS", "true"),
            ("POSTQ_SERVER_RATE_LIMITS", "read=1000"),
        ],
    );
    let admin = server.bootstrap.clone().expect("bootstrap key");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .get(format!("{}/v1/scans", server.base))
        .bearer_auth(&admin)
        .header("x-postq-fault", "status=503")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["x-ratelimit-limit"], "1000");
    // --memory leaves nothing behind in the default data dir of the working directory.
    assert!(!std::path::Path::new(".postq").exists());
}

/// The synchronous entry: no async runtime in the caller.
#[test]
fn background_server_for_sync_callers() {
    use std::io::{Read, Write};
    let server = postq_server::spawn_background(postq_server::Config::in_memory()).unwrap();
    let admin = server.bootstrap_key.clone().unwrap();
    let reader = server.create_api_key("sync-org", &["scans:read"]).unwrap();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    let get = |path: &str, key: &str| -> String {
        let mut s = std::net::TcpStream::connect(server.addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    assert!(get("/v1/scans", &admin).starts_with("HTTP/1.1 200"));
    assert!(get("/v1/scans", &reader.key).starts_with("HTTP/1.1 200"));
    assert!(get("/v1/audit", &reader.key).starts_with("HTTP/1.1 403"));
    let addr = server.addr;
    server.shutdown();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "stopped listening"
    );
}
