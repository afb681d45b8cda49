//! Accepting and serving connections: the accept loop, the caps on open connections
//! (in total and per peer address), the request-head timeout, and graceful shutdown.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt;

use crate::config::ConnectionLimits;
use crate::middleware::{DropConnection, Limiters};
use crate::store::Store;

/// File descriptors kept free for the database, the listener and the log when the
/// connection cap is fitted under the process's descriptor limit.
const RESERVED_FDS: u64 = 64;

/// The connection caps in force: `max_connections` lowered to fit the soft
/// file-descriptor limit, and the per-address cap resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConnectionCaps {
    pub(crate) total: usize,
    pub(crate) per_ip: usize,
}

impl ConnectionCaps {
    pub(crate) fn resolve(limits: &ConnectionLimits) -> Self {
        let fd_room = soft_fd_limit()
            .map(|n| usize::try_from(n.saturating_sub(RESERVED_FDS).max(1)).unwrap_or(usize::MAX));
        let total = limits
            .max_connections
            .min(fd_room.unwrap_or(usize::MAX))
            .max(1);
        if total < limits.max_connections {
            tracing::warn!(
                requested = limits.max_connections,
                total,
                "max connections lowered to fit the file-descriptor limit"
            );
        }
        let per_ip = limits
            .max_connections_per_ip
            .unwrap_or(total / 4)
            .clamp(1, total);
        Self { total, per_ip }
    }
}

#[cfg(unix)]
fn soft_fd_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn soft_fd_limit() -> Option<u64> {
    None
}

/// Open connections, in total and per peer address.
struct ConnectionGate {
    caps: ConnectionCaps,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
    /// When a refusal was last logged (ms since `epoch`), so a flood logs once a second.
    last_refusal_log: AtomicU64,
    epoch: Instant,
}

/// One admitted connection; dropping it frees its place.
struct Admitted {
    gate: Arc<ConnectionGate>,
    ip: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(|p| p.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

impl ConnectionGate {
    fn new(caps: ConnectionCaps) -> Arc<Self> {
        Arc::new(Self {
            caps,
            open: Mutex::new((0, HashMap::new())),
            last_refusal_log: AtomicU64::new(0),
            epoch: Instant::now(),
        })
    }

    /// A place for a new connection from `ip`, or `None` when a cap is reached.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let from_ip = open.1.get(&ip).copied().unwrap_or(0);
        if open.0 >= self.caps.total || from_ip >= self.caps.per_ip {
            let (total, from_ip) = (open.0, from_ip);
            drop(open);
            self.log_refusal(ip, total, from_ip);
            return None;
        }
        open.0 += 1;
        *open.1.entry(ip).or_insert(0) += 1;
        Some(Admitted {
            gate: self.clone(),
            ip,
        })
    }

    fn log_refusal(&self, ip: IpAddr, total: usize, from_ip: usize) {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_refusal_log.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 1000
            && self
                .last_refusal_log
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                peer = %ip,
                open = total,
                open_from_peer = from_ip,
                max = self.caps.total,
                max_per_peer = self.caps.per_ip,
                "connection refused: too many open connections"
            );
        }
    }
}

#[derive(Debug)]
struct DropConn;
impl std::fmt::Display for DropConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}
impl std::error::Error for DropConn {}

/// Serve HTTP/1.1 on `listener` until `stop` fires, then finish in-flight requests (up
/// to 5 s) and close the store.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    mut stop: oneshot::Receiver<()>,
    store: Store,
    limits: ConnectionLimits,
    limiters: Arc<Limiters>,
) {
    let gate = ConnectionGate::new(ConnectionCaps::resolve(&limits));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut housekeeping = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    // Out of descriptors or a transient error: back off briefly.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                // Over a cap: close at once, before reading anything.
                let Some(admitted) = gate.admit(peer.ip()) else {
                    drop(stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                // The peer address goes into each request (`ConnectInfo`); a response
                // marked `DropConnection` drops the connection instead of answering.
                let app = app.clone();
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let app = app.clone();
                    async move {
                        let mut req = req.map(axum::body::Body::new);
                        req.extensions_mut().insert(ConnectInfo(peer));
                        let resp = match app.oneshot(req).await {
                            Ok(r) => r,
                            Err(never) => match never {},
                        };
                        if resp.extensions().get::<DropConnection>().is_some() {
                            Err(DropConn)
                        } else {
                            Ok(resp)
                        }
                    }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    // Covers a slow request head and an idle keep-alive connection alike.
                    .header_read_timeout(limits.header_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                    drop(admitted);
                });
            }
            _ = housekeeping.tick() => limiters.forget_idle(),
            _ = &mut stop => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
    store.close().await;
    tracing::info!("server stopped");
}
