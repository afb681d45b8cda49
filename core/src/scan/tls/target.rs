//! Scan targets: `host`, `host:port`, `[v6]:port` or `https://host[:port]/…`; IDN host
//! names become A-labels. And `--resolve HOST:PORT:ADDR` overrides.

use std::fmt;
use std::net::IpAddr;

use crate::sidecar::normalize_hostname;
use crate::{Error, Result};

/// The host part of a target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS name in A-label form (`xn--bcher-kva.example`).
    Name(String),
    /// An IP address (no SNI is sent).
    Ip(IpAddr),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// One endpoint to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host.
    pub host: Host,
    /// TCP port (443 unless given).
    pub port: u16,
    /// Set for `https://` targets: the HTTP redirect and HSTS checks run for these.
    pub url: Option<String>,
}

fn bad(target: &str, reason: impl Into<String>) -> Error {
    Error::InvalidInput {
        what: "scan target",
        reason: format!("`{}`: {}", target.escape_debug(), reason.into()),
    }
}

fn parse_host(raw: &str, target: &str) -> Result<Host> {
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    if raw.starts_with("*.") {
        return Err(bad(target, "a wildcard is not a host"));
    }
    normalize_hostname(raw)
        .map(Host::Name)
        .map_err(|_| bad(target, "not a valid host name or IP address"))
}

fn parse_port(raw: &str, target: &str) -> Result<u16> {
    match raw.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(bad(target, format!("`{raw}` is not a port (1-65535)"))),
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`, bare IPv6 -> (host, port).
fn parse_authority(authority: &str, target: &str) -> Result<(Host, Option<u16>)> {
    if authority.contains('@') {
        return Err(bad(target, "user info is not allowed"));
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let (ip, after) = rest
            .split_once(']')
            .ok_or_else(|| bad(target, "unclosed `[`"))?;
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| bad(target, "not an IPv6 address in brackets"))?;
        return match after {
            "" => Ok((Host::Ip(ip), None)),
            _ => match after.strip_prefix(':') {
                Some(p) => Ok((Host::Ip(ip), Some(parse_port(p, target)?))),
                None => Err(bad(target, "unexpected text after `]`")),
            },
        };
    }
    if authority.matches(':').count() > 1 {
        let ip: IpAddr = authority
            .parse()
            .map_err(|_| bad(target, "IPv6 addresses need brackets to carry a port"))?;
        return Ok((Host::Ip(ip), None));
    }
    match authority.split_once(':') {
        Some((h, p)) => Ok((parse_host(h, target)?, Some(parse_port(p, target)?))),
        None => Ok((parse_host(authority, target)?, None)),
    }
}

impl Target {
    /// Parse one target.
    pub fn parse(input: &str) -> Result<Target> {
        let text = input.trim();
        if text.is_empty() {
            return Err(bad(input, "empty"));
        }
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") {
            return Err(bad(
                input,
                "plain http:// is not a TLS endpoint; give https://… or host[:port]",
            ));
        }
        if let Some(rest) = lower.strip_prefix("https://").map(|_| &text[8..]) {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (host, port) = parse_authority(&rest[..end], input)?;
            let port = port.unwrap_or(443);
            let path = if end < rest.len() && rest[end..].starts_with('/') {
                &rest[end..]
            } else {
                "/"
            };
            let url = format!("https://{}{}{path}", host, port_suffix(port));
            return Ok(Target {
                host,
                port,
                url: Some(url),
            });
        }
        if text.contains("://") {
            return Err(bad(input, "only https:// URLs are scanned"));
        }
        let (host, port) = parse_authority(text, input)?;
        Ok(Target {
            host,
            port: port.unwrap_or(443),
            url: None,
        })
    }

    /// The DNS name for SNI and certificate checks (`None` for IP targets).
    pub fn server_name(&self) -> Option<&str> {
        match &self.host {
            Host::Name(n) => Some(n),
            Host::Ip(_) => None,
        }
    }
}

fn port_suffix(port: u16) -> String {
    if port == 443 {
        String::new()
    } else {
        format!(":{port}")
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.url {
            Some(url) => f.write_str(url),
            None => write!(f, "{}:{}", self.host, self.port),
        }
    }
}

/// `--resolve HOST:PORT:ADDR`: connect to ADDR for HOST:PORT (curl's syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    /// Host (A-label).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Address to use.
    pub addr: IpAddr,
}

impl ResolveOverride {
    /// Parse `HOST:PORT:ADDR` (ADDR may be `[v6]`).
    pub fn parse(text: &str) -> Result<ResolveOverride> {
        let invalid = || Error::InvalidInput {
            what: "--resolve",
            reason: format!("`{}`: use HOST:PORT:ADDR", text.escape_debug()),
        };
        let mut parts = text.splitn(3, ':');
        let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        Ok(ResolveOverride {
            host: normalize_hostname(host).map_err(|_| invalid())?,
            port: port.parse().map_err(|_| invalid())?,
            addr: addr.parse().map_err(|_| invalid())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let t = Target::parse("Example.COM").unwrap();
        assert_eq!(
            (t.host.to_string(), t.port, t.url),
            ("example.com".into(), 443, None)
        );
        let t = Target::parse("bücher.example:8443").unwrap();
        assert_eq!(t.to_string(), "xn--bcher-kva.example:8443");
        let t = Target::parse("https://Shop.Example:8443/cart?x=1").unwrap();
        assert_eq!(t.url.as_deref(), Some("https://shop.example:8443/cart?x=1"));
        let t = Target::parse("https://example.com").unwrap();
        assert_eq!(
            (t.port, t.url.as_deref()),
            (443, Some("https://example.com/"))
        );
        let t = Target::parse("[::1]:9443").unwrap();
        assert_eq!(
            (t.to_string(), t.server_name()),
            ("[::1]:9443".into(), None)
        );
        assert_eq!(Target::parse("::1").unwrap().port, 443);
        assert_eq!(
            Target::parse("127.0.0.1:8443").unwrap().to_string(),
            "127.0.0.1:8443"
        );
        for bad in [
            "",
            "http://example.com",
            "ftp://x",
            "host:0",
            "host:99999",
            "bad host",
            "*.example.com",
            "u@h:1",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolve_override() {
        let r = ResolveOverride::parse("Hybrid.Example:8443:127.0.0.1").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.addr.to_string()),
            ("hybrid.example", 8443, "127.0.0.1".into())
        );
        assert_eq!(
            ResolveOverride::parse("h.example:1:[::1]")
                .unwrap()
                .addr
                .to_string(),
            "::1"
        );
        assert!(ResolveOverride::parse("h.example:1").is_err());
    }
}
