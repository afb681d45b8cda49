//! Legacy protocol probes (TLS 1.0, 1.1, and 1.2 when rustls found no common ground).
//!
//! rustls will not speak TLS 1.0/1.1, and the system `openssl` cannot be relied on
//! (Debian's refuses them below security level 0, others are built without them, and a
//! process per probe would cap throughput). Whether a server *accepts* a version needs
//! no cryptography: send a ClientHello that offers only that version and read the
//! ServerHello (and the Certificate message that follows it in the clear, so a
//! legacy-only server's certificate can still be classified). The exchange stops there;
//! no key is ever agreed. testssl.sh probes the same way.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::connect::{Unscannable, connect};

/// A protocol version below TLS 1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyVersion {
    /// TLS 1.0 (0x0301).
    Tls10,
    /// TLS 1.1 (0x0302).
    Tls11,
    /// TLS 1.2 (0x0303).
    Tls12,
}

impl LegacyVersion {
    fn wire(self) -> [u8; 2] {
        match self {
            LegacyVersion::Tls10 => [3, 1],
            LegacyVersion::Tls11 => [3, 2],
            LegacyVersion::Tls12 => [3, 3],
        }
    }

    /// `1.0`, `1.1`, `1.2`.
    pub fn label(self) -> &'static str {
        match self {
            LegacyVersion::Tls10 => "1.0",
            LegacyVersion::Tls11 => "1.1",
            LegacyVersion::Tls12 => "1.2",
        }
    }
}

/// What one probe saw.
#[derive(Debug, Clone, Default)]
pub struct LegacyOutcome {
    /// The server answered with a ServerHello of exactly the offered version.
    pub accepted: bool,
    /// The chosen cipher suite (IANA code point).
    pub cipher: Option<u16>,
    /// The chain from the Certificate message, leaf first.
    pub certificates: Vec<Vec<u8>>,
    /// What happened, for the evidence.
    pub detail: String,
}

/// Cipher suites a legacy server may pick: ECDHE/DHE/RSA with AES-GCM/CBC, 3DES, RC4,
/// and the renegotiation SCSV.
const SUITES: &[u16] = &[
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d,
    0x002f, 0x0035, 0x0033, 0x0039, 0x000a, 0x0005, 0x00ff,
];

fn push_u16(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&u16::try_from(v).unwrap_or(u16::MAX).to_be_bytes());
}

fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16(out, body.len());
    out.extend_from_slice(body);
}

/// The ClientHello record offering exactly `version`.
pub fn client_hello(version: LegacyVersion, sni: Option<&str>, random: &[u8; 32]) -> Vec<u8> {
    let mut ext = Vec::new();
    if let Some(name) = sni {
        let mut sn = Vec::new();
        push_u16(&mut sn, name.len() + 3);
        sn.push(0);
        push_u16(&mut sn, name.len());
        sn.extend_from_slice(name.as_bytes());
        extension(&mut ext, 0x0000, &sn);
    }
    // supported_groups: x25519, secp256r1, secp384r1, secp521r1
    extension(
        &mut ext,
        0x000a,
        &[0, 8, 0, 0x1d, 0, 0x17, 0, 0x18, 0, 0x19],
    );
    // ec_point_formats: uncompressed
    extension(&mut ext, 0x000b, &[1, 0]);
    if version == LegacyVersion::Tls12 {
        // signature_algorithms: rsa_pkcs1 sha256/384/512, ecdsa sha256/384/512, rsa_pss_rsae, sha1
        let algs: &[u8] = &[
            0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x04,
            0x08, 0x05, 0x08, 0x06, 0x02, 0x01, 0x02, 0x03,
        ];
        let mut body = Vec::new();
        push_u16(&mut body, algs.len());
        body.extend_from_slice(algs);
        extension(&mut ext, 0x000d, &body);
    }

    let mut hello = Vec::new();
    hello.extend_from_slice(&version.wire());
    hello.extend_from_slice(random);
    hello.push(0); // no session id
    push_u16(&mut hello, SUITES.len() * 2);
    for s in SUITES {
        hello.extend_from_slice(&s.to_be_bytes());
    }
    hello.extend_from_slice(&[1, 0]); // compression: null
    push_u16(&mut hello, ext.len());
    hello.extend_from_slice(&ext);

    let mut handshake = vec![1]; // client_hello
    let len = u32::try_from(hello.len()).unwrap_or(0).to_be_bytes();
    handshake.extend_from_slice(&len[1..]);
    handshake.extend_from_slice(&hello);

    let mut record = vec![0x16, 3, 1];
    push_u16(&mut record, handshake.len());
    record.extend_from_slice(&handshake);
    record
}

/// Handshake bytes kept at most (a certificate chain is rarely over 20 KiB).
const HANDSHAKE_LIMIT: usize = 256 * 1024;

/// Parse what the server sent; `None` while more handshake bytes are needed.
fn parse_handshake(version: LegacyVersion, hs: &[u8]) -> Option<LegacyOutcome> {
    let mut outcome = LegacyOutcome::default();
    let mut at = 0;
    let mut saw_hello = false;
    while hs.len() >= at + 4 {
        let kind = hs[at];
        let len =
            usize::from(hs[at + 1]) << 16 | usize::from(hs[at + 2]) << 8 | usize::from(hs[at + 3]);
        let body = hs.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        match kind {
            2 => {
                saw_hello = true;
                let Some(v) = body.get(0..2) else {
                    outcome.detail = "truncated ServerHello".into();
                    return Some(outcome);
                };
                if v != version.wire() {
                    outcome.detail =
                        format!("server answered with version {:02x}{:02x}", v[0], v[1]);
                    return Some(outcome);
                }
                let sid = usize::from(*body.get(34)?);
                outcome.cipher = body
                    .get(35 + sid..37 + sid)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]));
                outcome.accepted = true;
                outcome.detail = format!(
                    "ServerHello TLS {} with cipher suite 0x{:04x}",
                    version.label(),
                    outcome.cipher.unwrap_or(0)
                );
            }
            11 if saw_hello => {
                let mut certs = Vec::new();
                let mut c = 3;
                while body.len() >= c + 3 {
                    let l = usize::from(body[c]) << 16
                        | usize::from(body[c + 1]) << 8
                        | usize::from(body[c + 2]);
                    let Some(der) = body.get(c + 3..c + 3 + l) else {
                        break;
                    };
                    certs.push(der.to_vec());
                    c += 3 + l;
                }
                outcome.certificates = certs;
                return Some(outcome);
            }
            14 if saw_hello => return Some(outcome),
            _ => {}
        }
    }
    None
}

const ALERTS: &[(u8, &str)] = &[
    (10, "unexpected_message"),
    (20, "bad_record_mac"),
    (40, "handshake_failure"),
    (47, "illegal_parameter"),
    (50, "decode_error"),
    (70, "protocol_version"),
    (71, "insufficient_security"),
    (80, "internal_error"),
    (86, "inappropriate_fallback"),
    (112, "unrecognized_name"),
];

async fn exchange(
    stream: &mut tokio::net::TcpStream,
    version: LegacyVersion,
    hello: &[u8],
) -> std::io::Result<LegacyOutcome> {
    stream.write_all(hello).await?;
    let mut hs = Vec::new();
    loop {
        let mut header = [0u8; 5];
        if let Err(e) = stream.read_exact(&mut header).await {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                return Ok(LegacyOutcome {
                    detail: "the server closed the connection".into(),
                    ..LegacyOutcome::default()
                });
            }
            return Err(e);
        }
        let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if header[1] != 3 || len > 18 * 1024 {
            return Ok(LegacyOutcome {
                detail: "the server's answer is not TLS".into(),
                ..LegacyOutcome::default()
            });
        }
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).await?;
        match header[0] {
            0x15 => {
                let code = body.get(1).copied().unwrap_or(0);
                let name = ALERTS
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map_or("alert", |(_, n)| n);
                return Ok(LegacyOutcome {
                    detail: format!("alert {name} ({code})"),
                    ..LegacyOutcome::default()
                });
            }
            0x16 => {
                hs.extend_from_slice(&body);
                if let Some(outcome) = parse_handshake(version, &hs) {
                    return Ok(outcome);
                }
                if hs.len() > HANDSHAKE_LIMIT {
                    return Ok(LegacyOutcome {
                        detail: "handshake too large".into(),
                        ..LegacyOutcome::default()
                    });
                }
            }
            _ => {
                return Ok(LegacyOutcome {
                    detail: "the server's answer is not TLS".into(),
                    ..LegacyOutcome::default()
                });
            }
        }
    }
}

/// Offer exactly `version`; the whole exchange is bounded by `timeout`.
pub async fn probe(
    addrs: &[SocketAddr],
    sni: Option<&str>,
    version: LegacyVersion,
    timeout: Duration,
) -> Result<LegacyOutcome, Unscannable> {
    let mut stream = connect(addrs, timeout).await?;
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|_| {
        Unscannable::new(
            crate::scan::report::TargetStatus::TlsError,
            "operating system randomness unavailable",
        )
    })?;
    let hello = client_hello(version, sni, &random);
    match tokio::time::timeout(timeout, exchange(&mut stream, version, &hello)).await {
        Err(_) => Ok(LegacyOutcome {
            detail: format!("no answer within {}s", timeout.as_secs_f32()),
            ..LegacyOutcome::default()
        }),
        Ok(Err(e)) => Ok(LegacyOutcome {
            detail: format!("connection failed: {e}"),
            ..LegacyOutcome::default()
        }),
        Ok(Ok(outcome)) => Ok(outcome),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_shape() {
        let rec = client_hello(LegacyVersion::Tls11, Some("a.example"), &[7; 32]);
        assert_eq!(&rec[..3], &[0x16, 3, 1]);
        let len = usize::from(u16::from_be_bytes([rec[3], rec[4]]));
        assert_eq!(rec.len(), 5 + len);
        assert_eq!(rec[5], 1);
        assert_eq!(&rec[9..11], &[3, 2]);
        assert!(rec.windows(9).any(|w| w == b"a.example"));
    }

    #[test]
    fn server_hello_parsing() {
        // ServerHello TLS 1.0, empty session id, suite c013, then ServerHelloDone.
        let mut body = vec![3, 1];
        body.extend_from_slice(&[0; 32]);
        body.extend_from_slice(&[0, 0xc0, 0x13, 0]);
        let mut hs = vec![2, 0, 0, u8::try_from(body.len()).unwrap_or(0)];
        hs.extend_from_slice(&body);
        assert!(parse_handshake(LegacyVersion::Tls10, &hs).is_none());
        hs.extend_from_slice(&[14, 0, 0, 0]);
        let out = parse_handshake(LegacyVersion::Tls10, &hs).unwrap_or_default();
        assert!(out.accepted);
        assert_eq!(out.cipher, Some(0xc013));
        let other = parse_handshake(LegacyVersion::Tls11, &hs).unwrap_or_default();
        assert!(!other.accepted);
    }
}
