//! Cross-cutting HTTP behaviour, one concern per module, applied by `app::router` in
//! this order (outermost first): request id and log line, the per-peer rate limit of
//! requests outside `/v1`; then under `/v1` authentication (a missing or invalid key
//! spends the peer's unauthenticated bucket), per-key rate limits, the body (size and
//! read time; read only now), fault injection, `Idempotency-Key`, and the fault delay.

mod body_limit;
mod faults;
mod idempotency;
mod rate_limit;
mod request_id;

pub(crate) use body_limit::body_limit;
pub(crate) use faults::{DropConnection, FaultCounts, fault_delay, faults};
pub(crate) use idempotency::{ReplayInstead, idempotency};
pub(crate) use rate_limit::{Limiters, peer_ip, peer_rate_limit, rate_limit};
pub(crate) use request_id::request_id;
