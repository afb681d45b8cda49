//! One shared tokio runtime per process, built on first use.
//!
//! After `os.fork()` only the forking thread exists in the child: the parent's worker
//! threads (and any connection pool driven by them) are gone, so using the parent's
//! runtime would hang. Every use checks the process id; a child builds a fresh runtime
//! and deliberately leaks the inherited one (dropping it would wait for threads that do
//! not exist).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The runtime of this process (rebuilt in a forked child).
pub fn runtime() -> PyResult<Arc<Runtime>> {
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
        .map_err(|e| PyRuntimeError::new_err(format!("postq: cannot start the runtime: {e}")))?;
    let rt = Arc::new(rt);
    *slot = Some((pid, Arc::clone(&rt)));
    Ok(rt)
}

/// The process id that owns the current runtime (`None` before the first call).
/// For tests of fork safety.
#[pyfunction]
pub fn runtime_pid() -> Option<u32> {
    RUNTIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|(pid, _)| *pid)
}

/// Stop the runtime before the interpreter finalizes (registered with `atexit` by the
/// package). A worker thread that touches Python while CPython is finalizing is killed
/// mid-call (a crash at exit); waiting here, with the GIL released, lets every task
/// finish or be dropped first. A later call simply builds a new runtime.
#[pyfunction]
pub fn shutdown_runtime(py: Python<'_>) {
    let taken = RUNTIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    match taken {
        Some((pid, rt)) if pid == std::process::id() => match Arc::try_unwrap(rt) {
            Ok(rt) => py.detach(|| rt.shutdown_timeout(Duration::from_secs(2))),
            // Another thread is inside a call right now: leave its runtime running.
            Err(shared) => std::mem::forget(shared),
        },
        // Inherited from the parent process: its threads do not exist here.
        Some(inherited) => std::mem::forget(inherited),
        None => {}
    }
}
