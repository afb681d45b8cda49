//! A TLS server on 127.0.0.1 for `postq demo`, the tests and the benchmark: serves a
//! given certificate with rustls, with or without post-quantum groups, and answers any
//! HTTP request with a fixed page (optionally with HSTS). Stops when dropped.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::crypto::aws_lc_rs::{self, kx_group};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::{Error, Result};

/// How the loopback server behaves.
#[derive(Debug, Clone)]
pub struct LoopbackOptions {
    /// Offer X25519MLKEM768 and SecP256r1MLKEM768 (first), or classical groups only.
    pub post_quantum: bool,
    /// Pick a classical group whenever the client offers one, post-quantum groups only
    /// when offered alone (a server that supports but does not prefer them).
    pub prefer_classical: bool,
    /// Speak only TLS 1.2.
    pub tls12_only: bool,
    /// Send `Strict-Transport-Security` in HTTP answers.
    pub hsts: bool,
}

impl Default for LoopbackOptions {
    fn default() -> Self {
        LoopbackOptions {
            post_quantum: true,
            prefer_classical: false,
            tls12_only: false,
            hsts: true,
        }
    }
}

/// A running loopback server.
#[derive(Debug)]
pub struct LoopbackServer {
    /// Where it listens.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn config(chain_pem: &[u8], key_pem: &[u8], options: &LoopbackOptions) -> Result<ServerConfig> {
    let bad = |what: &str, e: String| Error::InvalidCertificate(format!("{what}: {e}"));
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| bad("certificate PEM", e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| bad("key PEM", e.to_string()))?;
    let pq = [kx_group::X25519MLKEM768, kx_group::SECP256R1MLKEM768];
    let classical = [kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1];
    let groups = if options.post_quantum {
        pq.iter().chain(classical.iter()).copied().collect()
    } else {
        classical.to_vec()
    };
    let provider = CryptoProvider {
        kx_groups: groups,
        ..aws_lc_rs::default_provider()
    };
    let versions: &[&'static rustls::SupportedProtocolVersion] = if options.tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let config = ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(versions)
        .map_err(|e| Error::Config(format!("TLS server: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| bad("certificate/key", e.to_string()))?;
    Ok(config)
}

impl LoopbackServer {
    /// Serve `chain_pem` (leaf first) with `key_pem` (PKCS#8, SEC1 or PKCS#1) on an
    /// ephemeral loopback port. Call from inside a tokio runtime.
    pub async fn start(chain_pem: &[u8], key_pem: &[u8], options: LoopbackOptions) -> Result<Self> {
        let full = Arc::new(config(chain_pem, key_pem, &options)?);
        // rustls picks the client's first supported group; preferring classical ones
        // means choosing the configuration after reading the ClientHello.
        let classical_only = Arc::new(config(
            chain_pem,
            key_pem,
            &LoopbackOptions {
                post_quantum: false,
                ..options.clone()
            },
        )?);
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Error::Connection(format!("loopback listener: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Connection(format!("loopback listener: {e}")))?;
        let prefer_classical = options.prefer_classical;
        let hsts = options.hsts;
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (full, classical_only) = (Arc::clone(&full), Arc::clone(&classical_only));
                tokio::spawn(async move {
                    let handshake = async move {
                        let start = tokio_rustls::LazyConfigAcceptor::new(
                            rustls::server::Acceptor::default(),
                            tcp,
                        )
                        .await?;
                        let offers_classical = start
                            .client_hello()
                            .named_groups()
                            .is_some_and(|g| g.iter().any(|g| !super::handshake::is_pq_group(*g)));
                        let config = if prefer_classical && offers_classical {
                            classical_only
                        } else {
                            full
                        };
                        start.into_stream(config).await
                    };
                    let handshake =
                        tokio::time::timeout(std::time::Duration::from_secs(10), handshake);
                    let Ok(Ok(mut tls)) = handshake.await else {
                        return;
                    };
                    let mut buf = [0u8; 2048];
                    let read =
                        tokio::time::timeout(std::time::Duration::from_secs(5), tls.read(&mut buf));
                    if let Ok(Ok(n)) = read.await
                        && n > 0
                    {
                        let sts = if hsts {
                            "Strict-Transport-Security: max-age=31536000\r\n"
                        } else {
                            ""
                        };
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\n{sts}Content-Length: 3\r\nConnection: close\r\n\r\nok\n"
                        );
                        let _ = tls.write_all(answer.as_bytes()).await;
                        let _ = tls.shutdown().await;
                    }
                });
            }
        });
        Ok(LoopbackServer { addr, task })
    }
}
