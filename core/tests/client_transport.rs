//! Transport behaviour against a scripted HTTP server (wiremock): retries, Retry-After,
//! idempotency keys, error mapping, timeouts that cover the body, pagination.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

use std::time::{Duration, Instant};

use futures_util::TryStreamExt as _;
use postq::api::{CreateScanRequest, RiskLevel};
use postq::{Client, ClientConfig, RequestOptions};
use serde_json::json;
use wiremock::matchers::{header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    let mut config = ClientConfig::new("pq_live_test_key").base_url(server.uri());
    config.initial_backoff = Duration::from_millis(10);
    Client::new(config).unwrap()
}

fn scan_json() -> serde_json::Value {
    json!({"id":"scan_1","url":"http://x/scans/scan_1","type":"url","target":"example.com","riskScore":85,
           "riskLevel":"High","source":"sdk","metadata":{},"findings":[],"createdAt":"2026-11-22T00:00:00.000Z"})
}

fn scan_request() -> CreateScanRequest {
    CreateScanRequest::new("url", "example.com", 85.0, RiskLevel::High)
}

fn error_body(code: &str) -> serde_json::Value {
    json!({"error":{"code":code,"message":format!("{code} happened"),"requestId":"req_body"}})
}

#[tokio::test]
async fn retries_5xx_reusing_one_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/scans"))
        .respond_with(ResponseTemplate::new(503).set_body_json(error_body("unavailable")))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/scans"))
        .respond_with(ResponseTemplate::new(200).set_body_json(scan_json()))
        .mount(&server)
        .await;

    let scan = client(&server)
        .scans()
        .submit(&scan_request())
        .await
        .unwrap();
    assert_eq!(scan.id, "scan_1");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let keys: Vec<_> = requests
        .iter()
        .map(|r| r.headers.get("idempotency-key").unwrap().clone())
        .collect();
    assert!(keys[0].to_str().unwrap().starts_with("pq_idem_"));
    assert!(
        keys.iter().all(|k| k == keys[0]),
        "every retry carries the same key"
    );
    let auth = requests[0]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(auth, "Bearer pq_live_test_key");
    let agent = requests[0]
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(agent.starts_with("postq-rust/"), "{agent}");
}

#[tokio::test]
async fn separate_calls_get_separate_idempotency_keys_and_overrides_win() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(scan_json()))
        .mount(&server)
        .await;
    let c = client(&server);
    c.scans().submit(&scan_request()).await.unwrap();
    c.scans().submit(&scan_request()).await.unwrap();
    c.with_options(RequestOptions {
        idempotency_key: Some("my-key".into()),
        ..Default::default()
    })
    .scans()
    .submit(&scan_request())
    .await
    .unwrap();
    let keys: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_ne!(keys[0], keys[1]);
    assert_eq!(keys[2], "my-key");
}

#[tokio::test]
async fn honours_retry_after_seconds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/scans/scan_1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(error_body("rate_limited")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/scans/scan_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(scan_json()))
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server).scans().get("scan_1").await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn retry_after_beyond_the_cap_fails_fast_with_the_hint() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "3600")
                .insert_header("X-Request-Id", "req_header")
                .set_body_json(error_body("rate_limited")),
        )
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = client(&server).scans().get("scan_1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.code(), "rate_limited");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.request_id(), Some("req_header"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn exhausted_retries_return_the_last_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(error_body("internal_error")))
        .mount(&server)
        .await;
    let err = client(&server).health().await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(500), "internal_error"));
    assert_eq!(err.request_id(), Some("req_body"));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        3,
        "1 attempt + 2 retries"
    );

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let no_retry = client(&server).with_options(RequestOptions {
        max_retries: Some(0),
        ..Default::default()
    });
    let err = no_retry.health().await.unwrap_err();
    assert_eq!(
        err.code(),
        "server_error",
        "a bare 5xx still maps to a code"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn each_status_maps_to_its_error_without_retrying() {
    for (status, code) in [
        (400, "validation_error"),
        (401, "unauthorized"),
        (403, "insufficient_scope"),
        (404, "not_found"),
        (409, "idempotency_key_reused"),
        (413, "payload_too_large"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_json(error_body(code)))
            .mount(&server)
            .await;
        let err = client(&server).scans().get("scan_1").await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code(), code);
        assert!(err.to_string().contains(&format!("HTTP {status}")), "{err}");
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "{status} is not retried"
        );
    }
}

#[tokio::test]
async fn idempotency_in_progress_conflict_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(409).set_body_json(error_body("idempotency_in_progress")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(scan_json()))
        .mount(&server)
        .await;
    client(&server)
        .scans()
        .submit(&scan_request())
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn invalid_input_is_caught_before_any_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&server);
    let mut bad = scan_request();
    bad.risk_score = 150.0;
    assert_eq!(
        c.scans().submit(&bad).await.unwrap_err().code(),
        "invalid_input"
    );
    assert_eq!(
        c.scans().get("../etc/passwd").await.unwrap_err().code(),
        "invalid_input"
    );
    assert_eq!(
        c.verify_with_key("hk_1", b"x", "not a signature")
            .await
            .unwrap_err()
            .code(),
        "invalid_signature"
    );
    let page = postq::api::ListQuery::limit(500);
    assert_eq!(
        c.scans().list(&page).await.unwrap_err().code(),
        "invalid_input"
    );
}

#[tokio::test]
async fn pagination_does_not_stop_on_an_empty_page() {
    let server = MockServer::start().await;
    let item = |id: &str| json!({"id":id,"type":"url","target":"t","riskScore":1,"riskLevel":"Low","createdAt":"2026-11-22T00:00:00.000Z"});
    Mock::given(method("GET"))
        .and(path("/v1/scans"))
        .and(query_param("cursor", "c2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data":[item("s3")],"nextCursor":null})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/scans"))
        .and(query_param("cursor", "c1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data":[],"nextCursor":"c2"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/scans"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data":[item("s1"),item("s2")],"nextCursor":"c1"})),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    let ids: Vec<String> = c
        .scans()
        .list_all(postq::api::ListQuery::limit(2))
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["s1", "s2", "s3"]);
}

#[tokio::test]
async fn whole_call_timeout_covers_slow_responses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(scan_json())
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let c = client(&server).with_options(RequestOptions {
        timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    });
    let started = Instant::now();
    let err = c.scans().get("scan_1").await.unwrap_err();
    assert_eq!(err.code(), "timeout");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A server that sends headers at once, then stalls in the middle of the body.
async fn stalling_body_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"status\":").await;
                tokio::time::sleep(Duration::from_secs(10)).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn attempt_timeout_covers_reading_the_body() {
    let base = stalling_body_server().await;
    let mut config = ClientConfig::new("pq_live_k").base_url(base);
    config.attempt_timeout = Duration::from_millis(300);
    config.max_retries = 1;
    config.initial_backoff = Duration::from_millis(10);
    let started = Instant::now();
    let err = Client::new(config).unwrap().health().await.unwrap_err();
    assert_eq!(err.code(), "timeout", "{err}");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(550) && elapsed < Duration::from_secs(3),
        "two attempts: {elapsed:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_connection_error_after_retries() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = ClientConfig::new("pq_live_k").base_url(format!("http://127.0.0.1:{port}"));
    config.initial_backoff = Duration::from_millis(5);
    let err = Client::new(config).unwrap().health().await.unwrap_err();
    assert_eq!(err.code(), "connection_error", "{err}");
}

#[tokio::test]
async fn malformed_success_body_is_an_invalid_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"unexpected\":true}"))
        .mount(&server)
        .await;
    let err = client(&server).scans().get("scan_1").await.unwrap_err();
    assert_eq!(err.code(), "invalid_response");
}

#[test]
fn key_is_never_sent_over_plain_http_to_remote_hosts_nor_printed() {
    let err = Client::new(ClientConfig::new("pq_live_secret").base_url("http://api.example.com"))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_config");
    assert!(!err.to_string().contains("pq_live_secret"));
    for ok in [
        "http://127.0.0.1:8787",
        "http://localhost:1",
        "http://[::1]:2",
        "https://api.postq.dev",
    ] {
        Client::new(ClientConfig::new("pq_live_secret").base_url(ok)).unwrap();
    }
    let c = Client::new(ClientConfig::new("pq_live_secret")).unwrap();
    let printed = format!("{c:?} {:?}", ClientConfig::new("pq_live_secret"));
    assert!(
        !printed.contains("pq_live_secret") && printed.contains("redacted"),
        "{printed}"
    );
}

#[tokio::test]
async fn a_missing_key_is_a_config_error_without_a_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let c = Client::new(ClientConfig::default().base_url(server.uri())).unwrap();
    assert_eq!(c.health().await.unwrap_err().code(), "invalid_config");
}

#[tokio::test]
async fn an_empty_key_is_no_key_and_is_never_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    for empty in ["", "   "] {
        let c = Client::new(ClientConfig::new(empty).base_url(server.uri())).unwrap();
        let err = c.health().await.unwrap_err();
        assert_eq!(err.code(), "invalid_config");
        assert!(err.to_string().contains("no API key"), "{err}");
    }
}

/// A keep-alive HTTP/1.1 server that answers every request after a short pause and
/// records the most requests it had in hand at once and the connections it accepted.
async fn counting_server() -> (
    String,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let active = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let connections = Arc::new(AtomicUsize::new(0));
    let (peak_out, connections_out) = (peak.clone(), connections.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            connections.fetch_add(1, Ordering::SeqCst);
            let (active, peak) = (active.clone(), peak.clone());
            tokio::spawn(async move {
                let mut pending = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    // A GET has no body: a request ends at the blank line.
                    while !pending.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => pending.extend_from_slice(&buf[..n]),
                        }
                    }
                    let end = pending.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    pending.drain(..end);
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    active.fetch_sub(1, Ordering::SeqCst);
                    let body = br#"{"status":"ok"}"#;
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    if socket.write_all(head.as_bytes()).await.is_err()
                        || socket.write_all(body).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), peak_out, connections_out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_calls_queues_behind_the_in_flight_cap() {
    use std::sync::atomic::Ordering;
    let (base, peak, connections) = counting_server().await;
    let mut config = ClientConfig::new("pq_live_k").base_url(base);
    config.max_concurrent_requests = 8;
    let client = Client::new(config).unwrap();
    let calls = (0..200).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.health().await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().status, "ok");
    }
    let (peak, connections) = (
        peak.load(Ordering::SeqCst),
        connections.load(Ordering::SeqCst),
    );
    assert!(peak <= 8, "the server saw {peak} requests at once");
    assert!(
        peak >= 2,
        "calls ran concurrently up to the cap (peak {peak})"
    );
    // A finished request's connection returns to the pool a moment after its permit is
    // released, so the next call may open one more: bounded near the cap, never 200.
    assert!(
        connections <= 16,
        "the client opened {connections} connections"
    );
}
