//! Real TLS 1.3 / 1.2 handshakes with rustls (aws-lc-rs provider): what the server
//! negotiates, and whether it accepts a post-quantum hybrid group offered alone.
//!
//! The certificate verifier accepts everything and keeps nothing secret: the scanner
//! sends no data worth protecting, and it must finish handshakes with servers whose
//! certificates are broken in order to report on them. Trust is judged afterwards, by
//! `trust.rs`, on the chain the server sent.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::crypto::aws_lc_rs::{self, kx_group};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::connect::{Unscannable, connect};
use super::target::{Host, Target};
use crate::scan::report::TargetStatus;

/// Accepts any certificate and handshake signature (see the module docs).
#[derive(Debug)]
struct RecordOnly {
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for RecordOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// Is this named group post-quantum (ML-KEM alone or hybrid)?
pub fn is_pq_group(group: rustls::NamedGroup) -> bool {
    matches!(
        group,
        rustls::NamedGroup::X25519MLKEM768
            | rustls::NamedGroup::secp256r1MLKEM768
            | rustls::NamedGroup::MLKEM768
            | rustls::NamedGroup::MLKEM1024
    )
}

/// The client configurations of one scan run, built once.
pub struct Configs {
    /// Browser-like offer: TLS 1.3 + 1.2, hybrid group first, then classical groups.
    pub main: Arc<ClientConfig>,
    /// TLS 1.3 with only X25519MLKEM768.
    pub pq_x25519: Arc<ClientConfig>,
    /// TLS 1.3 with only SecP256r1MLKEM768.
    pub pq_p256: Arc<ClientConfig>,
}

fn config(
    groups: Vec<&'static dyn rustls::crypto::SupportedKxGroup>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> crate::Result<Arc<ClientConfig>> {
    let provider = CryptoProvider {
        kx_groups: groups,
        ..aws_lc_rs::default_provider()
    };
    let mut schemes = provider
        .signature_verification_algorithms
        .supported_schemes();
    for legacy in [
        SignatureScheme::RSA_PKCS1_SHA1,
        SignatureScheme::ECDSA_SHA1_Legacy,
    ] {
        if !schemes.contains(&legacy) {
            schemes.push(legacy);
        }
    }
    let mut config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(versions)
        .map_err(|e| crate::Error::Config(format!("TLS client: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RecordOnly { schemes }))
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

impl Configs {
    /// Build the three configurations.
    pub fn new() -> crate::Result<Configs> {
        let both = &[&rustls::version::TLS13, &rustls::version::TLS12];
        let tls13 = &[&rustls::version::TLS13];
        Ok(Configs {
            main: config(
                vec![
                    kx_group::X25519MLKEM768,
                    kx_group::X25519,
                    kx_group::SECP256R1,
                    kx_group::SECP384R1,
                    kx_group::SECP256R1MLKEM768,
                ],
                both,
            )?,
            pq_x25519: config(vec![kx_group::X25519MLKEM768], tls13)?,
            pq_p256: config(vec![kx_group::SECP256R1MLKEM768], tls13)?,
        })
    }
}

/// What a completed handshake showed.
#[derive(Debug, Clone)]
pub struct Negotiated {
    /// `TLSv1_3` / `TLSv1_2` as rustls names them.
    pub version: rustls::ProtocolVersion,
    /// The cipher suite.
    pub suite: rustls::CipherSuite,
    /// The key-exchange group (TLS 1.3 and ECDHE TLS 1.2).
    pub group: Option<rustls::NamedGroup>,
    /// The chain as sent, leaf first.
    pub certificates: Vec<CertificateDer<'static>>,
}

/// A handshake that did not complete.
#[derive(Debug, Clone)]
pub enum HandshakeFailure {
    /// Nothing TLS-level happened (refused, timeout, not TLS …): the target is unscannable.
    Unscannable(Unscannable),
    /// The server spoke TLS but refused this offer (alert, no common parameters).
    Refused(String),
}

fn server_name(target: &Target) -> ServerName<'static> {
    match &target.host {
        Host::Name(n) => ServerName::try_from(n.clone()).unwrap_or(ServerName::IpAddress(
            std::net::Ipv4Addr::UNSPECIFIED.into(),
        )),
        Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
    }
}

fn describe_io(e: &std::io::Error) -> HandshakeFailure {
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return match tls {
            rustls::Error::InvalidMessage(_)
            | rustls::Error::InappropriateMessage { .. }
            | rustls::Error::InappropriateHandshakeMessage { .. } => {
                HandshakeFailure::Unscannable(Unscannable::new(
                    TargetStatus::NotTls,
                    format!("the server does not speak TLS here ({tls}); plain HTTP?"),
                ))
            }
            rustls::Error::AlertReceived(alert) => {
                HandshakeFailure::Refused(format!("server sent alert {alert:?}"))
            }
            other => HandshakeFailure::Refused(other.to_string()),
        };
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => {
            HandshakeFailure::Refused(
                "the server closed the connection during the handshake".into(),
            )
        }
        _ => HandshakeFailure::Unscannable(Unscannable::new(
            TargetStatus::Unreachable,
            format!("connection failed during the handshake: {e}"),
        )),
    }
}

/// Connect and complete a handshake with `config`; the stream is returned for an HTTP
/// request over it.
pub async fn handshake(
    addrs: &[SocketAddr],
    target: &Target,
    config: &Arc<ClientConfig>,
    timeout: Duration,
) -> Result<(Negotiated, TlsStream<tokio::net::TcpStream>), HandshakeFailure> {
    let tcp = connect(addrs, timeout)
        .await
        .map_err(HandshakeFailure::Unscannable)?;
    let connector = TlsConnector::from(Arc::clone(config));
    let stream = match tokio::time::timeout(timeout, connector.connect(server_name(target), tcp))
        .await
    {
        Err(_) => {
            return Err(HandshakeFailure::Unscannable(Unscannable::new(
                TargetStatus::Timeout,
                format!(
                    "no TLS answer within {}s (the port accepts connections but does not complete a handshake)",
                    timeout.as_secs_f32()
                ),
            )));
        }
        Ok(Err(e)) => return Err(describe_io(&e)),
        Ok(Ok(s)) => s,
    };
    let (_, conn) = stream.get_ref();
    let negotiated = Negotiated {
        version: conn
            .protocol_version()
            .unwrap_or(rustls::ProtocolVersion::Unknown(0)),
        suite: conn
            .negotiated_cipher_suite()
            .map_or(rustls::CipherSuite::Unknown(0), |s| s.suite()),
        group: conn.negotiated_key_exchange_group().map(|g| g.name()),
        certificates: conn
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
            .unwrap_or_default(),
    };
    Ok((negotiated, stream))
}

/// Does the server complete a TLS 1.3 handshake with only this configuration's group?
pub async fn accepts_alone(
    addrs: &[SocketAddr],
    target: &Target,
    config: &Arc<ClientConfig>,
    timeout: Duration,
) -> Option<bool> {
    match handshake(addrs, target, config, timeout).await {
        Ok((n, _)) => Some(n.group.is_some_and(is_pq_group)),
        Err(HandshakeFailure::Refused(_)) => Some(false),
        Err(HandshakeFailure::Unscannable(_)) => None,
    }
}
