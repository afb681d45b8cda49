//! `postq scan url` and `postq scan repo` through the binary, against peers the tests
//! start on 127.0.0.1: rustls servers with and without post-quantum groups, OpenSSL
//! legacy (TLS 1.0 / 1.1) servers, RSA-1024 / RSA-2048 / SHA-1 / expired / CA-issued
//! certificates, a rollover-minted hybrid certificate and a tampered one, a blackhole
//! port, a closed port and plain HTTP; a repository tree with every key-material type.
//! Every expected finding is asserted by code and severity; SARIF and CBOM documents
//! are validated against the official schemas; exit codes are asserted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is a test failure

mod common;
mod scan_support;

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;
use postq::scan::tls::LoopbackOptions;
use rcgen::KeyPair;
use scan_support::*;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

fn postq(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("postq")
        .unwrap()
        .env_remove("POSTQ_API_KEY")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn expect_code(out: &std::process::Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn by_target(json: &Value) -> HashMap<String, Value> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["target"].as_str().unwrap().to_owned(), r.clone()))
        .collect()
}

fn pq_options() -> LoopbackOptions {
    LoopbackOptions::default()
}

fn classical_options() -> LoopbackOptions {
    LoopbackOptions {
        post_quantum: false,
        ..LoopbackOptions::default()
    }
}

#[test]
fn scan_url_reports_every_peer_by_code_and_severity() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut peers = Peers::new();
    let ip = ["127.0.0.1"];

    let p256 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let pq = peers.tls(
        &self_signed(&ip, &p256, None),
        &p256.serialize_pem(),
        pq_options(),
    );
    let nohsts = peers.tls(
        &self_signed(&ip, &p256, None),
        &p256.serialize_pem(),
        LoopbackOptions {
            hsts: false,
            ..pq_options()
        },
    );

    let rsa2048_pem = rsa_key(d, 2048);
    let rsa2048 = KeyPair::from_pem(&rsa2048_pem).unwrap();
    let classical = peers.tls(
        &self_signed(&ip, &rsa2048, None),
        &rsa2048_pem,
        classical_options(),
    );
    let prefers_classical = peers.tls(
        &self_signed(&ip, &p256, None),
        &p256.serialize_pem(),
        LoopbackOptions {
            prefer_classical: true,
            ..pq_options()
        },
    );
    let tls12 = peers.tls(
        &self_signed(&ip, &p256, None),
        &p256.serialize_pem(),
        LoopbackOptions {
            tls12_only: true,
            ..pq_options()
        },
    );
    let now = OffsetDateTime::now_utc();
    let expired = peers.tls(
        &self_signed(
            &ip,
            &p256,
            Some((now - Duration::days(400), now - Duration::days(35))),
        ),
        &p256.serialize_pem(),
        pq_options(),
    );
    // SHA-1-signed RSA-2048 certificate, served by rustls.
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-sha1",
            "-nodes",
            "-subj",
            "/CN=sha1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-days",
            "30",
            "-keyout",
            "sha1.key",
            "-out",
            "sha1.pem",
        ],
    );
    let sha1 = peers.tls(&read(d, "sha1.pem"), &read(d, "sha1.key"), pq_options());
    // RSA-1024 (aws-lc refuses to serve it): OpenSSL legacy peers.
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-sha256",
            "-nodes",
            "-subj",
            "/CN=legacy",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-days",
            "30",
            "-keyout",
            "legacy.key",
            "-out",
            "legacy.pem",
        ],
    );
    let tls10 = openssl_server(d, "legacy.pem", "legacy.key", "-tls1");
    let tls11 = openssl_server(d, "legacy.pem", "legacy.key", "-tls1_1");
    // A leaf issued by a CA passed with --ca-file.
    let (ca, leaf, leaf_key) = ca_and_leaf(&ip);
    std::fs::write(d.join("ca.pem"), &ca).unwrap();
    let trusted = peers.tls(&leaf, &leaf_key, pq_options());
    let blackhole = peers.blackhole();
    let closed = closed_port();
    let http = peers.plain_http(false);
    let redirect = peers.plain_http(true);

    let https_pq = format!("https://127.0.0.1:{pq}/");
    let https_nohsts = format!("https://127.0.0.1:{nohsts}/app");
    let targets: Vec<String> = [
        pq,
        classical,
        prefers_classical,
        tls12,
        expired,
        sha1,
        tls10.port,
        tls11.port,
        trusted,
        blackhole,
        closed,
        http,
    ]
    .iter()
    .map(|p| addr(*p))
    .chain([
        https_pq.clone(),
        https_nohsts.clone(),
        "not a target".to_owned(),
    ])
    .collect();
    let http_port = http.to_string();
    let mut args = vec![
        "--json",
        "--timeout",
        "2",
        "scan",
        "url",
        "--no-submit",
        "--concurrency",
        "8",
        "--http-port",
        &http_port,
        "--ca-file",
        "ca.pem",
    ];
    args.extend(targets.iter().map(String::as_str));
    let out = postq(d, &args);
    expect_code(&out, 2, "findings at High fail the default gate");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = by_target(&json);
    assert_eq!(r.len(), targets.len(), "one report per target, none lost");
    let at = |p: u16| &r[&addr(p)];

    // Post-quantum hybrid negotiated; P-256 key is quantum-vulnerable; self-signed.
    assert!(has(at(pq), "KX-PQ-HYBRID", "info"), "{:?}", codes(at(pq)));
    assert_eq!(at(pq)["tls"]["keyExchange"], "X25519MLKEM768");
    assert_eq!(at(pq)["tls"]["protocol"], "TLSv1.3");
    let accepted: Vec<&str> = at(pq)["tls"]["pqGroupsAccepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(accepted, ["X25519MLKEM768", "SecP256r1MLKEM768"]);
    assert!(has(at(pq), "ECC-QV", "medium"));
    assert!(has(at(pq), "CERT-SELF-SIGNED", "medium"));
    assert!(!has(at(pq), "KX-NOT-PQ", "high") && !has(at(pq), "CERT-HOSTNAME-MISMATCH", "high"));
    assert_eq!(at(pq)["riskLevel"], "medium");
    assert_eq!(at(pq)["riskScore"], 44.0); // 40 + 40/10

    // No PQ groups at all; RSA-2048.
    assert!(
        has(at(classical), "KX-NOT-PQ", "high"),
        "{:?}",
        codes(at(classical))
    );
    assert!(has(at(classical), "RSA-2048", "high"));
    assert!(
        at(classical)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["title"] == "RSA-2048 public key")
    );
    // Supports PQ alone, prefers classical.
    assert!(
        has(at(prefers_classical), "KX-PQ-NOT-PREFERRED", "high"),
        "{:?}",
        codes(at(prefers_classical))
    );
    assert_eq!(at(prefers_classical)["tls"]["keyExchange"], "X25519");
    // TLS 1.2 only.
    assert!(
        has(at(tls12), "TLS-1.3-UNSUPPORTED", "medium"),
        "{:?}",
        codes(at(tls12))
    );
    assert!(has(at(tls12), "KX-NOT-PQ", "high"));
    assert_eq!(at(tls12)["tls"]["protocol"], "TLSv1.2");
    // Expired; SHA-1.
    assert!(
        has(at(expired), "CERT-EXPIRED", "critical"),
        "{:?}",
        codes(at(expired))
    );
    assert!(
        !codes(at(expired))
            .iter()
            .any(|(c, _)| c == "CERT-UNTRUSTED"),
        "expiry is reported once"
    );
    assert!(
        has(at(sha1), "CERT-WEAK-SIGNATURE", "critical"),
        "{:?}",
        codes(at(sha1))
    );
    assert!(has(at(sha1), "RSA-2048", "high"));
    // Legacy OpenSSL peers with an RSA-1024 certificate.
    let l10 = at(tls10.port);
    assert!(has(l10, "TLS-1.0-MIN", "critical"), "{:?}", codes(l10));
    assert!(
        l10["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["title"].as_str().unwrap().starts_with("TLS-1.0-MIN"))
    );
    assert!(
        has(l10, "RSA-WEAK", "critical"),
        "certificate read from the legacy handshake: {:?}",
        codes(l10)
    );
    assert!(has(l10, "TLS-1.3-UNSUPPORTED", "medium") && has(l10, "KX-NOT-PQ", "high"));
    assert_eq!(l10["riskLevel"], "critical");
    let l11 = at(tls11.port);
    assert!(has(l11, "TLS-1.1-MIN", "critical"), "{:?}", codes(l11));
    assert!(!has(l11, "TLS-1.0-MIN", "critical"));
    // CA-issued leaf, trusted through --ca-file.
    let t = at(trusted);
    assert!(
        !codes(t)
            .iter()
            .any(|(c, _)| c == "CERT-UNTRUSTED" || c == "CERT-SELF-SIGNED"),
        "{:?}",
        codes(t)
    );
    assert!(has(at(classical), "CERT-SELF-SIGNED", "medium"));
    // Unscannable targets, each with its reason.
    assert_eq!(at(blackhole)["status"], "timeout", "{}", at(blackhole));
    assert_eq!(at(closed)["status"], "refused");
    assert_eq!(at(http)["status"], "not_tls");
    assert!(at(http)["error"].as_str().unwrap().contains("TLS"));
    assert_eq!(r["not a target"]["status"], "invalid");
    // https:// targets: plain HTTP served without a redirect; HSTS.
    assert!(
        has(&r[&https_pq], "HTTPS-NOT-ENFORCED", "high"),
        "{:?}",
        codes(&r[&https_pq])
    );
    assert!(
        r[&https_pq]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["title"]
                .as_str()
                .unwrap()
                .starts_with("HTTPS-NOT-ENFORCED"))
    );
    assert!(!has(&r[&https_pq], "HSTS-MISSING", "low"));
    assert_eq!(r[&https_pq]["tls"]["hsts"], "max-age=31536000");
    assert!(has(&r[&https_nohsts], "HSTS-MISSING", "low"));

    // A redirect to https:// passes.
    let redirect_port = redirect.to_string();
    let out = postq(
        d,
        &[
            "--json",
            "scan",
            "url",
            "--no-submit",
            "--http-port",
            &redirect_port,
            "--fail-on",
            "none",
            &https_pq,
        ],
    );
    expect_code(&out, 0, "--fail-on none");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !codes(&json[0])
            .iter()
            .any(|(c, _)| c == "HTTPS-NOT-ENFORCED"),
        "{:?}",
        codes(&json[0])
    );
    assert!(
        json[0]["tls"]["plainHttp"]
            .as_str()
            .unwrap()
            .starts_with("301 -> https://")
    );

    // SARIF and CBOM of the scannable peers, against the official schemas.
    let scannable: Vec<String> = [
        pq,
        classical,
        prefers_classical,
        tls12,
        expired,
        sha1,
        tls10.port,
        trusted,
    ]
    .iter()
    .map(|p| addr(*p))
    .collect();
    let mut sarif_args = vec![
        "scan",
        "url",
        "--no-submit",
        "--format",
        "sarif",
        "--out",
        "scan.sarif",
    ];
    sarif_args.extend(scannable.iter().map(String::as_str));
    expect_code(&postq(d, &sarif_args), 2, "sarif run gates too");
    let sarif: Value = serde_json::from_str(&read(d, "scan.sarif")).unwrap();
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|x| x["ruleId"] == "TLS-1.0-MIN" && x["level"] == "error")
    );
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules.iter().find(|x| x["id"] == "RSA-WEAK").unwrap();
    assert_eq!(rule["properties"]["security-severity"], "9.5");
    assert!(results.iter().all(|x| {
        x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:")
    }));

    let mut cbom_args = vec![
        "scan",
        "url",
        "--no-submit",
        "--fail-on",
        "none",
        "--format",
        "cbom",
    ];
    cbom_args.extend(scannable.iter().map(String::as_str));
    let out = postq(d, &cbom_args);
    expect_code(&out, 0, "cbom to stdout");
    let cbom: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_cbom(&cbom);
    assert_eq!(cbom["specVersion"], "1.6");
    let comps = cbom["components"].as_array().unwrap();
    let kinds = |t: &str| {
        comps
            .iter()
            .filter(|c| c["cryptoProperties"]["assetType"] == t)
            .count()
    };
    assert!(
        kinds("protocol") == scannable.len()
            && kinds("certificate") >= scannable.len()
            && kinds("algorithm") > 5
    );
    let kem = comps
        .iter()
        .find(|c| c["name"] == "X25519MLKEM768")
        .unwrap();
    assert_eq!(
        kem["cryptoProperties"]["algorithmProperties"]["primitive"],
        "kem"
    );
    assert_eq!(
        kem["cryptoProperties"]["algorithmProperties"]["nistQuantumSecurityLevel"],
        3
    );
    let refs: std::collections::HashSet<&str> = comps
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    for dep in cbom["dependencies"].as_array().unwrap() {
        for to in dep["dependsOn"].as_array().unwrap() {
            assert!(
                refs.contains(to.as_str().unwrap()),
                "dangling dependency {to}"
            );
        }
    }
    let protocol = comps
        .iter()
        .find(|c| c["name"].as_str().unwrap().ends_with(&addr(pq)))
        .unwrap();
    assert_eq!(
        protocol["cryptoProperties"]["protocolProperties"]["version"],
        "1.3"
    );
    assert!(
        protocol["cryptoProperties"]["protocolProperties"]["cipherSuites"][0]["identifiers"][0]
            .as_str()
            .unwrap()
            .starts_with("0x13,")
    );
    drop(peers);
}

#[test]
fn scan_submits_reads_back_gates_and_verifies_hybrid_certificates() {
    let env = common::start();
    let d = env.dir.path();
    let mut peers = Peers::new();

    // A legacy peer: its scan is submitted, read back, and its TLS-1.0-MIN finding
    // starts a real rollover.
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=legacy",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-days",
            "30",
            "-keyout",
            "l.key",
            "-out",
            "l.pem",
        ],
    );
    let legacy = openssl_server(d, "l.pem", "l.key", "-tls1");
    let target = addr(legacy.port);
    let scanned = env.json(&["scan", "url", &target, "--fail-on", "none"], 0);
    let stored = &scanned[0]["submitted"];
    let id = stored["id"].as_str().unwrap();
    let back = env.json(&["scans", "get", id], 0);
    assert_eq!(back["type"], "url");
    assert_eq!(back["target"], target.as_str());
    assert_eq!(back["source"], "cli");
    assert_eq!(back["riskLevel"], "Critical");
    assert_eq!(back["riskScore"].as_f64(), scanned[0]["riskScore"].as_f64());
    assert_eq!(back["metadata"]["tls"]["legacyVersionsAccepted"][0], "1.0");
    let findings = back["findings"].as_array().unwrap();
    assert_eq!(
        findings.len(),
        scanned[0]["findings"].as_array().unwrap().len()
    );
    let tls10 = findings
        .iter()
        .find(|f| f["title"].as_str().unwrap().starts_with("TLS-1.0-MIN"))
        .unwrap();
    assert_eq!(tls10["severity"], "critical");
    assert!(
        tls10["evidence"]
            .as_str()
            .unwrap()
            .contains("ServerHello TLS 1.0")
    );

    // The reference server starts rollovers from cloud-scan findings only; the finding's
    // title, as the scanner wrote it, is what makes it eligible.
    let cloud = env.json(
        &[
            "scans",
            "submit",
            "--type",
            "cloud",
            "--target",
            "azure:app",
            "--finding",
            &format!("critical:{}", tls10["title"].as_str().unwrap()),
        ],
        0,
    );
    let created = env.json(
        &[
            "rollover",
            "create",
            "--finding",
            cloud["findings"][0]["id"].as_str().unwrap(),
            "--hostname",
            "hybrid.postq.test",
            "--out",
            "bundle",
        ],
        0,
    );
    assert!(created["id"].is_string());
    let cert = read(d, "bundle/postq-hybrid.pem");
    let key = read(d, "bundle/postq-hybrid.key");

    // The minted certificate, served by rustls: hybrid-bound.
    let hybrid = peers.tls(&cert, &key, pq_options());
    let name = format!("hybrid.postq.test:{hybrid}");
    let resolve = format!("hybrid.postq.test:{hybrid}:127.0.0.1");
    let report = env.json(
        &[
            "scan",
            "url",
            &name,
            "--resolve",
            &resolve,
            "--fail-on",
            "high",
        ],
        0,
    );
    let r = &report[0];
    assert!(has(r, "CERT-HYBRID-BOUND", "info"), "{:?}", codes(r));
    assert!(has(r, "KX-PQ-HYBRID", "info"));
    assert!(
        !codes(r)
            .iter()
            .any(|(c, _)| c == "CERT-HYBRID-INVALID" || c == "CERT-HOSTNAME-MISMATCH")
    );
    assert_eq!(r["tls"]["hybridBound"], true);
    let back = env.json(&["scans", "get", r["submitted"]["id"].as_str().unwrap()], 0);
    assert!(back["findings"].as_array().unwrap().iter().any(|f| {
        f["title"]
            .as_str()
            .unwrap()
            .starts_with("CERT-HYBRID-BOUND")
    }));
    // The same scan gates at medium (ECC-QV, CERT-SELF-SIGNED) and not at high.
    let gated = env.postq(&[
        "scan",
        "url",
        &name,
        "--resolve",
        &resolve,
        "--fail-on",
        "medium",
        "--no-submit",
    ]);
    assert_eq!(
        gated.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&gated.stderr)
    );

    // A sidecar bound to another ML-DSA key: the binding does not verify.
    let seeds = postq::sidecar::MintSeeds {
        ecdsa_secret: [7; 32],
        mldsa_seed: [8; 32],
        serial: [9; 16],
    };
    let tampered = postq::sidecar::testing::mint_tampered(
        &postq::sidecar::MintRequest::new("tampered.postq.test"),
        &seeds,
        &postq::sidecar::testing::Tamper {
            binding_pq_seed: Some([1; 32]),
            ..Default::default()
        },
    )
    .unwrap();
    let bad = peers.tls(
        &tampered.certificate_pem,
        &tampered.private_key_pem,
        pq_options(),
    );
    let name = format!("tampered.postq.test:{bad}");
    let resolve = format!("tampered.postq.test:{bad}:127.0.0.1");
    let report = env.json(
        &["scan", "url", &name, "--resolve", &resolve, "--no-submit"],
        2,
    );
    assert!(
        has(&report[0], "CERT-HYBRID-INVALID", "high"),
        "{:?}",
        codes(&report[0])
    );
    assert_eq!(report[0]["tls"]["hybridBound"], false);

    // `scans submit --fail-on-high` looks at the findings, not only the declared level.
    let low_with_critical = env.postq(&[
        "scans",
        "submit",
        "--type",
        "url",
        "--target",
        "x.example",
        "--risk-level",
        "Low",
        "--finding",
        "critical:RSA-WEAK: RSA-1024 public key",
        "--fail-on-high",
    ]);
    assert_eq!(
        low_with_critical.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&low_with_critical.stderr)
    );
    let low_only = env.postq(&[
        "scans",
        "submit",
        "--type",
        "url",
        "--target",
        "x.example",
        "--risk-level",
        "Low",
        "--finding",
        "low:HSTS-MISSING",
        "--fail-on-high",
    ]);
    assert_eq!(low_only.status.code(), Some(0));
    drop(peers);
}

#[test]
fn exit_codes_are_unambiguous() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    expect_code(
        &postq(d, &["scann", "url", "example.com"]),
        1,
        "a typo is an error, not a gate",
    );
    expect_code(
        &postq(d, &["scan", "url", "--fail-on", "sometimes", "x"]),
        1,
        "bad value",
    );
    expect_code(&postq(d, &["scan", "url"]), 1, "no targets");
    expect_code(&postq(d, &["--help"]), 0, "--help");
    expect_code(&postq(d, &["--version"]), 0, "--version");
    expect_code(
        &postq(d, &["scan", "url", "--help"]),
        0,
        "subcommand --help",
    );
    let closed = addr(closed_port());
    let out = postq(d, &["--json", "scan", "url", &closed, "--fail-on", "none"]);
    expect_code(&out, 1, "an unscannable target is an error");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["status"], "refused");
    expect_code(
        &postq(d, &["scan", "repo", "does/not/exist"]),
        1,
        "missing path",
    );
}

/// Writes the repository fixture: one file per material type (keys from openssl,
/// ssh-keygen and rcgen, made now; nothing secret is committed).
fn fixture_tree(root: &Path) -> HashMap<&'static str, String> {
    let run = |cmd: &str, args: &[&str]| {
        let out = std::process::Command::new(cmd)
            .args(args)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for sub in ["certs", "keys", "ssh", "ignored", "bin"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
    std::fs::write(root.join("README.md"), "# app\nnothing to see\n").unwrap();
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=app",
            "-days",
            "30",
            "-keyout",
            "keys/app.key",
            "-out",
            "certs/app.pem",
        ],
    );
    run(
        "openssl",
        &[
            "x509",
            "-in",
            "certs/app.pem",
            "-outform",
            "DER",
            "-out",
            "certs/app.der",
        ],
    );
    run(
        "openssl",
        &["genrsa", "-traditional", "-out", "keys/pkcs1.pem", "1024"],
    );
    run(
        "openssl",
        &[
            "genrsa",
            "-traditional",
            "-aes128",
            "-passout",
            "pass:test",
            "-out",
            "keys/legacy-encrypted.pem",
            "2048",
        ],
    );
    run(
        "openssl",
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "keys/sec1.pem",
        ],
    );
    run(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "ed25519",
            "-aes-256-cbc",
            "-pass",
            "pass:test",
            "-out",
            "keys/encrypted-pkcs8.pem",
        ],
    );
    run(
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-in",
            "certs/app.pem",
            "-inkey",
            "keys/app.key",
            "-passout",
            "pass:test",
            "-out",
            "bin/bundle.p12",
        ],
    );
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "test",
            "-f",
            "ssh/id_ed25519",
        ],
    );
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "rsa",
            "-b",
            "3072",
            "-N",
            "secret",
            "-C",
            "test",
            "-f",
            "ssh/id_rsa",
        ],
    );
    let ed_pub = std::fs::read_to_string(root.join("ssh/id_ed25519.pub")).unwrap();
    std::fs::write(
        root.join("ssh/authorized_keys"),
        format!("# deploy\nno-pty {ed_pub}"),
    )
    .unwrap();
    let mldsa = KeyPair::generate_for(&rcgen::PKCS_ML_DSA_65).unwrap();
    std::fs::write(
        root.join("certs/mldsa.pem"),
        self_signed(&["pq.example"], &mldsa, None),
    )
    .unwrap();
    let p256 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let now = OffsetDateTime::now_utc();
    std::fs::write(
        root.join("certs/expired.pem"),
        format!(
            "some text\n{}",
            self_signed(
                &["old.example"],
                &p256,
                Some((now - Duration::days(100), now - Duration::days(2)))
            )
        ),
    )
    .unwrap();
    let n = postq_b64url(&[0xc5; 256]);
    let jwks = format!(
        r#"{{"keys": [
  {{"kid": "rsa",
   "kty": "RSA", "n": "{n}", "e": "AQAB"}},
  {{"kid": "ec",
   "kty": "EC", "crv": "P-256", "x": "eA", "y": "eQ", "d": "SECRET-D-VALUE"}},
  {{"kid": "hmac",
   "kty": "oct", "k": "SECRET-K-VALUE"}},
  {{"kid": "pq",
   "kty": "AKP", "alg": "ML-DSA-65", "pub": "cHVi"}}
]}}
"#
    );
    std::fs::write(root.join("keys/jwks.json"), jwks).unwrap();
    std::fs::write(root.join("ignored/secret.pem"), p256.serialize_pem()).unwrap();
    std::fs::write(root.join("bin/blob.bin"), [0u8, 1, 2, 3, 0, 5]).unwrap();
    std::fs::write(
        root.join("big.pem"),
        format!("{}{}", p256.serialize_pem(), "x".repeat(70_000)),
    )
    .unwrap();
    let mut secrets = HashMap::new();
    secrets.insert("p256", p256.serialize_pem());
    secrets.insert(
        "app",
        std::fs::read_to_string(root.join("keys/app.key")).unwrap(),
    );
    secrets.insert(
        "ssh",
        std::fs::read_to_string(root.join("ssh/id_ed25519")).unwrap(),
    );
    secrets
}

fn postq_b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn scan_repo_finds_every_material_type() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    let secrets = fixture_tree(&root);
    let out = postq(
        work.path(),
        &[
            "--json",
            "scan",
            "repo",
            "repo",
            "--no-submit",
            "--max-file-size",
            "65536",
        ],
    );
    expect_code(&out, 2, "private keys are Critical");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    for secret in secrets.values() {
        let body: String = secret
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .take(2)
            .collect();
        assert!(
            !stdout.contains(&body),
            "key material leaked into the output"
        );
    }
    assert!(!stdout.contains("SECRET-D-VALUE") && !stdout.contains("SECRET-K-VALUE"));
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let report = &json[0];
    assert_eq!(report["type"], "repo");
    let found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let loc = &f["location"];
            let place = match loc["line"].as_u64() {
                Some(l) => format!("{}:{l}", loc["path"].as_str().unwrap()),
                None => loc["path"].as_str().unwrap().to_owned(),
            };
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                place,
            )
        })
        .collect();
    let expect = |code: &str, severity: &str, place: &str| {
        assert!(
            found
                .iter()
                .any(|(c, s, p)| c == code && s == severity && p == place),
            "missing {code}/{severity} at {place}; found {found:#?}"
        );
    };
    expect("RSA-2048", "high", "certs/app.pem:1");
    expect("RSA-2048", "high", "certs/app.der");
    expect("PRIVATE-KEY-EXPOSED", "critical", "keys/app.key:1");
    expect("PRIVATE-KEY-EXPOSED", "critical", "keys/pkcs1.pem:1");
    expect("RSA-WEAK", "critical", "keys/pkcs1.pem:1");
    expect(
        "PRIVATE-KEY-ENCRYPTED",
        "high",
        "keys/legacy-encrypted.pem:1",
    );
    expect("PRIVATE-KEY-EXPOSED", "critical", "keys/sec1.pem:1");
    expect("ECC-QV", "medium", "keys/sec1.pem:1");
    expect(
        "PRIVATE-KEY-ENCRYPTED",
        "high",
        "keys/encrypted-pkcs8.pem:1",
    );
    expect("PKCS12-BUNDLE", "high", "bin/bundle.p12");
    expect("PRIVATE-KEY-EXPOSED", "critical", "ssh/id_ed25519:1");
    expect("ECC-QV", "medium", "ssh/id_ed25519.pub:1");
    expect("ECC-QV", "medium", "ssh/authorized_keys:2");
    expect("PRIVATE-KEY-ENCRYPTED", "high", "ssh/id_rsa:1");
    expect("RSA-QV", "medium", "ssh/id_rsa:1");
    expect("PQ-KEY", "info", "certs/mldsa.pem:1");
    expect("CERT-EXPIRED", "critical", "certs/expired.pem:2");
    expect("RSA-2048", "high", "keys/jwks.json:3");
    expect("PRIVATE-KEY-EXPOSED", "critical", "keys/jwks.json:5");
    expect("ECC-QV", "medium", "keys/jwks.json:5");
    expect("PRIVATE-KEY-EXPOSED", "critical", "keys/jwks.json:7");
    expect("PQ-KEY", "info", "keys/jwks.json:9");
    assert!(!found.iter().any(|(_, _, p)| p.starts_with("ignored/")
        || p.starts_with("big.pem")
        || p.starts_with("README")));
    assert_eq!(report["repo"]["filesSkippedLarge"], 1);
    assert_eq!(report["repo"]["filesSkippedBinary"], 1);
    assert_eq!(report["riskLevel"], "critical");

    let out = postq(
        work.path(),
        &[
            "scan",
            "repo",
            "repo",
            "--no-submit",
            "--max-file-size",
            "65536",
            "--format",
            "sarif",
            "--out",
            "repo.sarif",
        ],
    );
    expect_code(&out, 2, "sarif");
    let sarif: Value = serde_json::from_str(&read(work.path(), "repo.sarif")).unwrap();
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), found.len());
    let pkcs1 = results.iter().find(|x| x["ruleId"] == "RSA-WEAK").unwrap();
    let loc = &pkcs1["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "keys/pkcs1.pem");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 1);

    let out = postq(
        work.path(),
        &[
            "scan",
            "repo",
            "repo",
            "--no-submit",
            "--format",
            "cbom",
            "--fail-on",
            "none",
        ],
    );
    expect_code(&out, 0, "cbom");
    let cbom: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_cbom(&cbom);
    let comps = cbom["components"].as_array().unwrap();
    let private_keys = comps
        .iter()
        .filter(|c| {
            c["cryptoProperties"]["relatedCryptoMaterialProperties"]["type"] == "private-key"
        })
        .count();
    assert!(private_keys >= 8, "{private_keys} private keys in the CBOM");
    assert!(comps.iter().any(|c| c["name"] == "ML-DSA-65"
        && c["cryptoProperties"]["algorithmProperties"]["nistQuantumSecurityLevel"] == 3));
}
