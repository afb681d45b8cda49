//! Loopback peers and certificates for the scanner tests, all made at test time:
//! rustls servers (core's `LoopbackServer`), `openssl s_server` legacy peers, a port that
//! accepts and never answers, a closed port, plain-HTTP servers; certificates from rcgen
//! and keys from the openssl CLI; and the official-schema validators.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use postq::scan::tls::{LoopbackOptions, LoopbackServer};
use rcgen::{CertificateParams, DnType, KeyPair};
use serde_json::Value;
use time::OffsetDateTime;

/// Run the openssl CLI in `dir`; panics with its stderr on failure.
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// A fresh RSA key (PKCS#8 PEM) from openssl.
pub fn rsa_key(dir: &Path, bits: u32) -> String {
    let name = format!("rsa{bits}-{}.key", rand_suffix());
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &format!("rsa_keygen_bits:{bits}"),
            "-out",
            &name,
        ],
    );
    read(dir, &name)
}

fn rand_suffix() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A self-signed certificate for `names` (DNS names or IPs) with `key`.
pub fn self_signed(
    names: &[&str],
    key: &KeyPair,
    validity: Option<(OffsetDateTime, OffsetDateTime)>,
) -> String {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    if let Some((nb, na)) = validity {
        params.not_before = nb;
        params.not_after = na;
    }
    params.self_signed(key).unwrap().pem()
}

/// A CA and a leaf it issued: (ca_pem, leaf_chain_pem, leaf_key_pem).
pub fn ca_and_leaf(names: &[&str]) -> (String, String, String) {
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "postq test CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    let leaf = params.signed_by(&leaf_key, &ca).unwrap();
    (ca.pem(), leaf.pem(), leaf_key.serialize_pem())
}

/// An `openssl s_server` child, killed on drop.
pub struct OpenSslServer {
    child: Child,
    pub port: u16,
}

impl Drop for OpenSslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `openssl s_server` at security level 0 with the given protocol flag (`-tls1`,
/// `-tls1_1`, or `""` for its defaults), serving `cert`/`key` files in `dir`.
pub fn openssl_server(dir: &Path, cert: &str, key: &str, protocol: &str) -> OpenSslServer {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let mut args = vec![
        "s_server",
        "-accept",
        &accept,
        "-cert",
        cert,
        "-key",
        key,
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
        "-www",
        "-quiet",
    ];
    if !protocol.is_empty() {
        args.push(protocol);
    }
    let child = Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = OpenSslServer { child, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("openssl s_server {protocol} did not start on {port}");
}

/// A tokio runtime holding the in-process peers alive.
pub struct Peers {
    pub rt: tokio::runtime::Runtime,
    servers: Vec<LoopbackServer>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Peers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Peers {
    pub fn new() -> Peers {
        Peers {
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
            servers: Vec::new(),
            tasks: Vec::new(),
        }
    }

    /// A rustls server; returns its port.
    pub fn tls(&mut self, chain_pem: &str, key_pem: &str, options: LoopbackOptions) -> u16 {
        let server = self
            .rt
            .block_on(LoopbackServer::start(
                chain_pem.as_bytes(),
                key_pem.as_bytes(),
                options,
            ))
            .unwrap();
        let port = server.addr.port();
        self.servers.push(server);
        port
    }

    /// Accepts connections and never says a word.
    pub fn blackhole(&mut self) -> u16 {
        let listener = self
            .rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        self.tasks.push(self.rt.spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        }));
        port
    }

    /// Plain HTTP: answers anything with 200, or with a 301 to https:// when `redirect`.
    pub fn plain_http(&mut self, redirect: bool) -> u16 {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = self
            .rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        self.tasks.push(self.rt.spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    let answer = if redirect {
                        "HTTP/1.1 301 Moved Permanently\r\nLocation: https://localhost/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    } else {
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
                    };
                    let _ = s.write_all(answer.as_bytes()).await;
                    let _ = s.shutdown().await;
                });
            }
        }));
        port
    }
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    free_port()
}

/// Serves the vendored sub-schemas (`spdx`, `jsf`) to the validator; nothing is fetched.
struct Vendored(HashMap<String, Value>);

impl jsonschema::Retrieve for Vendored {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0
            .get(uri.as_str())
            .cloned()
            .ok_or_else(|| format!("schema {} is not vendored", uri.as_str()).into())
    }
}

pub fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/schemas")
}

fn load(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(schemas_dir().join(name)).unwrap()).unwrap()
}

fn assert_valid(schema: &Value, retriever: Vendored, doc: &Value, what: &str) {
    let validator = jsonschema::options()
        .with_retriever(retriever)
        .build(schema)
        .unwrap_or_else(|e| panic!("{what} schema did not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what} is not valid: {errors:#?}");
}

/// Validate against the official SARIF 2.1.0 schema.
pub fn assert_valid_sarif(doc: &Value) {
    assert_valid(
        &load("sarif-schema-2.1.0.json"),
        Vendored(HashMap::new()),
        doc,
        "SARIF",
    );
}

/// Validate against the official CycloneDX 1.6 schema (with its SPDX and JSF parts).
pub fn assert_valid_cbom(doc: &Value) {
    let mut parts = HashMap::new();
    for name in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        parts.insert(format!("http://cyclonedx.org/schema/{name}"), load(name));
    }
    assert_valid(
        &load("bom-1.6.schema.json"),
        Vendored(parts),
        doc,
        "CycloneDX 1.6",
    );
}

/// The codes and severities of one report's findings.
pub fn codes(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap_or("").to_owned(),
                        f["severity"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn has(report: &Value, code: &str, severity: &str) -> bool {
    codes(report)
        .iter()
        .any(|(c, s)| c == code && s == severity)
}

pub fn addr(port: u16) -> String {
    SocketAddr::from(([127, 0, 0, 1], port)).to_string()
}
