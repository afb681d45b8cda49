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
    let pq = peers.tls(&self_signed(&ip, &p256, None), &p256.serialize_pem(), pq_options());
    let nohsts = peers.tls(
        &self_signed(&ip, &p256, None),
        &p256.serialize_pem(),
        LoopbackOptions { hsts: false, ..pq_options() },
    );

    let rsa2048_pem = rsa_key(d, 2048);
    let rsa2048 = KeyPair::from_pem(&rsa2048_pem).unwrap();
    let classical = peers.tls(&self_signed(&ip, &rsa2048, None), &rsa2048_pem, classical_options());
    let prefers_classical = peers.tls(
        &self_signed(&ip, &p256, None),
        &p256.serialize_pem(),
        LoopbackOptions { prefer_classical: true, ..pq_options() },
    );
    let tls12 = peers.tls(
        &self_signed(&ip, &p256, None),
        &p256.serialize_pem(),
        LoopbackOptions { tls12_only: true, ..pq_options() },
    );
    let now = OffsetDateTime::now_utc();
    let expired = peers.tls(
        &self_signed(&ip, &p256, Some((now - Duration::days(400), now - Duration::days(35)))),
        &p256.serialize_pem(),
        pq_options(),
    );
    // SHA-1-signed RSA-2048 certificate, served by rustls.
    openssl(d, &["req", "-x509", "-newkey", "rsa:2048", "-sha1", "-nodes", "-subj", "/CN=sha1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "30", "-keyout", "sha1.key", "-out", "sha1.pem"]);
    let sha1 = peers.tls(&read(d, "sha1.pem"), &read(d, "sha1.key"), pq_options());
    // RSA-1024 (aws-lc refuses to serve it): OpenSSL legacy peers.
    openssl(d, &["req", "-x509", "-newkey", "rsa:1024", "-sha256", "-nodes", "-subj", "/CN=legacy", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "30", "-keyout", "legacy.key", "-out", "legacy.pem"]);
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
    let targets: Vec<String> = [pq, classical, prefers_classical, tls12, expired, sha1, tls10.port, tls11.port, trusted, blackhole, closed, http]
        .iter()
        .map(|p| addr(*p))
        .chain([https_pq.clone(), https_nohsts.clone(), "not a target".to_owned()])
        .collect();
    let http_port = http.to_string();
    let mut args = vec!["--json", "--timeout", "2", "scan", "url", "--no-submit", "--concurrency", "8", "--http-port", &http_port, "--ca-file", "ca.pem"];
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
    let accepted: Vec<&str> = at(pq)["tls"]["pqGroupsAccepted"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(accepted, ["X25519MLKEM768", "SecP256r1MLKEM768"]);
    assert!(has(at(pq), "ECC-QV", "medium"));
    assert!(has(at(pq), "CERT-SELF-SIGNED", "medium"));
    assert!(!has(at(pq), "KX-NOT-PQ", "high") && !has(at(pq), "CERT-HOSTNAME-MISMATCH", "high"));
    assert_eq!(at(pq)["riskLevel"], "medium");
    assert_eq!(at(pq)["riskScore"], 44.0); // 40 + 40/10

    // No PQ groups at all; RSA-2048.
    assert!(has(at(classical), "KX-NOT-PQ", "high"), "{:?}", codes(at(classical)));
    assert!(has(at(classical), "RSA-2048", "high"));
    assert!(at(classical)["findings"].as_array().unwrap().iter().any(|f| f["title"] == "RSA-2048 public key"));
    // Supports PQ alone, prefers classical.
    assert!(has(at(prefers_classical), "KX-PQ-NOT-PREFERRED", "high"), "{:?}", codes(at(prefers_classical)));
    assert_eq!(at(prefers_classical)["tls"]["keyExchange"], "X25519");
    // TLS 1.2 only.
    assert!(has(at(tls12), "TLS-1.3-UNSUPPORTED", "medium"), "{:?}", codes(at(tls12)));
    assert!(has(at(tls12), "KX-NOT-PQ", "high"));
    assert_eq!(at(tls12)["tls"]["protocol"], "TLSv1.2");
    // Expired; SHA-1.
    assert!(has(at(expired), "CERT-EXPIRED", "critical"), "{:?}", codes(at(expired)));
    assert!(!codes(at(expired)).iter().any(|(c, _)| c == "CERT-UNTRUSTED"), "expiry is reported once");
    assert!(has(at(sha1), "CERT-WEAK-SIGNATURE", "critical"), "{:?}", codes(at(sha1)));
    assert!(has(at(sha1), "RSA-2048", "high"));
    // Legacy OpenSSL peers with an RSA-1024 certificate.
    let l10 = at(tls10.port);
    assert!(has(l10, "TLS-1.0-MIN", "critical"), "{:?}", codes(l10));
    assert!(l10["findings"].as_array().unwrap().iter().any(|f| f["title"].as_str().unwrap().starts_with("TLS-1.0-MIN")));
    assert!(has(l10, "RSA-WEAK", "critical"), "certificate read from the legacy handshake: {:?}", codes(l10));
    assert!(has(l10, "TLS-1.3-UNSUPPORTED", "medium") && has(l10, "KX-NOT-PQ", "high"));
    assert_eq!(l10["riskLevel"], "critical");
    let l11 = at(tls11.port);
    assert!(has(l11, "TLS-1.1-MIN", "critical"), "{:?}", codes(l11));
    assert!(!has(l11, "TLS-1.0-MIN", "critical"));
    // CA-issued leaf, trusted through --ca-file.
    let t = at(trusted);
    assert!(!codes(t).iter().any(|(c, _)| c == "CERT-UNTRUSTED" || c == "CERT-SELF-SIGNED"), "{:?}", codes(t));
    assert!(has(at(classical), "CERT-SELF-SIGNED", "medium"));
    // Unscannable targets, each with its reason.
    assert_eq!(at(blackhole)["status"], "timeout", "{}", at(blackhole));
    assert_eq!(at(closed)["status"], "refused");
    assert_eq!(at(http)["status"], "not_tls");
    assert!(at(http)["error"].as_str().unwrap().contains("TLS"));
    assert_eq!(r["not a target"]["status"], "invalid");
    // https:// targets: plain HTTP served without a redirect; HSTS.
    assert!(has(&r[&https_pq], "HTTPS-NOT-ENFORCED", "high"), "{:?}", codes(&r[&https_pq]));
    assert!(r[&https_pq]["findings"].as_array().unwrap().iter().any(|f| f["title"].as_str().unwrap().starts_with("HTTPS-NOT-ENFORCED")));
    assert!(!has(&r[&https_pq], "HSTS-MISSING", "low"));
    assert_eq!(r[&https_pq]["tls"]["hsts"], "max-age=31536000");
    assert!(has(&r[&https_nohsts], "HSTS-MISSING", "low"));

    // A redirect to https:// passes.
    let redirect_port = redirect.to_string();
    let out = postq(d, &["--json", "scan", "url", "--no-submit", "--http-port", &redirect_port, "--fail-on", "none", &https_pq]);
    expect_code(&out, 0, "--fail-on none");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!codes(&json[0]).iter().any(|(c, _)| c == "HTTPS-NOT-ENFORCED"), "{:?}", codes(&json[0]));
    assert!(json[0]["tls"]["plainHttp"].as_str().unwrap().starts_with("301 -> https://"));

    // SARIF and CBOM of the scannable peers, against the official schemas.
    let scannable: Vec<String> = [pq, classical, prefers_classical, tls12, expired, sha1, tls10.port, trusted].iter().map(|p| addr(*p)).collect();
    let mut sarif_args = vec!["scan", "url", "--no-submit", "--format", "sarif", "--out", "scan.sarif"];
    sarif_args.extend(scannable.iter().map(String::as_str));
    expect_code(&postq(d, &sarif_args), 2, "sarif run gates too");
    let sarif: Value = serde_json::from_str(&read(d, "scan.sarif")).unwrap();
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|x| x["ruleId"] == "TLS-1.0-MIN" && x["level"] == "error"));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|x| x["id"] == "RSA-WEAK").unwrap();
    assert_eq!(rule["properties"]["security-severity"], "9.5");
    assert!(results.iter().all(|x| x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().starts_with("https://127.0.0.1:")));

    let mut cbom_args = vec!["scan", "url", "--no-submit", "--fail-on", "none", "--format", "cbom"];
    cbom_args.extend(scannable.iter().map(String::as_str));
    let out = postq(d, &cbom_args);
    expect_code(&out, 0, "cbom to stdout");
    let cbom: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_cbom(&cbom);
    assert_eq!(cbom["specVersion"], "1.6");
    let comps = cbom["components"].as_array().unwrap();
    let kinds = |t: &str| comps.iter().filter(|c| c["cryptoProperties"]["assetType"] == t).count();
    assert!(kinds("protocol") == scannable.len() && kinds("certificate") >= scannable.len() && kinds("algorithm") > 5);
    let kem = comps.iter().find(|c| c["name"] == "X25519MLKEM768").unwrap();
    assert_eq!(kem["cryptoProperties"]["algorithmProperties"]["primitive"], "kem");
    assert_eq!(kem["cryptoProperties"]["algorithmProperties"]["nistQuantumSecurityLevel"], 3);
    let refs: std::collections::HashSet<&str> = comps.iter().map(|c| c["bom-ref"].as_str().unwrap()).collect();
    for dep in cbom["dependencies"].as_array().unwrap() {
        for to in dep["dependsOn"].as_array().unwrap() {
            assert!(refs.contains(to.as_str().unwrap()), "dangling dependency {to}");
        }
    }
    let protocol = comps.iter().find(|c| c["name"].as_str().unwrap().ends_with(&addr(pq))).unwrap();
    assert_eq!(protocol["cryptoProperties"]["protocolProperties"]["version"], "1.3");
    assert!(protocol["cryptoProperties"]["protocolProperties"]["cipherSuites"][0]["identifiers"][0].as_str().unwrap().starts_with("0x13,"));
    drop(peers);
}
