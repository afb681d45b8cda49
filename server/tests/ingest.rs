//! `POST /v1/ingest/kubernetes` over real HTTP against the in-process server: recorded
//! as a k8s scan from the agent, idempotent, all-or-nothing, scope and org checks, and
//! the error envelope for bad reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Api;
use reqwest::Method;
use serde_json::{Value, json};

fn report(cluster: &str) -> Value {
    json!({
        "clusterName": cluster,
        "agentVersion": "postq-agent 0.1.0",
        "riskScore": 76,
        "riskLevel": "High",
        "findings": [
            {
                "severity": "high",
                "code": "RSA-2048",
                "title": "RSA-2048: RSA-2048 public key",
                "evidence": "certificate CN=shop.example (sha256:ab12)",
                "object": {"namespace": "shop", "kind": "Secret", "name": "shop-tls", "field": "tls.crt"}
            },
            {
                "severity": "medium",
                "code": "K8S-MTLS-PERMISSIVE",
                "title": "K8S-MTLS-PERMISSIVE: PeerAuthentication istio-system/PeerAuthentication/default sets mTLS PERMISSIVE",
                "object": {"namespace": "istio-system", "kind": "PeerAuthentication", "name": "default"}
            },
            {
                "severity": "low",
                "code": "K8S-KEY-NOT-ROTATED",
                "title": "K8S-KEY-NOT-ROTATED: cert-manager keeps the private key on renewal",
                "object": {"kind": "ClusterIssuer", "name": "root"}
            }
        ],
        "summary": {"objects": {"Secret": 4, "PeerAuthentication": 1}, "ignored": 2, "notes": ["policy.linkerd.io: not installed"], "findingsOmitted": 0}
    })
}

async fn scan_count(api: &Api, key: &str) -> usize {
    api.get(key, "/v1/scans?limit=100").await.ok()["data"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_report_becomes_one_k8s_scan_from_the_agent() {
    let api = Api::memory().await;
    let writer = api.key("acme", &["scans:write", "scans:read"]).await;
    let r = api
        .post(&writer, "/v1/ingest/kubernetes", &report("prod-east-1"))
        .await;
    let scan = r.ok().clone();
    assert_eq!(scan["type"], "k8s");
    assert_eq!(scan["source"], "agent");
    assert_eq!(scan["target"], "prod-east-1");
    assert_eq!(
        (scan["riskScore"].clone(), scan["riskLevel"].clone()),
        (json!(76), json!("High"))
    );
    assert_eq!(scan["metadata"]["k8s"]["agentVersion"], "postq-agent 0.1.0");
    assert_eq!(scan["metadata"]["k8s"]["summary"]["objects"]["Secret"], 4);

    let id = scan["id"].as_str().unwrap();
    let back = api.get(&writer, &format!("/v1/scans/{id}")).await;
    let findings = back.ok()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 3);
    assert_eq!(findings[0]["code"], "RSA-2048");
    assert_eq!(
        findings[0]["evidence"],
        "shop/Secret/shop-tls tls.crt — certificate CN=shop.example (sha256:ab12)"
    );
    assert_eq!(
        findings[1]["evidence"],
        "istio-system/PeerAuthentication/default"
    );
    assert_eq!(findings[2]["evidence"], "ClusterIssuer/root");
    assert!(
        findings
            .iter()
            .all(|f| f["id"].as_str().unwrap().starts_with("fnd_"))
    );
    api.shutdown().await;
}

#[tokio::test]
async fn a_retried_report_records_one_scan() {
    let api = Api::memory().await;
    let body = report("retry");
    let headers = [("Idempotency-Key", "agent-run-1")];
    let first = api
        .send(
            Some(&api.admin),
            Method::POST,
            "/v1/ingest/kubernetes",
            Some(&body),
            &headers,
        )
        .await;
    let again = api
        .send(
            Some(&api.admin),
            Method::POST,
            "/v1/ingest/kubernetes",
            Some(&body),
            &headers,
        )
        .await;
    assert_eq!(first.ok()["id"], again.ok()["id"]);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(scan_count(&api, &api.admin).await, 1);
    api.shutdown().await;
}

#[tokio::test]
async fn bad_reports_get_the_envelope_and_record_nothing() {
    let api = Api::memory().await;
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut blank = report("x");
    blank["clusterName"] = json!("  ");
    cases.push((blank, "clusterName"));
    let mut unknown = report("x");
    unknown["extra"] = json!(1);
    cases.push((unknown, "extra"));
    // One bad finding among good ones: nothing of the report is kept.
    let mut one_bad = report("x");
    one_bad["findings"][2]["code"] = json!("not a code!");
    cases.push((one_bad, "findings[2].code"));
    let mut no_object = report("x");
    no_object["findings"][0]["object"]["name"] = json!("");
    cases.push((no_object, "findings[0].object.name"));
    let mut too_many = report("x");
    let one = too_many["findings"][0].clone();
    too_many["findings"] = Value::Array(vec![one; 1001]);
    cases.push((too_many, "at most 1000"));
    let mut score = report("x");
    score["riskScore"] = json!(101);
    cases.push((score, "riskScore"));
    for (body, mentions) in cases {
        let r = api.post(&api.admin, "/v1/ingest/kubernetes", &body).await;
        r.assert_error(400, "validation_error");
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(mentions), "{mentions}: {message}");
    }
    let r = api
        .send(
            Some(&api.admin),
            Method::POST,
            "/v1/ingest/kubernetes",
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(scan_count(&api, &api.admin).await, 0);
    api.shutdown().await;
}

#[tokio::test]
async fn scope_and_organisation_are_checked() {
    let api = Api::memory().await;
    let reader = api.key("acme", &["scans:read"]).await;
    api.post(&reader, "/v1/ingest/kubernetes", &report("x"))
        .await
        .assert_error(403, "insufficient_scope");
    let writer = api
        .running
        .create_api_key("acme", &["scans:write", "scans:read"])
        .await
        .unwrap();
    let mut other = report("x");
    other["orgId"] = json!("org_someone_else");
    api.post(&writer.key, "/v1/ingest/kubernetes", &other)
        .await
        .assert_error(403, "access_denied");
    let mut mine = report("x");
    mine["orgId"] = json!(writer.org_id);
    let stored = api.post(&writer.key, "/v1/ingest/kubernetes", &mine).await;
    assert_eq!(
        stored.ok()["metadata"]["k8s"]["orgId"],
        json!(writer.org_id)
    );
    assert_eq!(scan_count(&api, &writer.key).await, 1);
    api.shutdown().await;
}
