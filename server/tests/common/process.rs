//! The real `postq-server` binary as a child process: for tests that kill it (`kill -9`)
//! or run it under an operating-system limit (file descriptors).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `postq-server` process; killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The bootstrap admin key, printed on a fresh data dir.
    pub bootstrap_key: Option<String>,
    /// Kept open: the server may print more, and a closed pipe would make it fail.
    _stdout: BufReader<ChildStdout>,
}

impl ServerProcess {
    /// Start the binary on `data_dir` (port 0) with `extra` flags and return once it
    /// listens. `fd_limit` runs it under `ulimit -n`.
    pub fn start(data_dir: &Path, extra: &[&str], fd_limit: Option<u32>) -> ServerProcess {
        let bin = env!("CARGO_BIN_EXE_postq-server");
        let mut cmd = match fd_limit {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(bin);
                c
            }
            None => Command::new(bin),
        };
        cmd.arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("POSTQ_SERVER_LOG", "warn")
            .env_remove("POSTQ_KEK")
            .env_remove("POSTQ_SERVER_RATE_LIMITS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("postq-server starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut stdout = BufReader::new(stdout);
        let started = Instant::now();
        let mut bootstrap_key = None;
        let mut line = String::new();
        let base = loop {
            line.clear();
            let n = stdout.read_line(&mut line).expect("read server stdout");
            assert!(n > 0, "postq-server exited before listening");
            let text = line.trim();
            if text.starts_with("pq_live_") {
                bootstrap_key = Some(text.to_owned());
            }
            if let Some(rest) = text.strip_prefix("postq-server listening on ") {
                break rest.split_whitespace().next().unwrap_or("").to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "postq-server did not start"
            );
        };
        ServerProcess {
            child,
            base,
            bootstrap_key,
            _stdout: stdout,
        }
    }

    /// `kill -9`, and reap it.
    pub fn kill(mut self) {
        self.kill_now();
    }

    fn kill_now(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_now();
    }
}
