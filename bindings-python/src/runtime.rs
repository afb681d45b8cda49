//! One shared tokio runtime per process, built on first use.
//!
//! After `os.fork()` only the forking thread exists in the child: the parent's worker
//! threads (and any connection pool driven by them) are gone, so using the parent's
//! runtime would hang. Every use checks the process id; a child builds a fresh runtime
//! and deliberately leaks the inherited one (dropping it would wait for threads that do
//! not exist).

use std::sync::{Arc, Mutex, PoisonError};

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
