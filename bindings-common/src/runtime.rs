//! One shared tokio runtime per process, built on first use.
//!
//! After `fork()` only the forking thread exists in the child: the parent's worker
//! threads (and any connection pool driven by them) are gone, so using the parent's
//! runtime would hang. Every use checks the process id; a child builds a fresh runtime
//! and deliberately leaks the inherited one (dropping it would wait for threads that do
//! not exist).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use postq::error::{ErrorCode, ErrorKind};
use tokio::runtime::Runtime;

use crate::ErrorInfo;

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The runtime of this process (rebuilt in a forked child).
pub fn runtime() -> Result<Arc<Runtime>, ErrorInfo> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((owner, rt)) = slot.as_ref()
        && *owner == pid
    {
        return Ok(Arc::clone(rt));
    }
    if let Some(inherited) = slot.take() {
        std::mem::forget(inherited);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("postq-runtime")
        .build()
        .map_err(|e| {
            ErrorInfo::local(
                ErrorKind::Api,
                ErrorCode::HttpError,
                format!("cannot start the postq runtime: {e}"),
            )
        })?;
    let rt = Arc::new(rt);
    *slot = Some((pid, Arc::clone(&rt)));
    Ok(rt)
}

/// The process id that owns the current runtime (`None` before the first use).
pub fn runtime_pid() -> Option<u32> {
    RUNTIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|(pid, _)| *pid)
}

/// Stop the runtime, letting running tasks finish or be dropped within `grace`. For
/// hosts that must not have runtime threads running while they tear down (CPython's
/// finalization, a .NET domain unload). A later use simply builds a new runtime.
///
/// `wait` runs the blocking part; Python passes a closure that releases the GIL.
pub fn shutdown_runtime(grace: Duration, wait: impl FnOnce(Box<dyn FnOnce() + Send>)) {
    let taken = RUNTIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    match taken {
        Some((pid, rt)) if pid == std::process::id() => match Arc::try_unwrap(rt) {
            Ok(rt) => wait(Box::new(move || rt.shutdown_timeout(grace))),
            // Another thread is inside a call right now: leave its runtime running.
            Err(shared) => std::mem::forget(shared),
        },
        // Inherited from the parent process: its threads do not exist here.
        Some(inherited) => std::mem::forget(inherited),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_runtime_per_process_until_shut_down() {
        let a = runtime().unwrap();
        let b = runtime().unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(runtime_pid(), Some(std::process::id()));
        assert_eq!(a.block_on(async { 7 }), 7);
    }
}
