//! `postq scan k8s` and `postq agent` through the binary: manifests (a rendered-chart YAML
//! stream, a `kubectl get -o json` List, stdin), the live path against a fake Kubernetes
//! API server (paging, a 403 and 404s for optional CRD groups), the gate, SARIF and CBOM
//! against the official schemas, and the agent posting to the in-process reference
//! server — read back as a k8s scan, exactly once even when a post is retried.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;
mod k8s_support;
mod scan_support;

use std::io::Write as _;
use std::process::Stdio;

use k8s_support::fake_api::FakeApi;
use k8s_support::{assert_cluster_findings, cluster, findings};
use scan_support::{assert_valid_cbom, assert_valid_sarif};
use serde_json::Value;

fn out_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn manifests_as_yaml_stream_json_list_and_stdin() {
    let env = common::start();
    let c = cluster(env.dir.path());
    std::fs::write(env.path("rendered.yaml"), c.yaml_stream()).unwrap();
    std::fs::write(env.path("dump.json"), c.json_list()).unwrap();

    let mut seen = Vec::new();
    for file in ["rendered.yaml", "dump.json"] {
        let out = env.postq(&[
            "--json",
            "scan",
            "k8s",
            "--manifests",
            file,
            "--no-submit",
            "--fail-on",
            "none",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", out_text(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let report = &doc[0];
        assert_eq!(report["type"], "k8s");
        assert_eq!(report["target"], file);
        assert_eq!(report["k8s"]["source"], "manifests");
        assert_eq!(report["k8s"]["objects"]["Secret"], 8, "{}", report["k8s"]);
        assert_eq!(report["k8s"]["objects"]["ConfigMap"], 3);
        assert_eq!(
            report["k8s"]["ignored"], 2,
            "the Opaque Secret and the Deployment"
        );
        assert_eq!(report["riskLevel"], "critical");
        let notes = report["k8s"]["notes"].to_string();
        assert!(
            notes.contains("Ingress shop/Ingress/docs names shop/Secret/docs-tls"),
            "{notes}"
        );
        assert!(
            notes.contains(
                "Gateway istio-system/Gateway/modern names istio-system/Secret/missing-cert"
            ),
            "{notes}"
        );
        assert_cluster_findings(&c, report, &out_text(&out));
        let served = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "RSA-2048" && f["location"]["name"] == "shop-tls")
            .unwrap();
        assert!(
            served["evidence"]
                .as_str()
                .unwrap()
                .contains("served by Ingress shop/Ingress/web for shop.example"),
            "{served}"
        );
        let mut got = findings(report);
        got.sort();
        seen.push(got);
    }
    assert_eq!(
        seen[0], seen[1],
        "YAML stream and JSON List give the same findings"
    );

    // stdin, and a directory of manifests.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("postq"))
        .args([
            "--json",
            "scan",
            "k8s",
            "--manifests",
            "-",
            "--no-submit",
            "--fail-on",
            "none",
        ])
        .current_dir(env.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(c.yaml_stream().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got = findings(&doc[0]);
    got.sort();
    assert_eq!(got, seen[0]);

    std::fs::create_dir_all(env.path("chart/templates")).unwrap();
    std::fs::write(env.path("chart/templates/all.yaml"), c.yaml_stream()).unwrap();
    std::fs::write(env.path("chart/templates/NOTES.txt"), "not a manifest").unwrap();
    let doc = env.json(
        &[
            "scan",
            "k8s",
            "--manifests",
            "chart",
            "--no-submit",
            "--fail-on",
            "none",
        ],
        0,
    );
    assert_eq!(doc[0]["target"], "manifests (1 files)");
    assert_eq!(findings(&doc[0]).len(), seen[0].len());
}

#[test]
fn gate_sarif_cbom_and_submitted_scan() {
    let env = common::start();
    let c = cluster(env.dir.path());
    std::fs::write(env.path("cluster.yaml"), c.yaml_stream()).unwrap();

    // The default gate (high) fails; --fail-on none passes.
    let out = env.postq(&["scan", "k8s", "--manifests", "cluster.yaml", "--no-submit"]);
    assert_eq!(out.status.code(), Some(2), "{}", out_text(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("critical  RSA-2048"), "{table}");
    assert!(table.contains("shop/Secret/shop-tls tls.crt"), "{table}");

    let sarif = env.postq(&[
        "scan",
        "k8s",
        "--manifests",
        "cluster.yaml",
        "--no-submit",
        "--format",
        "sarif",
        "--out",
        "k8s.sarif",
    ]);
    assert_eq!(sarif.status.code(), Some(2));
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("k8s.sarif")).unwrap()).unwrap();
    assert_valid_sarif(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "cluster.yaml"
    ));
    assert!(results.iter().any(|r| r["ruleId"] == "K8S-MTLS-PERMISSIVE"
        && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            == "istio-system/PeerAuthentication/default spec.mtls.mode"));

    let cbom = env.postq(&[
        "scan",
        "k8s",
        "--manifests",
        "cluster.yaml",
        "--no-submit",
        "--format",
        "cbom",
        "--out",
        "k8s.cbom.json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(cbom.status.code(), Some(0));
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("k8s.cbom.json")).unwrap()).unwrap();
    assert_valid_cbom(&doc);
    let text = doc.to_string();
    assert!(
        text.contains("Example Internal CA") && text.contains("ECDSA-P384"),
        "CBOM lists the CA certificate"
    );

    // Submitted (an API key is set): one k8s scan from the CLI, read back.
    let doc = env.json(
        &[
            "scan",
            "k8s",
            "--manifests",
            "cluster.yaml",
            "--fail-on",
            "none",
        ],
        0,
    );
    let id = doc[0]["submitted"]["id"].as_str().unwrap().to_owned();
    let scan = env.json(&["scans", "get", &id], 0);
    assert_eq!(
        (scan["type"].as_str(), scan["source"].as_str()),
        (Some("k8s"), Some("cli"))
    );
    assert_eq!(
        scan["findings"].as_array().unwrap().len(),
        doc[0]["findings"].as_array().unwrap().len()
    );
    assert_eq!(scan["metadata"]["k8s"]["objects"]["Ingress"], 2);
}

#[test]
fn bad_manifests_are_clear_errors() {
    let env = common::start();
    std::fs::write(
        env.path("broken.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata: {name: [unclosed\n",
    )
    .unwrap();
    let out = env.postq(&["scan", "k8s", "--manifests", "broken.yaml", "--no-submit"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.yaml") && err.contains("YAML document 1"),
        "{err}"
    );
    let out = env.postq(&["scan", "k8s", "--manifests", "missing.yaml", "--no-submit"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.yaml"));
}

/// The fake cluster: PeerAuthentications forbidden, Linkerd absent, DestinationRules
/// only under v1beta1 (an older Istio).
fn fake_cluster(objects: Vec<Value>) -> FakeApi {
    FakeApi::start(
        objects,
        &[
            ("security.istio.io/v1/peerauthentications", 403),
            ("networking.istio.io/v1/destinationrules", 404),
            ("policy.linkerd.io/v1alpha1/meshtlsauthentications", 404),
        ],
    )
}

#[test]
fn live_scan_pages_and_skips_optional_groups() {
    let env = common::start();
    let c = cluster(env.dir.path());
    let api = fake_cluster(c.objects.clone());
    let kubeconfig = api.kubeconfig(env.dir.path());
    let kubeconfig = kubeconfig.to_str().unwrap();
    let out = env.postq(&[
        "--json",
        "scan",
        "k8s",
        "--kubeconfig",
        kubeconfig,
        "--page-size",
        "2",
        "--no-submit",
        "--fail-on",
        "none",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", out_text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = &doc[0];
    assert_eq!(
        (report["target"].as_str(), report["k8s"]["source"].as_str()),
        (Some("in-cluster"), Some("cluster"))
    );
    let notes = report["k8s"]["notes"].to_string();
    assert!(
        notes.contains(
            "PeerAuthentication (security.istio.io): skipped, listing is forbidden (403)"
        ),
        "{notes}"
    );
    assert!(notes.contains("MeshTLSAuthentication (policy.linkerd.io): skipped, not installed in this cluster (404)"), "{notes}");
    assert_eq!(
        report["k8s"]["objects"]["Secret"], 8,
        "only TLS Secrets are listed"
    );
    assert_eq!(
        report["k8s"]["objects"]["DestinationRule"], 4,
        "found under v1beta1"
    );
    assert!(report["k8s"]["objects"].get("PeerAuthentication").is_none());

    // Everything the manifests give, less the kinds the cluster would not list.
    let skipped =
        |at: &str| at.contains("/PeerAuthentication/") || at.contains("/MeshTLSAuthentication/");
    let live = findings(report);
    for (at, code, severity) in c.expected.iter().filter(|(at, _, _)| !skipped(at)) {
        assert!(
            live.iter()
                .any(|(a, c2, s)| a == at && c2 == code && s == severity),
            "missing {severity} {code} at {at}"
        );
    }
    assert!(live.iter().all(|(a, _, _)| !skipped(a)));
    assert_cluster_findings(
        &k8s_support::Cluster {
            objects: Vec::new(),
            private_keys: c.private_keys.clone(),
            expected: Vec::new(),
            clean: c.clean.clone(),
        },
        report,
        &out_text(&out),
    );

    let requests = api.requests();
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "read-only: {requests:?}"
    );
    let secrets: Vec<&String> = requests
        .iter()
        .filter(|r| r.contains("/api/v1/secrets"))
        .collect();
    assert_eq!(secrets.len(), 4, "8 TLS Secrets in pages of 2: {secrets:?}");
    assert!(
        secrets.iter().all(
            |r| r.contains("fieldSelector=type%3Dkubernetes.io%2Ftls") && r.contains("limit=2")
        )
    );
    assert!(secrets.iter().any(|r| r.contains("continue=offset-6")));
    assert!(
        requests
            .iter()
            .any(|r| r.contains("/apis/networking.istio.io/v1beta1/destinationrules"))
    );

    // --context picks the kubeconfig's context, and names the target.
    let doc = env.json(
        &[
            "scan",
            "k8s",
            "--kubeconfig",
            kubeconfig,
            "--context",
            "fake-context",
            "--no-submit",
            "--fail-on",
            "none",
        ],
        0,
    );
    assert_eq!(doc[0]["target"], "fake-context");
    let out = env.postq(&[
        "scan",
        "k8s",
        "--kubeconfig",
        kubeconfig,
        "--context",
        "nope",
        "--no-submit",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nope"),
        "{}",
        out_text(&out)
    );
}

#[test]
fn agent_posts_one_k8s_scan_and_fails_loudly() {
    let env = common::start();
    let c = cluster(env.dir.path());
    let api = fake_cluster(c.objects.clone());
    let kubeconfig = api.kubeconfig(env.dir.path());

    let agent = |kubeconfig: &std::path::Path, extra: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("postq").unwrap();
        cmd.env("POSTQ_BASE_URL", &env.base)
            .env("POSTQ_API_KEY", &env.key)
            .env("POSTQ_CLUSTER_NAME", "prod-east-1")
            .env("KUBECONFIG", kubeconfig)
            .env("POSTQ_AGENT_ONE_SHOT", "true")
            .args(["agent"])
            .args(extra);
        cmd.output().unwrap()
    };
    let out = agent(&kubeconfig, &["--page-size", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", out_text(&out));
    let text = out_text(&out);
    assert!(!text.contains(&env.key), "the API key is never printed");
    assert!(
        text.contains("agent: cluster prod-east-1:") && text.contains("recorded as scan_"),
        "{text}"
    );
    assert!(
        text.contains("agent: note: MeshTLSAuthentication"),
        "{text}"
    );

    let list = env.json(&["scans", "list", "--all"], 0);
    let scans = list.as_array().unwrap();
    assert_eq!(scans.len(), 1);
    assert_eq!(
        (
            scans[0]["type"].as_str(),
            scans[0]["source"].as_str(),
            scans[0]["target"].as_str()
        ),
        (Some("k8s"), Some("agent"), Some("prod-east-1"))
    );
    let scan = env.json(&["scans", "get", scans[0]["id"].as_str().unwrap()], 0);
    let stored = scan["findings"].as_array().unwrap();
    assert!(stored.iter().any(|f| {
        f["code"] == "RSA-2048"
            && f["severity"] == "critical"
            && f["evidence"]
                .as_str()
                .unwrap()
                .starts_with("shop/Secret/shop-tls tls.crt — certificate CN=shop.example")
    }));
    assert!(stored.iter().any(|f| {
        f["code"] == "K8S-MTLS-DISABLED"
            && f["evidence"]
                .as_str()
                .unwrap()
                .starts_with("shop/DestinationRule/db ")
    }));
    assert_eq!(scan["metadata"]["k8s"]["summary"]["objects"]["Secret"], 8);
    assert!(
        scan["metadata"]["k8s"]["agentVersion"]
            .as_str()
            .unwrap()
            .starts_with("postq-agent ")
    );
    assert_eq!(scan["riskLevel"], "Critical");
    let stored_text = scan.to_string();
    for key in &c.private_keys {
        let line = key.lines().nth(1).unwrap();
        assert!(!stored_text.contains(line), "key material stored");
    }

    // A cluster whose RBAC forbids Secrets: exit 1, a clear reason, nothing recorded.
    let locked = FakeApi::start(c.objects.clone(), &[("/v1/secrets", 403)]);
    let locked_dir = tempfile::tempdir().unwrap();
    let out = agent(&locked.kubeconfig(locked_dir.path()), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", out_text(&out));
    let text = out_text(&out);
    assert!(text.contains("secrets") && text.contains("403"), "{text}");
    assert!(!text.contains(&env.key));
    // No API key: a configuration error before anything is scanned.
    let out = assert_cmd::Command::cargo_bin("postq")
        .unwrap()
        .env_remove("POSTQ_API_KEY")
        .env("POSTQ_BASE_URL", &env.base)
        .args([
            "agent",
            "--one-shot",
            "--cluster-name",
            "x",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("POSTQ_API_KEY"));
    assert_eq!(
        env.json(&["scans", "list", "--all"], 0)
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// The agent's post goes through core's client: a connection dropped after the server
/// committed is retried with the same idempotency key and replayed — one scan.
#[tokio::test]
async fn a_retried_report_records_exactly_one_scan() {
    let dir = tempfile::tempdir().unwrap();
    let c = cluster(dir.path());
    std::fs::write(dir.path().join("c.yaml"), c.yaml_stream()).unwrap();
    let report = postq::scan::k8s::scan_manifests(
        std::io::BufReader::new(std::fs::File::open(dir.path().join("c.yaml")).unwrap()),
        "c.yaml",
        None,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let body = report.to_kubernetes_report("retry-cluster", None, "postq-agent test");

    let mut config = postq_server::Config::in_memory();
    config.faults = true;
    let server = postq_server::spawn(config).await.unwrap();
    let key = server.create_api_key("acme", &["all"]).await.unwrap().key;
    let mut client_config = postq::ClientConfig::new(key).base_url(server.base_url());
    client_config.initial_backoff = std::time::Duration::from_millis(20);
    let client = postq::Client::new(client_config).unwrap();
    let faulty = client.with_options(postq::RequestOptions {
        headers: vec![("X-PostQ-Fault".into(), "drop,times=1".into())],
        ..Default::default()
    });
    let scan = faulty.ingest().kubernetes(&body).await.unwrap();
    assert_eq!(
        (scan.scan_type.as_str(), scan.source.as_deref()),
        ("k8s", Some("agent"))
    );
    assert_eq!(scan.findings.len(), report.findings.len());
    let all = client
        .scans()
        .list(&postq::api::ListQuery::limit(10))
        .await
        .unwrap();
    assert_eq!(all.data.len(), 1, "the retry replayed the first answer");
    assert_eq!(all.data[0].id, scan.id);
}
