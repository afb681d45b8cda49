//! The layers agree: every route of the reference server's OpenAPI document (served
//! by an in-process server) is called by a `Command`, every `Command` route exists, and
//! every `Command` runs end to end through `run`/`CommandStream` — the core client call
//! included — against that server. A new route or command without the others fails here.
#![allow(clippy::expect_used)] // test code: a failed expectation is a test failure

use std::collections::BTreeSet;

use postq_bindings_common::{
    BindingClient, ClientOptions, Command, CommandStream, ErrorKind, OPERATIONS, run,
};
use serde_json::{Value, json};

async fn server() -> (postq_server::Running, String, String) {
    let running = postq_server::spawn(postq_server::Config::in_memory())
        .await
        .expect("server starts");
    let key = running.bootstrap_key.clone().expect("bootstrap key");
    let url = running.base_url();
    (running, url, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_openapi_route_has_a_command_and_every_command_route_exists() {
    let (running, url, _) = server().await;
    let doc: Value = reqwest::get(format!("{url}/openapi.json"))
        .await
        .expect("GET /openapi.json")
        .json()
        .await
        .expect("JSON");
    running.shutdown().await;

    let mut served = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            served.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    let called: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .flat_map(|op| op.routes)
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let uncalled: Vec<_> = served.difference(&called).collect();
    let unknown: Vec<_> = called.difference(&served).collect();
    assert!(
        uncalled.is_empty(),
        "OpenAPI routes without a Command: {uncalled:?}"
    );
    assert!(
        unknown.is_empty(),
        "Command routes the server does not document: {unknown:?}"
    );
}

struct Runner {
    client: postq::Client,
    ran: BTreeSet<&'static str>,
}

impl Runner {
    async fn call(&mut self, command: Value, payload: Option<&[u8]>) -> Value {
        let command = Command::from_json(&command.to_string()).expect("command parses");
        self.ran.insert(command.op());
        let out = run(&self.client, command, payload)
            .await
            .expect("call succeeds");
        serde_json::from_str(&out.json).expect("result is JSON")
    }

    async fn stream(&mut self, command: Value) -> Vec<Value> {
        let command = Command::from_json(&command.to_string()).expect("command parses");
        self.ran.insert(command.op());
        let stream = CommandStream::open(self.client.clone(), command).expect("a stream");
        let mut items = Vec::new();
        while let Some(item) = stream.next().await.expect("item") {
            items.push(serde_json::from_str(&item).expect("item is JSON"));
        }
        items
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_runs_against_the_reference_server() {
    let (running, url, key) = server().await;
    let binding = BindingClient::new(ClientOptions {
        api_key: Some(key),
        base_url: Some(url),
        user_agent: Some("postq-conformance/0".into()),
        ..ClientOptions::default()
    })
    .expect("client");
    let mut r = Runner {
        client: binding.client().expect("client"),
        ran: BTreeSet::new(),
    };
    let dir = tempfile::tempdir().expect("tempdir");

    assert_eq!(
        r.call(json!({"op": "health", "args": {}}), None).await["status"],
        "ok"
    );

    let scan = r
        .call(
            json!({"op": "scans.submit", "args": {
                "type": "cloud", "target": "azure:contoso", "riskScore": 70, "riskLevel": "High",
                "findings": [{"severity": "high", "title": "App Service allows TLS-1.0-MIN"}]
            }}),
            None,
        )
        .await;
    let scan_id = scan["id"].as_str().expect("id").to_owned();
    let finding = scan["findings"][0]["id"]
        .as_str()
        .expect("finding")
        .to_owned();
    let page = r
        .call(
            json!({"op": "scans.list", "args": {"limit": 1, "include": ["findings"]}}),
            None,
        )
        .await;
    assert_eq!(page["data"][0]["findings"][0]["id"], finding.as_str());
    assert_eq!(
        r.call(json!({"op": "scans.get", "args": {"id": scan_id}}), None)
            .await["id"],
        scan_id.as_str()
    );
    let report = json!({"op": "ingest.kubernetes", "args": {
        "clusterName": "prod-east-1", "agentVersion": "postq-agent 0.1.0",
        "riskScore": 55, "riskLevel": "High",
        "findings": [{"severity": "high", "code": "K8S-MTLS-PERMISSIVE",
            "title": "K8S-MTLS-PERMISSIVE: PeerAuthentication istio-system/PeerAuthentication/default sets mTLS PERMISSIVE",
            "object": {"namespace": "istio-system", "kind": "PeerAuthentication", "name": "default", "field": "spec.mtls.mode"}}],
        "summary": {"objects": {"PeerAuthentication": 1}}
    }});
    let ingested = r.call(report, None).await;
    assert_eq!(
        (&ingested["type"], &ingested["source"], &ingested["target"]),
        (&json!("k8s"), &json!("agent"), &json!("prod-east-1"))
    );
    assert!(
        ingested["findings"][0]["evidence"]
            .as_str()
            .expect("evidence")
            .starts_with("istio-system/PeerAuthentication/default spec.mtls.mode")
    );
    assert!(
        !r.stream(json!({"op": "scans.list_all", "args": {"limit": 1}}))
            .await
            .is_empty()
    );

    let key = r
        .call(
            json!({"op": "keys.create", "args": {"name": "conformance"}}),
            None,
        )
        .await;
    let key_id = key["id"].as_str().expect("id").to_owned();
    let page = r
        .call(
            json!({"op": "keys.list", "args": {"include": ["versions"]}}),
            None,
        )
        .await;
    assert!(page["data"][0]["versions"].is_array());
    assert_eq!(
        r.stream(json!({"op": "keys.list_all", "args": {}}))
            .await
            .len(),
        1
    );
    assert_eq!(
        r.call(json!({"op": "keys.get", "args": {"id": key_id}}), None)
            .await["version"],
        1
    );
    let public = r
        .call(
            json!({"op": "keys.public_key", "args": {"id": key_id}}),
            None,
        )
        .await;
    assert_eq!(public["fingerprint"], key["fingerprint"]);
    let signed = r
        .call(
            json!({"op": "sign", "args": {"keyId": key_id}}),
            Some(b"ship it"),
        )
        .await;
    let signature = signed["signature"].as_str().expect("signature").to_owned();
    let verdict = r
        .call(
            json!({"op": "verify", "args": {"keyId": key_id, "signature": signature}}),
            Some(b"ship it"),
        )
        .await;
    assert_eq!(verdict["ok"], true);
    let rotated = r
        .call(json!({"op": "keys.rotate", "args": {"id": key_id}}), None)
        .await;
    assert_eq!(rotated["version"], 2);
    let updated = r
        .call(
            json!({"op": "keys.update", "args": {"id": key_id, "request": {"minVersion": 2}}}),
            None,
        )
        .await;
    assert_eq!(updated["minVersion"], 2);

    let cred = r
        .call(json!({"op": "vault.seal", "args": {"name": "db", "credentialType": "password", "values": {"p": "s3cret"}}}), None)
        .await;
    let cred_id = cred["id"].as_str().expect("id").to_owned();
    assert_eq!(
        r.call(json!({"op": "vault.list", "args": {}}), None).await["data"][0]["id"],
        cred_id.as_str()
    );
    assert_eq!(
        r.stream(json!({"op": "vault.list_all", "args": {}}))
            .await
            .len(),
        1
    );
    assert_eq!(
        r.call(json!({"op": "vault.unseal", "args": {"id": cred_id}}), None)
            .await["values"]["p"],
        "s3cret"
    );
    assert_eq!(
        r.call(json!({"op": "vault.rotate", "args": {"id": cred_id}}), None)
            .await["version"],
        2
    );
    assert_eq!(
        r.call(json!({"op": "vault.delete", "args": {"id": cred_id}}), None)
            .await["deleted"],
        true
    );

    let created = r
        .call(json!({"op": "rollovers.create", "args": {"findingId": finding, "hostname": "app.contoso.example"}}), None)
        .await;
    let rollover = created["id"].as_str().expect("id").to_owned();
    assert!(
        created["privateKeyPem"]
            .as_str()
            .is_some_and(|k| k.contains("PRIVATE KEY"))
    );
    assert_eq!(
        r.call(json!({"op": "rollovers.list", "args": {}}), None)
            .await["data"][0]["id"],
        rollover.as_str()
    );
    assert_eq!(
        r.stream(json!({"op": "rollovers.list_all", "args": {}}))
            .await
            .len(),
        1
    );
    assert_eq!(
        r.call(
            json!({"op": "rollovers.get", "args": {"id": rollover}}),
            None
        )
        .await["status"],
        "planned"
    );
    let download =
        json!({"op": "rollovers.download", "args": {"id": rollover, "artifact": "cert.pem"}});
    let out = run(
        &r.client,
        Command::from_json(&download.to_string()).expect("parses"),
        None,
    )
    .await
    .expect("download");
    r.ran.insert("rollovers.download");
    assert!(
        out.bytes
            .is_some_and(|b| b.starts_with(b"-----BEGIN CERTIFICATE"))
    );
    let dir_text = dir.path().to_string_lossy().into_owned();
    let paths = r
        .call(
            json!({"op": "rollovers.download_all", "args": {"id": rollover, "dir": dir_text}}),
            None,
        )
        .await;
    assert_eq!(paths.as_array().map(Vec::len), Some(6));
    let moved = r
        .call(
            json!({"op": "rollovers.transition", "args": {"id": rollover, "request": {"to": "observation"}}}),
            None,
        )
        .await;
    assert_eq!(moved["status"], "observation");
    assert_eq!(
        r.call(
            json!({"op": "rollovers.rollback", "args": {"id": rollover}}),
            None
        )
        .await["status"],
        "rolled_back"
    );

    let rows = r
        .call(json!({"op": "audit.list", "args": {"limit": 100}}), None)
        .await;
    assert_eq!(rows["data"][0]["seq"], 1);
    let signs = r
        .stream(json!({"op": "audit.list_all", "args": {"eventType": "sign"}}))
        .await;
    assert_eq!(signs.len(), 1);
    assert_eq!(
        r.call(json!({"op": "audit.verify_chain", "args": {}}), None)
            .await["ok"],
        true
    );
    let checkpoint = r
        .call(json!({"op": "audit.checkpoint", "args": {}}), None)
        .await;
    let size = checkpoint["treeSize"].as_u64().expect("treeSize");
    assert!(size >= 2 && checkpoint["checkpoint"].is_string());
    let key = r
        .call(json!({"op": "audit.ledger_key", "args": {}}), None)
        .await;
    assert!(key.is_object());
    let inclusion = json!({"op": "audit.inclusion_proof", "args": {"seq": 1, "treeSize": size}});
    assert_eq!(r.call(inclusion, None).await["treeSize"], size);
    let consistency =
        json!({"op": "audit.consistency_proof", "args": {"treeSize1": 1, "treeSize2": size}});
    assert_eq!(r.call(consistency, None).await["treeSize2"], size);
    let first = r
        .call(json!({"op": "audit.witness", "args": {}}), None)
        .await;
    assert_eq!(
        (&first["outcome"], &first["keySource"]),
        (&json!("first"), &json!("trust_on_first_use"))
    );
    assert_eq!(first["ledgerKey"], key);
    r.call(
        json!({"op": "keys.rotate", "args": {"id": key_id, "request": {}}}),
        None,
    )
    .await;
    let grown = json!({"op": "audit.witness", "args": {"state": first["state"], "ledgerKey": key}});
    let grown = r.call(grown, None).await;
    assert_eq!(
        (&grown["outcome"], &grown["keySource"]),
        (&json!("extended"), &json!("state"))
    );
    assert_eq!(grown["previous"], first["checkpoint"]);
    assert!(grown["checkpoint"]["treeSize"].as_u64() > first["checkpoint"]["treeSize"].as_u64());

    running.shutdown().await;
    let all: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.name).collect();
    let missing: Vec<_> = all.difference(&r.ran).collect();
    assert!(
        missing.is_empty(),
        "commands this test never ran: {missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_their_kind() {
    let (running, url, key) = server().await;
    let client = BindingClient::new(ClientOptions {
        api_key: Some(key),
        base_url: Some(url),
        ..ClientOptions::default()
    })
    .expect("client")
    .client()
    .expect("client");
    let missing =
        Command::from_json(r#"{"op":"scans.get","args":{"id":"scan_01ZZZZZZZZZZZZZZZZZZZZZZZZ"}}"#)
            .expect("parses");
    let err = run(&client, missing, None).await.expect_err("404");
    assert_eq!((err.kind, err.status), (ErrorKind::NotFound, Some(404)));
    assert!(err.request_id.is_some());
    let sign = Command::from_json(r#"{"op":"sign","args":{"keyId":"hk_x"}}"#).expect("parses");
    let err = run(&client, sign, None).await.expect_err("no payload");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Validation, "invalid_input")
    );
    let stream = Command::from_json(r#"{"op":"scans.list_all","args":{}}"#).expect("parses");
    assert_eq!(
        run(&client, stream, None).await.err().map(|e| e.kind),
        Some(ErrorKind::Validation)
    );
    let call = Command::from_json(r#"{"op":"health","args":{}}"#).expect("parses");
    assert!(CommandStream::open(client.clone(), call).is_err());
    running.shutdown().await;
}
