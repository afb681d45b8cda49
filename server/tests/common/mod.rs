//! Helpers shared by the integration tests: start a server in-process on 127.0.0.1:0
//! and talk to it over real HTTP.
#![allow(dead_code)]

use std::time::Duration;

use postq_server::{Config, Running};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Assert an error in the error envelope, with the request id of the header.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        let err = &self.body["error"];
        assert_eq!(err["code"], code, "body: {}", self.text);
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        let rid = self.header("x-request-id").expect("X-Request-Id header");
        assert_eq!(err["requestId"], rid.as_str());
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/json")
        );
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "body: {}", self.text);
        &self.body
    }
}

pub struct Api {
    pub running: Running,
    pub base: String,
    pub http: reqwest::Client,
    /// The bootstrap admin key (all scopes), when the data dir was fresh.
    pub admin: String,
}

impl Api {
    pub async fn start(config: Config) -> Api {
        let running = postq_server::spawn(config).await.expect("server starts");
        let base = running.base_url();
        let admin = running.bootstrap_key.clone().unwrap_or_default();
        Api {
            running,
            base,
            http: client(),
            admin,
        }
    }

    /// In memory, with rate limits high enough not to get in the way (the rate-limit
    /// test sets its own).
    pub async fn memory() -> Api {
        Self::start(Config {
            rate_limits: postq_server::RateLimits {
                scans_write: 100_000,
                read: 100_000,
                write: 100_000,
            },
            ..Config::in_memory()
        })
        .await
    }

    pub async fn key(&self, org: &str, scopes: &[&str]) -> String {
        self.running
            .create_api_key(org, scopes)
            .await
            .expect("api key")
            .key
    }

    pub async fn send(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(serde_json::to_vec(b).expect("json"));
        }
        let resp = req.send().await.expect("request sent");
        reply(resp).await
    }

    pub async fn get(&self, key: &str, path: &str) -> Reply {
        self.send(Some(key), Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, key: &str, path: &str, body: &Value) -> Reply {
        self.send(Some(key), Method::POST, path, Some(body), &[])
            .await
    }

    pub async fn patch(&self, key: &str, path: &str, body: &Value) -> Reply {
        self.send(Some(key), Method::PATCH, path, Some(body), &[])
            .await
    }

    pub async fn shutdown(self) {
        self.running.shutdown().await;
    }
}

pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .expect("client")
}

pub fn scan_body(target: &str) -> Value {
    serde_json::json!({
        "type": "url",
        "target": target,
        "riskScore": 85,
        "riskLevel": "High",
        "findings": [{"severity": "high", "title": "RSA-2048 public key"}],
    })
}
pub mod process;
