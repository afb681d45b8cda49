//! Name resolution and TCP connect, each bounded by the step timeout, with the reason a
//! target could not be reached spelled out.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

use super::target::{Host, ResolveOverride, Target};
use crate::scan::report::TargetStatus;

/// Why a target could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unscannable {
    /// The class of failure.
    pub status: TargetStatus,
    /// A sentence for humans.
    pub reason: String,
}

impl Unscannable {
    pub(crate) fn new(status: TargetStatus, reason: impl Into<String>) -> Self {
        Unscannable {
            status,
            reason: reason.into(),
        }
    }
}

/// Resolve a target (overrides first), bounded by `timeout`.
pub async fn resolve(
    target: &Target,
    overrides: &[ResolveOverride],
    timeout: Duration,
) -> Result<Vec<SocketAddr>, Unscannable> {
    let name = match &target.host {
        Host::Ip(ip) => return Ok(vec![SocketAddr::new(*ip, target.port)]),
        Host::Name(n) => n,
    };
    if let Some(o) = overrides
        .iter()
        .find(|o| &o.host == name && o.port == target.port)
    {
        return Ok(vec![SocketAddr::new(o.addr, target.port)]);
    }
    match tokio::time::timeout(
        timeout,
        tokio::net::lookup_host((name.as_str(), target.port)),
    )
    .await
    {
        Err(_) => Err(Unscannable::new(
            TargetStatus::Unreachable,
            format!(
                "DNS lookup of {name} took longer than {}s",
                timeout.as_secs_f32()
            ),
        )),
        Ok(Err(e)) => Err(Unscannable::new(
            TargetStatus::Unreachable,
            format!("DNS lookup of {name} failed: {e}"),
        )),
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(Unscannable::new(
                    TargetStatus::Unreachable,
                    format!("{name} has no addresses"),
                ))
            } else {
                Ok(addrs)
            }
        }
    }
}

/// Connect to the first address that answers; each attempt bounded by `timeout`.
pub async fn connect(addrs: &[SocketAddr], timeout: Duration) -> Result<TcpStream, Unscannable> {
    let mut last = Unscannable::new(TargetStatus::Unreachable, "no address to connect to");
    for addr in addrs {
        match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = Unscannable::new(
                    TargetStatus::Refused,
                    format!("connection to {addr} refused"),
                );
            }
            Ok(Err(e)) => {
                last = Unscannable::new(
                    TargetStatus::Unreachable,
                    format!("cannot connect to {addr}: {e}"),
                );
            }
            Err(_) => {
                last = Unscannable::new(
                    TargetStatus::Timeout,
                    format!(
                        "TCP connect to {addr} took longer than {}s",
                        timeout.as_secs_f32()
                    ),
                );
            }
        }
    }
    Err(last)
}
