//! Hostile and unlucky clients: slow and idle connections, unauthenticated floods,
//! connection caps, body and header timeouts, rate-limit headers on every answer,
//! list pages bounded in size, and replayed deletes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::process::ServerProcess;
use common::{Api, scan_body};
use postq_server::{Config, ConnectionLimits, RateLimits};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The attackers' address; the honest client comes from another loopback address.
const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));
const HONEST: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

fn addr_of(base: &str) -> SocketAddr {
    base.trim_start_matches("http://").parse().unwrap()
}

async fn connect_from(from: IpAddr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    socket.connect(to).await
}

fn client_from(from: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from)
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap()
}

/// Read until the peer closes (or `limit` passes); what was read.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(out),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// The three ways a client can hold a connection without authenticating: a request
/// head that never ends, a body trickled after an unauthenticated head, and nothing.
#[derive(Clone, Copy, Debug)]
enum Trickle {
    Head,
    Body,
    Idle,
}

/// Keep one trickling connection open (reconnecting when the server closes it) until
/// `stop`; counts what the server did to it.
async fn trickle(
    kind: Trickle,
    to: SocketAddr,
    stop: Arc<AtomicBool>,
    closed: Arc<AtomicUsize>,
    answered_401: Arc<AtomicUsize>,
) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut s) = connect_from(ATTACKER, to).await else {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        };
        let head: &[u8] = match kind {
            Trickle::Head => b"GET /v1/scans HTTP/1.1\r\nHost: x\r\nX-Slow: ",
            Trickle::Body => {
                b"POST /v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
            }
            Trickle::Idle => b"",
        };
        if s.write_all(head).await.is_err() {
            closed.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        let mut buf = [0u8; 512];
        loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            match tokio::time::timeout(Duration::from_millis(300), s.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    closed.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Ok(Ok(n)) => {
                    if buf[..n].starts_with(b"HTTP/1.1 401") {
                        answered_401.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(_) => {
                    // Nothing from the server yet: trickle one more byte.
                    let byte: &[u8] = match kind {
                        Trickle::Idle => continue,
                        _ => b"a",
                    };
                    if s.write_all(byte).await.is_err() {
                        break;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// 300 trickling unauthenticated connections against the real binary under a
/// 256-descriptor limit, with its default connection limits (only the per-key request
/// rates are raised, for the honest client's loop): the authenticated client from
/// another address keeps every request answered, p99 ≤ 1 s and none over 2 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_unauthenticated_connections_do_not_starve_an_authenticated_client() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        dir.path(),
        &["--rate-limits", "scans_write=100000,read=100000"],
        Some(256),
    );
    let key = server.bootstrap_key.clone().unwrap();
    let to = addr_of(&server.base);
    let stop = Arc::new(AtomicBool::new(false));
    let closed = Arc::new(AtomicUsize::new(0));
    let answered_401 = Arc::new(AtomicUsize::new(0));
    let attackers: Vec<_> = (0..300)
        .map(|i| {
            let kind = [Trickle::Head, Trickle::Body, Trickle::Idle][i % 3];
            tokio::spawn(trickle(
                kind,
                to,
                stop.clone(),
                closed.clone(),
                answered_401.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let honest = client_from(HONEST);
    let mut latencies = Vec::new();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(5) {
        let t = Instant::now();
        let posted = honest
            .post(format!("{}/v1/scans", server.base))
            .bearer_auth(&key)
            .json(&scan_body(&format!("honest-{n}.example")))
            .send()
            .await
            .expect("authenticated submit answered");
        assert_eq!(posted.status(), 200);
        latencies.push(t.elapsed());
        let t = Instant::now();
        let listed = honest
            .get(format!("{}/v1/scans?limit=5", server.base))
            .bearer_auth(&key)
            .send()
            .await
            .expect("authenticated list answered");
        assert_eq!(listed.status(), 200);
        latencies.push(t.elapsed());
        n += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        let _ = tokio::time::timeout(Duration::from_secs(2), a).await;
    }
    latencies.sort();
    let (p50, p99, max) = (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1],
    );
    eprintln!(
        "honest client under 300 trickling connections: {} requests, p50 {p50:?}, p99 {p99:?}, max {max:?}; {} unauthenticated bodies answered 401 at once; {} attacker connections closed by the server",
        latencies.len(),
        answered_401.load(Ordering::Relaxed),
        closed.load(Ordering::Relaxed),
    );
    assert!(latencies.len() >= 20, "too few requests got through");
    assert!(p99 <= Duration::from_secs(1), "p99 {p99:?}");
    assert!(max <= Duration::from_secs(2), "max {max:?}");
    assert!(
        answered_401.load(Ordering::Relaxed) > 0,
        "an unauthenticated body is refused before it is read"
    );
    // The server is still healthy for everyone afterwards.
    let health = client_from(HONEST)
        .get(format!("{}/health", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

fn limits(header: f64, body: f64) -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_secs_f64(header),
        body_timeout: Duration::from_secs_f64(body),
        ..ConnectionLimits::default()
    }
}

async fn relaxed(connection_limits: ConnectionLimits) -> Api {
    Api::start(Config {
        rate_limits: RateLimits {
            scans_write: 100_000,
            read: 100_000,
            write: 100_000,
        },
        connection_limits,
        ..Config::in_memory()
    })
    .await
}

#[tokio::test]
async fn slow_heads_idle_connections_and_slow_bodies_are_cut_off() {
    let api = relaxed(limits(1.0, 1.0)).await;
    let to = addr_of(&api.base);

    // An unauthenticated body is answered 401 as soon as the head is in; the body is
    // never waited for, and the connection is closed.
    let mut s = connect_from(ATTACKER, to).await.unwrap();
    s.write_all(b"POST /v1/scans HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
        .await
        .unwrap();
    let t = Instant::now();
    let answer = read_until_closed(&mut s, Duration::from_secs(5))
        .await
        .expect("closed");
    assert!(answer.starts_with(b"HTTP/1.1 401"), "{answer:?}");
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );

    // A head that never ends, and a connection that sends nothing, are closed after
    // the header timeout.
    for start in [&b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: a"[..], b""] {
        let mut s = connect_from(ATTACKER, to).await.unwrap();
        s.write_all(start).await.unwrap();
        let t = Instant::now();
        read_until_closed(&mut s, Duration::from_secs(5))
            .await
            .expect("closed by the server");
        let held = t.elapsed();
        assert!(
            held >= Duration::from_millis(900) && held < Duration::from_secs(3),
            "{held:?}"
        );
    }

    // An idle keep-alive connection is closed after the same time.
    let mut s = connect_from(ATTACKER, to).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let t = Instant::now();
    let answer = read_until_closed(&mut s, Duration::from_secs(5))
        .await
        .expect("closed after idling");
    assert!(answer.starts_with(b"HTTP/1.1 200"));
    assert!(t.elapsed() < Duration::from_secs(3));

    // An authenticated body that does not arrive in time: 408 timeout, connection closed.
    let mut s = connect_from(ATTACKER, to).await.unwrap();
    let head = format!(
        "POST /v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: 1000\r\n\r\n{{",
        api.admin
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let t = Instant::now();
    let answer = read_until_closed(&mut s, Duration::from_secs(5))
        .await
        .expect("closed");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"code\":\"timeout\""), "{text}");
    let held = t.elapsed();
    assert!(
        held >= Duration::from_millis(900) && held < Duration::from_secs(3),
        "{held:?}"
    );
    api.shutdown().await;
}

#[tokio::test]
async fn connections_are_capped_per_peer_address() {
    let api = relaxed(ConnectionLimits {
        max_connections_per_ip: Some(4),
        ..limits(5.0, 5.0)
    })
    .await;
    let to = addr_of(&api.base);
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect_from(ATTACKER, to).await.unwrap());
    }
    // Give the accept loop time to take all four.
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The fifth from the same address is closed at once, without an answer.
    let mut fifth = connect_from(ATTACKER, to).await.unwrap();
    let _ = fifth
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let answer = read_until_closed(&mut fifth, Duration::from_secs(2))
        .await
        .expect("closed at once");
    assert!(answer.is_empty(), "{answer:?}");
    // Another address is served.
    let r = client_from(HONEST)
        .get(format!("{}/health", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Closing one frees a place.
    held.pop();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = client_from(ATTACKER)
        .get(format!("{}/health", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    api.shutdown().await;
}

#[tokio::test]
async fn requests_without_a_valid_key_are_rate_limited_per_peer_address() {
    let api = relaxed(ConnectionLimits {
        unauthenticated_per_minute: 4,
        ..ConnectionLimits::default()
    })
    .await;
    let attacker = client_from(ATTACKER);
    let mut remaining = Vec::new();
    for path in ["/v1/scans", "/health", "/v1/keys", "/openapi.json"] {
        let r = attacker
            .get(format!("{}{path}", api.base))
            .bearer_auth("pq_live_000000000000000000000000000000000000000000000000")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-ratelimit-limit"], "4", "{path}");
        remaining.push(
            r.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(remaining, ["3", "2", "1", "0"]);
    let r = common::reply(
        attacker
            .get(format!("{}/v1/scans", api.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.assert_error(429, "rate_limited");
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.header("x-ratelimit-remaining").as_deref(), Some("0"));
    // Another address has a bucket of its own; a valid key is never counted here.
    let honest = client_from(HONEST);
    let r = honest
        .get(format!("{}/v1/scans", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = attacker
        .get(format!("{}/v1/scans", api.base))
        .bearer_auth(&api.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    api.shutdown().await;
}

#[tokio::test]
async fn rate_limit_headers_on_every_v1_answer_and_reset_means_full() {
    let api = Api::start(Config {
        rate_limits: RateLimits {
            scans_write: 3,
            read: 100,
            write: 100,
        },
        ..Config::in_memory()
    })
    .await;
    let k = api.admin.clone();
    let reset =
        |r: &common::Reply| -> u64 { r.header("x-ratelimit-reset").unwrap().parse().unwrap() };

    // A wrong method on /v1/scans is a 405 from the write bucket: the submit bucket
    // keeps all three.
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let r = api
            .send(Some(&k), method, "/v1/scans", Some(&json!({})), &[])
            .await;
        r.assert_error(405, "method_not_allowed");
        assert_eq!(r.header("x-ratelimit-limit").as_deref(), Some("100"));
    }
    let mut last_reset = 0;
    for left in ["2", "1", "0"] {
        let r = api.post(&k, "/v1/scans", &scan_body("rl.example")).await;
        r.ok();
        assert_eq!(r.header("x-ratelimit-remaining").as_deref(), Some(left));
        last_reset = reset(&r);
    }
    // The bucket of 3 per minute is full again 60 s after the third request.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        (now + 58..=now + 61).contains(&last_reset),
        "{last_reset} vs {now}"
    );
    // The 429 says when the bucket is full, as the 2xx before it did: never earlier.
    let refused = api.post(&k, "/v1/scans", &scan_body("rl.example")).await;
    refused.assert_error(429, "rate_limited");
    assert!(
        reset(&refused) >= last_reset,
        "{} < {last_reset}",
        reset(&refused)
    );
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");

    // Unknown /v1 routes are authenticated and counted: 404 with the headers, 401 with
    // the peer bucket's headers without a key.
    let r = api.get(&k, "/v1/nope").await;
    r.assert_error(404, "not_found");
    assert_eq!(r.header("x-ratelimit-limit").as_deref(), Some("100"));
    let r = api
        .send(
            Some(&k),
            Method::POST,
            "/v1/scans/extra/segments",
            None,
            &[],
        )
        .await;
    r.assert_error(404, "not_found");
    assert!(r.header("x-ratelimit-reset").is_some());
    for path in ["/v1/nope", "/v1/scans", "/v1"] {
        let r = api.send(None, Method::GET, path, None, &[]).await;
        r.assert_error(401, "unauthorized");
        assert!(r.header("x-ratelimit-limit").is_some(), "{path}");
        assert!(r.header("x-ratelimit-remaining").is_some(), "{path}");
        assert!(r.header("x-ratelimit-reset").is_some(), "{path}");
    }

    // A wrong method on /health or /openapi.json is a 405 in the error envelope.
    for path in ["/health", "/openapi.json"] {
        for method in [Method::POST, Method::PUT, Method::DELETE] {
            let r = api.send(None, method, path, None, &[]).await;
            r.assert_error(405, "method_not_allowed");
        }
    }
    api.shutdown().await;
}

#[tokio::test]
async fn list_pages_stop_at_the_byte_budget_and_page_on() {
    let api = common::Api::memory().await;
    let k = api.admin.clone();
    // Six scans of ~0.9 MiB each: 1000 findings with long evidence.
    let finding = json!({"severity": "low", "title": "weak cipher", "evidence": "e".repeat(880)});
    let mut ids = Vec::new();
    for i in 0..6 {
        let mut body = scan_body(&format!("big-{i}.example"));
        body["findings"] = Value::Array(vec![finding.clone(); 1000]);
        let r = api.post(&k, "/v1/scans", &body).await;
        ids.push(r.ok()["id"].as_str().unwrap().to_owned());
    }
    ids.reverse(); // newest first

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/scans?include=findings&limit=100&cursor={c}"),
            None => "/v1/scans?include=findings&limit=100".to_owned(),
        };
        let r = api.get(&k, &path).await;
        let page = r.ok();
        assert!(
            r.text.len() <= 5 * 1024 * 1024,
            "a page of {} bytes",
            r.text.len()
        );
        pages += 1;
        for s in page["data"].as_array().unwrap() {
            assert_eq!(s["findings"].as_array().unwrap().len(), 1000);
            seen.push(s["id"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert!(pages >= 2, "the first page must end early");
    assert_eq!(seen, ids, "every scan once, in order");
    api.shutdown().await;
}

#[tokio::test]
async fn a_replayed_delete_is_the_same_answer_and_no_vault_denied() {
    let api = Api::memory().await;
    let k = api.admin.clone();
    let cred = api
        .post(
            &k,
            "/v1/vault/credentials",
            &json!({"name": "db", "credentialType": "password", "values": {"password": "p"}}),
        )
        .await;
    let id = cred.ok()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/vault/credentials/{id}");
    let h = [("idempotency-key", "delete-once")];
    let first = api.send(Some(&k), Method::DELETE, &path, None, &h).await;
    let again = api.send(Some(&k), Method::DELETE, &path, None, &h).await;
    assert_eq!(first.ok(), &json!({"id": id, "deleted": true}));
    assert_eq!(again.ok(), first.ok());
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let audit = api.get(&k, "/v1/audit?limit=100").await;
    let types: Vec<&str> = audit.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["vault.seal", "vault.delete"]);
    // Without the key, a second delete is a new request: the uniform 403 and its row.
    api.send(Some(&k), Method::DELETE, &path, None, &[])
        .await
        .assert_error(403, "access_denied");
    api.shutdown().await;
}
