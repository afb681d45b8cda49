//! Shared by the binary tests: an in-process reference server and a way to run `postq`
//! against it in a scratch directory.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test code

use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

pub struct Env {
    _server: postq_server::Running,
    pub base: String,
    pub key: String,
    pub dir: tempfile::TempDir,
    _rt: tokio::runtime::Runtime,
}

pub fn start() -> Env {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (server, key) = rt.block_on(async {
        let server = postq_server::spawn(postq_server::Config::in_memory())
            .await
            .unwrap();
        let key = server.create_api_key("acme", &["all"]).await.unwrap().key;
        (server, key)
    });
    Env {
        base: server.base_url(),
        _server: server,
        key,
        dir: tempfile::tempdir().unwrap(),
        _rt: rt,
    }
}

impl Env {
    pub fn postq(&self, args: &[&str]) -> Output {
        Command::cargo_bin("postq")
            .unwrap()
            .env("POSTQ_BASE_URL", &self.base)
            .env("POSTQ_API_KEY", &self.key)
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .unwrap()
    }

    /// Run with `--json`, expect `code`, parse stdout.
    pub fn json(&self, args: &[&str], code: i32) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.postq(&all);
        assert_eq!(
            out.status.code(),
            Some(code),
            "postq {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

pub fn stderr_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stderr).unwrap_or(Value::Null)
}
