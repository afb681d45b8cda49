//! What the CLI benchmarks share: option parsing, finding the release `postq` next to
//! the example, and running a child while sampling its peak RSS.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `--name N` from the command line, or `default`.
pub fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The release `postq` beside this example (target/release/examples/X -> target/release/postq).
pub fn postq_binary(build_hint: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("postq");
    assert!(bin.exists(), "build the binary first: {build_hint}");
    bin
}

/// Run a command to completion, polling its peak RSS (VmHWM, KiB) from /proc. The flag
/// is true for postq's "ran" exits (0 clean, 2 gate).
pub fn run_measured(cmd: &mut Command) -> (Duration, u64, bool) {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (
                started.elapsed(),
                peak_kib,
                status.code().is_some_and(|c| c == 0 || c == 2),
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
