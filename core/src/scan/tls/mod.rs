//! The TLS endpoint scanner (`postq scan url`). Per target, every wait bounded:
//!
//! 1. resolve (or `--resolve`), connect;
//! 2. a browser-like rustls handshake (TLS 1.3 + 1.2, X25519MLKEM768 first, classical
//!    groups after): version, suite, chosen group, the chain — and, for `https://`
//!    targets, a `HEAD` over it for HSTS;
//! 3. concurrently: each post-quantum group offered alone, TLS 1.0 and 1.1 probes
//!    (`legacy.rs`), and plain HTTP on port 80 for `https://` targets;
//! 4. the chain classified (`classify`), trusted or not, matching the host or not, and a
//!    hybrid sidecar verified.
//!
//! One target's failure is that target's report; it never stops the others.

mod connect;
mod handshake;
mod http;
mod legacy;
mod loopback;
mod target;
mod trust;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{Stream, StreamExt as _};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use time::OffsetDateTime;

pub use connect::Unscannable;
pub use legacy::{LegacyOutcome, LegacyVersion, client_hello};
pub use loopback::{LoopbackOptions, LoopbackServer};
pub use target::{Host, ResolveOverride, Target};

use self::handshake::{Configs, HandshakeFailure, Negotiated, accepts_alone, is_pq_group};
use self::http::PlainHttp;
use self::trust::TrustStore;
use super::asset::{AlgorithmAsset, CipherSuiteAsset, CryptoAsset, Primitive, ProtocolAsset};
use super::classify::{CertRole, ClassifyContext, classify_certificate};
use super::report::{ScanKind, ScanReport, TargetStatus, TlsSummary};
use super::{Finding, FindingCode, Location};

/// Options of a URL scan.
#[derive(Debug, Clone)]
pub struct UrlScanOptions {
    /// Bound on each network step (resolve, connect, handshake, read).
    pub step_timeout: Duration,
    /// Targets scanned at once.
    pub concurrency: usize,
    /// Port of the plain-HTTP check for `https://` targets.
    pub http_port: u16,
    /// `--resolve` overrides.
    pub resolve: Vec<ResolveOverride>,
    /// Extra trust anchors (DER), e.g. a private CA.
    pub extra_roots: Vec<Vec<u8>>,
    /// Judge certificate validity at this time instead of now.
    pub now: Option<OffsetDateTime>,
}

impl Default for UrlScanOptions {
    fn default() -> Self {
        UrlScanOptions {
            step_timeout: Duration::from_secs(5),
            concurrency: 16,
            http_port: 80,
            resolve: Vec::new(),
            extra_roots: Vec::new(),
            now: None,
        }
    }
}

/// Scans TLS endpoints. Build once per run: the TLS configurations and the trust store
/// are shared by every target.
pub struct UrlScanner {
    options: UrlScanOptions,
    configs: Configs,
    trust: TrustStore,
}

fn version_label(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
        other => format!("{other:?}"),
    }
}

fn group_label(g: rustls::NamedGroup) -> String {
    match g {
        rustls::NamedGroup::secp256r1MLKEM768 => "SecP256r1MLKEM768".to_owned(),
        rustls::NamedGroup::secp256r1 => "secp256r1".to_owned(),
        rustls::NamedGroup::secp384r1 => "secp384r1".to_owned(),
        rustls::NamedGroup::secp521r1 => "secp521r1".to_owned(),
        other => format!("{other:?}"),
    }
}

/// The key-exchange group as a CBOM algorithm.
fn group_asset(g: rustls::NamedGroup) -> AlgorithmAsset {
    let name = group_label(g);
    let (primitive, level, classical) = match g {
        rustls::NamedGroup::X25519MLKEM768 | rustls::NamedGroup::secp256r1MLKEM768 => {
            (Primitive::Kem, 3, 128)
        }
        rustls::NamedGroup::MLKEM768 => (Primitive::Kem, 3, 192),
        rustls::NamedGroup::MLKEM1024 => (Primitive::Kem, 5, 256),
        rustls::NamedGroup::secp384r1 => (Primitive::KeyAgree, 0, 192),
        rustls::NamedGroup::secp521r1 => (Primitive::KeyAgree, 0, 256),
        _ => (Primitive::KeyAgree, 0, 128),
    };
    let mut a = AlgorithmAsset::named(name, primitive, level);
    a.classical_bits = Some(classical);
    a
}

/// The suite's bulk cipher and hash as CBOM algorithms (from its IANA name).
fn suite_asset(name: &str, code: u16) -> CipherSuiteAsset {
    let mut algorithms = Vec::new();
    let mut ae = |n: &str, bits: u32, level: u8| {
        let mut a = AlgorithmAsset::named(n, Primitive::Ae, level);
        a.parameter_set = Some(bits.to_string());
        a.classical_bits = Some(bits);
        algorithms.push(a);
    };
    if name.contains("AES_128_GCM") {
        ae("AES-128-GCM", 128, 1);
    } else if name.contains("AES_256_GCM") {
        ae("AES-256-GCM", 256, 5);
    } else if name.contains("CHACHA20_POLY1305") {
        ae("ChaCha20-Poly1305", 256, 5);
    } else if name.contains("AES_128_CBC") {
        ae("AES-128-CBC", 128, 1);
    } else if name.contains("AES_256_CBC") {
        ae("AES-256-CBC", 256, 5);
    }
    if name.ends_with("SHA384") {
        let mut h = AlgorithmAsset::named("SHA-384", Primitive::Hash, 4);
        h.classical_bits = Some(192);
        algorithms.push(h);
    } else if name.ends_with("SHA256") {
        let mut h = AlgorithmAsset::named("SHA-256", Primitive::Hash, 2);
        h.classical_bits = Some(128);
        algorithms.push(h);
    }
    CipherSuiteAsset {
        name: name.to_owned(),
        identifier: format!("0x{:02X},0x{:02X}", code >> 8, code & 0xff),
        algorithms,
    }
}

fn finding(
    code: FindingCode,
    detail: impl AsRef<str>,
    evidence: impl Into<String>,
    at: &Location,
) -> Finding {
    Finding::new(code, detail, evidence, at.clone())
}

impl UrlScanner {
    /// Build the TLS configurations and load the trust store.
    pub fn new(options: UrlScanOptions) -> crate::Result<UrlScanner> {
        Ok(UrlScanner {
            configs: Configs::new()?,
            trust: TrustStore::new(&options.extra_roots),
            options,
        })
    }

    /// Scan many targets, `concurrency` at a time; yields `(index, report)` as each
    /// finishes.
    pub fn scan_all(
        self: &Arc<Self>,
        targets: Vec<Target>,
    ) -> impl Stream<Item = (usize, ScanReport)> + Send + 'static {
        let scanner = Arc::clone(self);
        let concurrency = self.options.concurrency.max(1);
        futures_util::stream::iter(targets.into_iter().enumerate())
            .map(move |(i, t)| {
                let scanner = Arc::clone(&scanner);
                async move { (i, scanner.scan(&t).await) }
            })
            .buffer_unordered(concurrency)
    }

    /// Scan one target.
    pub async fn scan(&self, target: &Target) -> ScanReport {
        let started = Instant::now();
        let mut report = ScanReport::new(ScanKind::Url, target.to_string());
        if let Err(u) = self.probe(target, &mut report).await {
            report.status = u.status;
            report.error = Some(u.reason);
            report.findings.clear();
            report.assets.clear();
        }
        report.finish(started);
        report
    }

    async fn probe(&self, target: &Target, report: &mut ScanReport) -> Result<(), Unscannable> {
        let timeout = self.options.step_timeout;
        let addrs = connect::resolve(target, &self.options.resolve, timeout).await?;
        let at = Location::Endpoint {
            host: target.host.to_string().trim_matches(['[', ']']).to_owned(),
            port: target.port,
        };
        let mut tls = TlsSummary {
            address: addrs.first().map(SocketAddr::to_string).unwrap_or_default(),
            ..TlsSummary::default()
        };

        // 2. The browser-like handshake (and HSTS over it).
        let main = match handshake::handshake(&addrs, target, &self.configs.main, timeout).await {
            Ok((negotiated, stream)) => {
                if let Some(url) = &target.url {
                    let path = url_path(url);
                    let host = host_header(target);
                    match http::hsts(stream, &host, &path, timeout).await {
                        Ok(Some(v)) => tls.hsts = Some(v),
                        Ok(None) => report.findings.push(finding(
                            FindingCode::HstsMissing,
                            "",
                            format!("HEAD {path} over TLS: no Strict-Transport-Security header"),
                            &at,
                        )),
                        Err(e) => tls.notes.push(format!("HSTS not checked: {e}")),
                    }
                }
                Ok(negotiated)
            }
            Err(HandshakeFailure::Unscannable(u)) => return Err(u),
            Err(HandshakeFailure::Refused(reason)) => Err(reason),
        };

        // 3. Concurrent probes.
        let sni = target.server_name();
        let tls13 = matches!(&main, Ok(n) if n.version == rustls::ProtocolVersion::TLSv1_3);
        let negotiated_pq =
            matches!(&main, Ok(Negotiated { group: Some(g), .. }) if is_pq_group(*g));
        let pq_x = async {
            if tls13 && !negotiated_pq {
                accepts_alone(&addrs, target, &self.configs.pq_x25519, timeout).await
            } else {
                None
            }
        };
        let pq_p = async {
            if tls13 {
                accepts_alone(&addrs, target, &self.configs.pq_p256, timeout).await
            } else {
                None
            }
        };
        let l10 = legacy::probe(&addrs, sni, LegacyVersion::Tls10, timeout);
        let l11 = legacy::probe(&addrs, sni, LegacyVersion::Tls11, timeout);
        let l12 = async {
            if main.is_err() {
                Some(legacy::probe(&addrs, sni, LegacyVersion::Tls12, timeout).await)
            } else {
                None
            }
        };
        let plain = async {
            match &target.url {
                Some(_) => Some(
                    http::plain_http(
                        &addrs,
                        self.options.http_port,
                        &host_header_bare(target),
                        timeout,
                    )
                    .await,
                ),
                None => None,
            }
        };
        let (pq_x, pq_p, l10, l11, l12, plain) = tokio::join!(pq_x, pq_p, l10, l11, l12, plain);
        let l10 = l10.unwrap_or_default();
        let l11 = l11.unwrap_or_default();
        let l12 = l12.and_then(Result::ok).unwrap_or_default();

        // Versions.
        let legacy_outcomes = [
            (LegacyVersion::Tls10, &l10),
            (LegacyVersion::Tls11, &l11),
            (LegacyVersion::Tls12, &l12),
        ];
        for (v, o) in &legacy_outcomes {
            if o.accepted && *v != LegacyVersion::Tls12 {
                tls.legacy_versions_accepted.push(v.label().to_owned());
            }
        }
        if l10.accepted {
            let also = if l11.accepted {
                "; TLS 1.1 is accepted too"
            } else {
                ""
            };
            report.findings.push(finding(
                FindingCode::Tls10Min,
                "TLS-1.0-MIN: the server accepts TLS 1.0",
                format!("{}{also}", l10.detail),
                &at,
            ));
        } else if l11.accepted {
            report.findings.push(finding(
                FindingCode::Tls11Min,
                "TLS-1.1-MIN: the server accepts TLS 1.1",
                l11.detail.clone(),
                &at,
            ));
        }

        // The chain: from rustls, or from the legacy ServerHello when rustls was refused.
        let (chain, max_version): (Vec<CertificateDer<'static>>, Option<&str>) = match &main {
            Ok(n) => {
                tls.protocol = Some(version_label(n.version));
                tls.cipher_suite = Some(suite_name(n.suite));
                tls.key_exchange = n.group.map(group_label);
                (
                    n.certificates.clone(),
                    Some(if n.version == rustls::ProtocolVersion::TLSv1_3 {
                        "1.3"
                    } else {
                        "1.2"
                    }),
                )
            }
            Err(reason) => {
                let best = legacy_outcomes.iter().rev().find(|(_, o)| o.accepted);
                match best {
                    None => {
                        return Err(Unscannable::new(
                            TargetStatus::TlsError,
                            format!(
                                "the server refused every TLS version offered (1.3/1.2: {reason}; 1.1: {}; 1.0: {})",
                                l11.detail, l10.detail
                            ),
                        ));
                    }
                    Some((v, o)) => {
                        tls.protocol = Some(format!("TLSv{}", v.label()));
                        tls.cipher_suite = o.cipher.map(|c| format!("0x{c:04x}"));
                        tls.notes
                            .push(format!("rustls handshake refused: {reason}"));
                        (
                            o.certificates
                                .iter()
                                .map(|d| CertificateDer::from(d.clone()))
                                .collect(),
                            Some(v.label()),
                        )
                    }
                }
            }
        };
        if max_version != Some("1.3") {
            report.findings.push(finding(
                FindingCode::Tls13Unsupported,
                format!(
                    "TLS 1.3 not supported (highest: TLS {})",
                    max_version.unwrap_or("?")
                ),
                format!("negotiated {}", tls.protocol.clone().unwrap_or_default()),
                &at,
            ));
        }

        // Key exchange.
        let mut kx_assets = Vec::new();
        if let Ok(Negotiated { group: Some(g), .. }) = &main {
            kx_assets.push(group_asset(*g));
        }
        for (accepted, group) in [
            (pq_x, rustls::NamedGroup::X25519MLKEM768),
            (pq_p, rustls::NamedGroup::secp256r1MLKEM768),
        ] {
            if accepted == Some(true) {
                tls.pq_groups_accepted.push(group_label(group));
                if !kx_assets.iter().any(|a| a.name == group_label(group)) {
                    kx_assets.push(group_asset(group));
                }
            }
        }
        if negotiated_pq
            && let Some(g) = tls.key_exchange.clone()
            && !tls.pq_groups_accepted.contains(&g)
        {
            tls.pq_groups_accepted.insert(0, g);
        }
        let offered = "offered X25519MLKEM768, X25519, secp256r1, secp384r1, SecP256r1MLKEM768";
        match &main {
            Ok(n) if negotiated_pq => report.findings.push(finding(
                FindingCode::KxPqHybrid,
                format!(
                    "post-quantum hybrid key exchange ({})",
                    tls.key_exchange.clone().unwrap_or_default()
                ),
                format!(
                    "{offered}; the server chose {} over {}",
                    tls.key_exchange.clone().unwrap_or_default(),
                    version_label(n.version)
                ),
                &at,
            )),
            Ok(_) if !tls.pq_groups_accepted.is_empty() => report.findings.push(finding(
                FindingCode::KxPqNotPreferred,
                "",
                format!(
                    "{offered}; the server chose {} although it accepts {} alone",
                    tls.key_exchange.clone().unwrap_or_else(|| "a classical group".into()),
                    tls.pq_groups_accepted.join(", ")
                ),
                &at,
            )),
            _ => report.findings.push(finding(
                FindingCode::KxNotPq,
                "",
                match &main {
                    Ok(n) if n.version == rustls::ProtocolVersion::TLSv1_3 => format!(
                        "{offered}; the server chose {} and refused every post-quantum group offered alone",
                        tls.key_exchange.clone().unwrap_or_default()
                    ),
                    _ => format!(
                        "TLS {} has no post-quantum key exchange",
                        max_version.unwrap_or("?")
                    ),
                },
                &at,
            )),
        }

        // 4. Certificates.
        let now = self.options.now.unwrap_or_else(OffsetDateTime::now_utc);
        let ctx = ClassifyContext {
            location: at.clone(),
            now,
            hostname: target.server_name().map(str::to_owned),
            kept: "on the server",
        };
        let mut leaf_fp = None;
        let mut leaf_self_issued = false;
        for (i, der) in chain.iter().enumerate() {
            let role = if i == 0 {
                CertRole::Leaf
            } else {
                CertRole::Chain
            };
            match classify_certificate(der, role, &ctx) {
                Ok(c) => {
                    if i == 0 {
                        leaf_fp = Some(c.asset.fingerprint.clone());
                        leaf_self_issued = c.self_issued;
                        if c.asset.hybrid_sidecar {
                            tls.hybrid_bound = Some(
                                c.findings
                                    .iter()
                                    .any(|f| f.code == FindingCode::CertHybridBound),
                            );
                        }
                    }
                    report.findings.extend(c.findings);
                    report.assets.push(CryptoAsset::Certificate(c.asset));
                }
                Err(e) => tls.notes.push(format!("certificate {i} unreadable: {e}")),
            }
        }
        tls.certificate = leaf_fp.clone();
        if let Some(leaf) = chain.first() {
            self.judge_chain(&chain, leaf, leaf_self_issued, target, &at, report);
        } else {
            tls.notes.push("the server sent no certificate".into());
        }

        // Plain HTTP.
        match plain {
            Some(PlainHttp::Served(what)) => {
                tls.plain_http = Some(what.clone());
                report.findings.push(finding(
                    FindingCode::HttpsNotEnforced,
                    "HTTPS-NOT-ENFORCED: plain HTTP is served without a redirect to HTTPS",
                    format!(
                        "GET http://{}:{}/ answered {what}",
                        host_header_bare(target),
                        self.options.http_port
                    ),
                    &at,
                ));
            }
            Some(PlainHttp::RedirectsToHttps(what)) => tls.plain_http = Some(what),
            Some(PlainHttp::NotServed) => tls.plain_http = Some("not served".into()),
            Some(PlainHttp::Unknown(why)) => {
                tls.notes.push(format!("plain HTTP not checked: {why}"))
            }
            None => {}
        }

        let suites = match &main {
            Ok(n) => vec![suite_asset(&suite_name(n.suite), u16::from(n.suite))],
            Err(_) => legacy_outcomes
                .iter()
                .filter_map(|(_, o)| o.cipher.filter(|_| o.accepted))
                .map(|c| suite_asset(&format!("0x{c:04x}"), c))
                .take(1)
                .collect(),
        };
        report.assets.push(CryptoAsset::Protocol(ProtocolAsset {
            version: max_version.unwrap_or("?").to_owned(),
            cipher_suites: suites,
            key_exchange: kx_assets,
            certificate: leaf_fp,
            endpoint: at,
        }));
        report.tls = Some(tls);
        Ok(())
    }

    fn judge_chain(
        &self,
        chain: &[CertificateDer<'static>],
        leaf: &CertificateDer<'static>,
        self_issued: bool,
        target: &Target,
        at: &Location,
        report: &mut ScanReport,
    ) {
        let name = match &target.host {
            Host::Name(n) => ServerName::try_from(n.clone()).ok(),
            Host::Ip(ip) => Some(ServerName::IpAddress((*ip).into())),
        };
        if let Some(name) = name
            && let Err(e) = TrustStore::matches_name(leaf, &name)
        {
            report.findings.push(finding(
                FindingCode::CertHostnameMismatch,
                format!("certificate does not match {}", target.host),
                e,
                at,
            ));
        }
        // Judge trust inside the leaf's validity window, so expiry is reported once.
        let mid = x509_parser::parse_x509_certificate(leaf)
            .ok()
            .map(|(_, c)| {
                let v = c.validity();
                let (a, b) = (v.not_before.timestamp(), v.not_after.timestamp());
                a + (b - a) / 2
            });
        let at_time = mid
            .and_then(|t| u64::try_from(t).ok())
            .map(|t| UnixTime::since_unix_epoch(Duration::from_secs(t)))
            .unwrap_or_else(UnixTime::now);
        if let Err(reason) = self.trust.verify_chain(chain, at_time) {
            let (code, detail) = if self_issued && chain.len() == 1 {
                (FindingCode::CertSelfSigned, "self-signed certificate")
            } else {
                (FindingCode::CertUntrusted, "certificate chain not trusted")
            };
            report.findings.push(finding(code, detail, reason, at));
        }
    }
}

fn suite_name(suite: rustls::CipherSuite) -> String {
    format!("{suite:?}")
}

fn url_path(url: &str) -> String {
    let rest = url.splitn(4, '/').nth(3).unwrap_or_default();
    format!("/{rest}")
}

/// `Host` header value for the TLS port.
fn host_header(target: &Target) -> String {
    if target.port == 443 {
        target.host.to_string()
    } else {
        format!("{}:{}", target.host, target.port)
    }
}

fn host_header_bare(target: &Target) -> String {
    target.host.to_string()
}

impl UrlScanOptions {
    /// Add every certificate of a PEM file as an extra trust anchor.
    pub fn add_roots_pem(&mut self, pem: &[u8]) -> crate::Result<usize> {
        use rustls::pki_types::pem::PemObject as _;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert =
                cert.map_err(|e| crate::Error::InvalidCertificate(format!("CA file: {e}")))?;
            self.extra_roots.push(cert.to_vec());
            added += 1;
        }
        if added == 0 {
            return Err(crate::Error::InvalidCertificate(
                "CA file holds no CERTIFICATE block".into(),
            ));
        }
        Ok(added)
    }
}
