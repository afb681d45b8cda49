//! Kubernetes scanner benchmark: `postq scan k8s --manifests` over a generated dump of
//! 5 000 TLS Secrets (each its own ECDSA P-256 certificate and key, as `kubectl get -o
//! yaml` writes them) and 5 000 ConfigMaps (one in ten with a PEM certificate in its
//! data, the rest ordinary configuration): wall time, objects/s and the peak RSS of the
//! release `postq` child (VmHWM from /proc), against the chart's 128 MiB limit. The peer
//! in the same run: PyYAML's C loader only parsing the same file, when python3 has it.
//!
//!     cargo build --release -p postq-cli --no-default-features --bin postq
//!     cargo run --release -p postq-cli --no-default-features --example bench-k8s
//!
//! Options: --secrets N (5000), --configmaps N (5000), --runs N (3).
//! Bounded: fixed work in a temporary directory, then it stops.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "bench_support/mod.rs"]
mod bench_support;

use bench_support::{arg, postq_binary, run_measured};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use rcgen::{CertificateParams, KeyPair};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn certificate(name: &str) -> (String, String) {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

const APP_CONFIG: &str = "server:\n  port: 8080\n  workers: 4\nlogging:\n  level: info\n  format: json\nfeatures:\n  checkout: true\n  search: true\n";

fn write_dump(path: &Path, secrets: usize, configmaps: usize) -> u64 {
    let mut out = String::with_capacity((secrets + configmaps) * 2048);
    out.push_str("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..secrets {
        let ns = format!("team-{}", i % 50);
        let (crt, key) = certificate(&format!("svc-{i}.{ns}.example"));
        write!(
            out,
            "- apiVersion: v1\n  kind: Secret\n  type: kubernetes.io/tls\n  metadata:\n    name: tls-{i}\n    namespace: {ns}\n    resourceVersion: \"{i}\"\n  data:\n    tls.crt: {}\n    tls.key: {}\n",
            b64(crt.as_bytes()),
            b64(key.as_bytes())
        )
        .unwrap();
    }
    let (ca_pem, _) = certificate("internal-ca.example");
    let ca_indented: String = ca_pem.lines().map(|l| format!("      {l}\n")).collect();
    for i in 0..configmaps {
        let ns = format!("team-{}", i % 50);
        write!(
            out,
            "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: config-{i}\n    namespace: {ns}\n  data:\n    app.yaml: |\n"
        )
        .unwrap();
        for line in APP_CONFIG.lines() {
            writeln!(out, "      {line}").unwrap();
        }
        if i % 10 == 0 {
            out.push_str("    ca.crt: |\n");
            out.push_str(&ca_indented);
        }
    }
    std::fs::write(path, &out).unwrap();
    out.len() as u64
}

fn main() {
    let secrets = arg("--secrets", 5000);
    let configmaps = arg("--configmaps", 5000);
    let runs = arg("--runs", 3).max(1);
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("cluster.yaml");
    let started = Instant::now();
    let bytes = write_dump(&dump, secrets, configmaps);
    println!(
        "dump: {secrets} TLS Secrets + {configmaps} ConfigMaps, {:.1} MiB, generated in {:.1} s",
        bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );

    let postq = postq_binary("cargo build --release -p postq-cli --no-default-features");
    let objects = (secrets + configmaps) as f64;
    let mut best = Duration::MAX;
    let mut peak = 0u64;
    for run in 1..=runs {
        let (took, peak_kib, ok) = run_measured(
            Command::new(&postq)
                .args(["scan", "k8s", "--manifests"])
                .arg(&dump)
                .args(["--no-submit", "--json", "--fail-on", "none"])
                .env_remove("POSTQ_API_KEY"),
        );
        assert!(ok, "postq scan k8s failed");
        println!(
            "postq scan k8s, run {run}: {:.2} s, {:.0} objects/s, peak RSS {:.1} MiB",
            took.as_secs_f64(),
            objects / took.as_secs_f64(),
            peak_kib as f64 / 1024.0
        );
        best = best.min(took);
        peak = peak.max(peak_kib);
    }
    let peak_mib = peak as f64 / 1024.0;
    println!(
        "postq: best {:.2} s ({:.0} objects/s); peak RSS {peak_mib:.1} MiB = {:.0}% of the chart's 128 MiB limit (goal <= 64 MiB: {})",
        best.as_secs_f64(),
        objects / best.as_secs_f64(),
        peak_mib / 128.0 * 100.0,
        if peak_mib <= 64.0 { "met" } else { "MISSED" }
    );

    // The peer: only parsing the same YAML with PyYAML's C loader (no classification).
    let probe = "import sys, time, yaml\nt = time.perf_counter()\nwith open(sys.argv[1], 'rb') as f:\n    doc = yaml.load(f, Loader=yaml.CSafeLoader)\nprint(len(doc['items']), time.perf_counter() - t)\n";
    match Command::new("python3")
        .args(["-c", probe])
        .arg(&dump)
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let secs: f64 = text
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN);
            let (_, py_peak, _) =
                run_measured(Command::new("python3").args(["-c", probe]).arg(&dump));
            println!(
                "peer: PyYAML CSafeLoader parse only: {secs:.2} s, peak RSS {:.1} MiB; postq (parse + classify every certificate and key) is {:.2}x its time",
                py_peak as f64 / 1024.0,
                best.as_secs_f64() / secs
            );
        }
        _ => println!("peer: python3 with PyYAML's C loader is not available; skipped"),
    }
}
