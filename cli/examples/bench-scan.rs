//! Scanner benchmark: `postq scan url` endpoints/s at --concurrency 64 and peak RSS for
//! 1 000 targets against loopback rustls servers; testssl.sh and sslyze per-target time
//! on the same servers in the same run; `postq scan repo` files/s on a generated
//! 100 000-file tree against `grep -r BEGIN`. Prints numbers and ratios.
//!
//!     cargo build --release -p postq-cli && cargo run --release -p postq-cli --example bench-scan
//!     (scripts/bench-scan.sh installs testssl.sh and sslyze first)
//!
//! Options: --targets N (1000), --servers N (50), --files N (100000), --peer-targets N (3).
//! Bounded: fixed work on 127.0.0.1 and a temporary directory, then it stops.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "bench_support/mod.rs"]
mod bench_support;

use bench_support::{arg, postq_binary, run_measured};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use postq::scan::tls::{LoopbackOptions, LoopbackServer};

fn have(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
    })
}

fn generate_tree(root: &Path, files: usize, pem: &str) {
    for i in 0..files {
        let dir = root.join(format!("d{:03}", i % 500));
        if i < 500 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        let body = if i % 1000 == 0 {
            format!("# config {i}\n{pem}")
        } else {
            format!(
                "// source file {i}\nfn f{i}() -> u32 {{ {i} }}\n{}\n",
                "let x = 1; ".repeat(20)
            )
        };
        std::fs::write(dir.join(format!("f{i}.rs")), body).unwrap();
    }
}

fn main() {
    let targets = arg("--targets", 1000);
    let servers = arg("--servers", 50);
    let files = arg("--files", 100_000);
    let peer_targets = arg("--peer-targets", 3);
    let postq = postq_binary("cargo build --release -p postq-cli");
    let work = tempfile::tempdir().unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "bench");
    let cert = params.self_signed(&key).unwrap().pem();
    let running: Vec<LoopbackServer> = (0..servers)
        .map(|_| {
            rt.block_on(LoopbackServer::start(
                cert.as_bytes(),
                key.serialize_pem().as_bytes(),
                LoopbackOptions::default(),
            ))
            .unwrap()
        })
        .collect();
    let list: Vec<String> = (0..targets)
        .map(|i| running[i % servers].addr.to_string())
        .collect();
    let file = work.path().join("targets.txt");
    std::fs::write(&file, list.join("\n")).unwrap();

    println!(
        "postq scan benchmark — {targets} targets over {servers} loopback rustls servers (X25519MLKEM768, ECDSA P-256), 2 cores shared with the servers"
    );
    let scan = |concurrency: usize, file: &Path| {
        let c = concurrency.to_string();
        run_measured(Command::new(&postq).args([
            "scan",
            "url",
            "--file",
            file.to_str().unwrap(),
            "--concurrency",
            &c,
            "--timeout",
            "10",
            "--no-submit",
            "--fail-on",
            "none",
            "--format",
            "json",
            "--out",
            "/dev/null",
        ]))
    };
    let (elapsed, peak, ok) = scan(64, &file);
    let rate = targets as f64 / elapsed.as_secs_f64();
    println!(
        "  postq --concurrency 64: {targets} targets in {:.2}s = {rate:.0} endpoints/s ({:.1} ms/target); peak RSS {:.1} MiB{}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / targets as f64,
        peak as f64 / 1024.0,
        if ok { "" } else { " (postq FAILED)" }
    );

    // Per-target time of each tool, sequential, on the same servers.
    let few = work.path().join("few.txt");
    let few_targets: Vec<String> = running
        .iter()
        .take(peer_targets)
        .map(|s| s.addr.to_string())
        .collect();
    std::fs::write(&few, few_targets.join("\n")).unwrap();
    let (t, _, _) = scan(1, &few);
    let postq_per = t.as_secs_f64() / peer_targets as f64;
    println!(
        "  postq --concurrency 1: {:.1} ms/target over {} targets (versions 1.0-1.3, PQ groups, chain, sidecar; includes process start)",
        postq_per * 1000.0,
        peer_targets
    );
    let peer = |name: &str, per: Option<f64>| match per {
        Some(p) => println!(
            "  {name}: {:.0} ms/target — {:.0}x postq's per-target time, {:.0}x postq at --concurrency 64",
            p * 1000.0,
            p / postq_per,
            p * rate
        ),
        None => println!("  {name}: not installed (scripts/bench-scan.sh installs it)"),
    };
    let testssl = have("testssl.sh").or_else(|| have("testssl"));
    let per = testssl.map(|bin| {
        let started = Instant::now();
        for t in &few_targets {
            let status = Command::new(&bin)
                .args([
                    "--quiet",
                    "--color",
                    "0",
                    "--warnings",
                    "off",
                    "-p",
                    "-S",
                    "-f",
                    "--ip",
                    "one",
                    t,
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
            let _ = status;
        }
        started.elapsed().as_secs_f64() / peer_targets as f64
    });
    peer(
        "testssl.sh -p -S -f (protocols, certificate, forward secrecy/groups)",
        per,
    );
    let sslyze = std::env::var_os("SSLYZE")
        .map(PathBuf::from)
        .or_else(|| have("sslyze"));
    let per = sslyze.map(|bin| {
        let started = Instant::now();
        for t in &few_targets {
            let _ = Command::new(&bin)
                .args([
                    "--tlsv1",
                    "--tlsv1_1",
                    "--tlsv1_2",
                    "--tlsv1_3",
                    "--certinfo",
                    "--elliptic_curves",
                    t,
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
        }
        started.elapsed().as_secs_f64() / peer_targets as f64
    });
    peer("sslyze --tlsv1..1_3 --certinfo --elliptic_curves", per);
    drop(running);

    // Repository scan vs grep.
    let tree = work.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    let started = Instant::now();
    generate_tree(&tree, files, &cert);
    println!(
        "repo scan — generated {files} files in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    // Warm the page cache once so both tools read from memory.
    let _ = Command::new("grep")
        .args(["-rq", "NOTHING-MATCHES-THIS", tree.to_str().unwrap()])
        .status();
    let (g, _, _) =
        run_measured(Command::new("grep").args(["-r", "BEGIN", tree.to_str().unwrap()]));
    let (p, peak, ok) = run_measured(Command::new(&postq).args([
        "scan",
        "repo",
        tree.to_str().unwrap(),
        "--no-submit",
        "--fail-on",
        "none",
        "--format",
        "json",
        "--out",
        "/dev/null",
    ]));
    let g_rate = files as f64 / g.as_secs_f64();
    let p_rate = files as f64 / p.as_secs_f64();
    println!(
        "  grep -r BEGIN: {:.2}s = {g_rate:.0} files/s",
        g.as_secs_f64()
    );
    println!(
        "  postq scan repo: {:.2}s = {p_rate:.0} files/s ({:.2}x grep), peak RSS {:.1} MiB{}",
        p.as_secs_f64(),
        p_rate / g_rate,
        peak as f64 / 1024.0,
        if ok { "" } else { " (postq FAILED)" }
    );
}
