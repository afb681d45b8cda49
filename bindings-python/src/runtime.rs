//! The shared, fork-aware runtime of `postq-bindings-common`, as Python sees it.

use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::Runtime;

use crate::errors::to_py;

/// The runtime of this process (rebuilt in a forked child).
pub fn runtime(py: Python<'_>) -> PyResult<Arc<Runtime>> {
    postq_bindings_common::runtime::runtime().map_err(|e| to_py(py, &e))
}

/// The process id that owns the current runtime (`None` before the first call).
/// For tests of fork safety.
#[pyfunction]
pub fn runtime_pid() -> Option<u32> {
    postq_bindings_common::runtime::runtime_pid()
}

/// Stop the runtime before the interpreter finalizes (registered with `atexit` by the
/// package). A worker thread that touches Python while CPython is finalizing is killed
/// mid-call (a crash at exit); waiting here, with the GIL released, lets every task
/// finish or be dropped first. A later call simply builds a new runtime.
#[pyfunction]
pub fn shutdown_runtime(py: Python<'_>) {
    postq_bindings_common::runtime::shutdown_runtime(Duration::from_secs(2), |wait| {
        py.detach(wait);
    });
}
