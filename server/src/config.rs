//! What the server can be told: [`Config`] and the rate limits it carries.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `--listen` default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
/// `--data-dir` default.
pub const DEFAULT_DATA_DIR: &str = ".postq";
/// `--max-body-bytes` default.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default name of the audit ledger, the first part of each organisation's log origin
/// (`<name>/audit/<orgId>`, docs/formats.md §7).
pub const DEFAULT_LEDGER_NAME: &str = "postq.local";

/// Everything the server can be told. `Default` is the binary's defaults.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on (`--listen`, default `127.0.0.1:8787`; tests use port 0).
    pub listen: SocketAddr,
    /// Data directory holding `postq.db` and `kek.key` (`--data-dir`, default `.postq/`).
    pub data_dir: PathBuf,
    /// Keep everything in memory; nothing survives a stop (`--memory`).
    pub memory: bool,
    /// Honour the `X-PostQ-Fault` header (`--faults`).
    pub faults: bool,
    /// Base of the dashboard permalinks in scan `url`s (`--dashboard-url`). `None`: the
    /// server itself (`http://<listen address>`), which serves the dashboard; set it when
    /// the server is reached through another address (a proxy, TLS in front).
    pub dashboard_url: Option<String>,
    /// Largest accepted request body in bytes; larger is a 413.
    pub max_body_bytes: usize,
    /// Requests per minute per API key and route class.
    pub rate_limits: RateLimits,
    /// The KEK in text form (`POSTQ_KEK`); `None` = the data dir's `kek.key` (or a
    /// random one for `--memory`).
    pub kek: Option<String>,
    /// The audit ledger's name: checkpoints of an organisation name the log
    /// `<ledger_name>/audit/<orgId>` (`--ledger-name`, default `postq.local`). Clients
    /// pin it with the ledger key, so keep it stable.
    pub ledger_name: String,
    /// What one connection or peer address may hold: timeouts, connection caps, the
    /// unauthenticated request rate.
    pub connection_limits: ConnectionLimits,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("memory", &self.memory)
            .field("faults", &self.faults)
            .field("dashboard_url", &self.dashboard_url)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rate_limits", &self.rate_limits)
            .field("kek", &self.kek.as_ref().map(|_| "<set>"))
            .field("ledger_name", &self.ledger_name)
            .field("connection_limits", &self.connection_limits)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            memory: false,
            faults: false,
            dashboard_url: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            rate_limits: RateLimits::default(),
            kek: None,
            ledger_name: DEFAULT_LEDGER_NAME.to_owned(),
            connection_limits: ConnectionLimits::default(),
        }
    }
}

impl Config {
    /// In memory, on `127.0.0.1:0` (an ephemeral port): the usual test server.
    pub fn in_memory() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            memory: true,
            ..Self::default()
        }
    }

    /// Durable, in `dir`, on `127.0.0.1:0`.
    pub fn with_data_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: dir.into(),
            ..Self::default()
        }
    }

    /// The base of dashboard URLs for a server bound to `bound`: `--dashboard-url`, or
    /// the server itself (an unspecified listen address becomes loopback), without a
    /// trailing slash.
    pub fn dashboard_base(&self, bound: SocketAddr) -> String {
        match &self.dashboard_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let mut addr = bound;
                if addr.ip().is_unspecified() {
                    addr.set_ip(if addr.is_ipv4() {
                        std::net::Ipv4Addr::LOCALHOST.into()
                    } else {
                        std::net::Ipv6Addr::LOCALHOST.into()
                    });
                }
                format!("http://{addr}")
            }
        }
    }

    /// The SQLite file of a durable server.
    pub fn db_path(&self) -> PathBuf {
        db_path(&self.data_dir)
    }
}

pub(crate) fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("postq.db")
}

/// How long and how much one client may hold the server, so that slow or idle
/// connections and unauthenticated floods cannot starve authenticated callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A connection must deliver a complete request head within this time of opening,
    /// or of its previous answer (an idle keep-alive connection); else it is closed.
    pub header_timeout: Duration,
    /// A request body must arrive completely within this time; else `408 timeout`.
    pub body_timeout: Duration,
    /// Open connections at most; more are closed at once. Lowered at start to leave
    /// room under the process's file-descriptor limit.
    pub max_connections: usize,
    /// Open connections per peer address at most; `None` = a quarter of
    /// `max_connections` (after that is lowered to fit the descriptor limit).
    pub max_connections_per_ip: Option<usize>,
    /// Requests per minute per peer address that carry no valid API key (`401`s,
    /// `/health`, `/openapi.json`, unknown routes); more are `429 rate_limited`.
    pub unauthenticated_per_minute: u32,
}

/// `--header-timeout` default.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// `--body-timeout` default.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// `--max-connections` default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// `--unauthenticated-rate` default.
pub const DEFAULT_UNAUTHENTICATED_PER_MINUTE: u32 = 300;

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_ip: None,
            unauthenticated_per_minute: DEFAULT_UNAUTHENTICATED_PER_MINUTE,
        }
    }
}

/// A duration on the command line: seconds, fractions allowed (`10`, `0.5`).
pub(crate) fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("`{text}` is not a number of seconds between 0 and 86400"))
}

/// Requests per minute per API key, per route class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /v1/scans` (the PostQ API reference's default: 60/min).
    pub scans_write: u32,
    /// Every `GET` (the PostQ API reference's default: 600/min).
    pub read: u32,
    /// Every other write (`POST`/`PATCH`/`DELETE`): keys, sign, verify, vault, rollovers.
    pub write: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            scans_write: 60,
            read: 600,
            write: 300,
        }
    }
}

impl RateLimits {
    /// Parse `scans_write=60,read=600,write=300` (any subset; the rest keep defaults).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut out = Self::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| format!("expected CLASS=N, got `{item}`"))?;
            let n: u32 = v
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("`{v}` is not a positive number"))?;
            match k.trim() {
                "scans_write" => out.scans_write = n,
                "read" => out.read = n,
                "write" => out.write = n,
                other => {
                    return Err(format!(
                        "unknown rate-limit class `{other}` (scans_write, read, write)"
                    ));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_base_defaults_to_the_server_itself() {
        let bound: SocketAddr = "0.0.0.0:8787".parse().unwrap();
        assert_eq!(
            Config::default().dashboard_base(bound),
            "http://127.0.0.1:8787"
        );
        let bound: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        assert_eq!(
            Config::default().dashboard_base(bound),
            "http://127.0.0.1:4000"
        );
        let config = Config {
            dashboard_url: Some("https://postq.example/".into()),
            ..Config::default()
        };
        assert_eq!(config.dashboard_base(bound), "https://postq.example");
    }

    #[test]
    fn rate_limits_parse() {
        let r = RateLimits::parse("scans_write=3, read=10").unwrap();
        assert_eq!((r.scans_write, r.read, r.write), (3, 10, 300));
        assert!(RateLimits::parse("bogus=1").is_err());
        assert!(RateLimits::parse("read=0").is_err());
    }

    #[test]
    fn seconds_parse() {
        assert_eq!(parse_seconds("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_seconds("0.25").unwrap(), Duration::from_millis(250));
        for bad in ["0", "-1", "nan", "inf", "1e9", "ten"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }
}
