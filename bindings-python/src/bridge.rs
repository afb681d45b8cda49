//! Running core futures for Python: blocking with the GIL released (sync client), or
//! as an `asyncio.Future` of the caller's running loop (async client).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

/// How often a blocked call wakes up to let Python handle signals (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// A value that becomes a Python object once the GIL is held again.
pub trait IntoPython: Send + 'static {
    /// Convert.
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>>;
}

/// Run `fut` to completion on `rt` with the GIL released. Python signal handlers run
/// every [`SIGNAL_POLL`]; if one raises (KeyboardInterrupt), the call is dropped.
pub fn block_on<T, F>(py: Python<'_>, rt: &Runtime, fut: F) -> PyResult<T>
where
    F: Future<Output = PyResult<T>> + Send,
    T: Send,
{
    let mut fut = pin!(fut);
    loop {
        // The timer must be created inside the runtime's context, hence the async block.
        let step = py.detach(|| {
            rt.block_on(async { tokio::time::timeout(SIGNAL_POLL, fut.as_mut()).await })
        });
        match step {
            Ok(result) => return result,
            Err(_elapsed) => py.check_signals()?,
        }
    }
}

/// `fut.set_result(value)` / `fut.set_exception(value)` unless the future is already
/// done (cancelled). Scheduled on the loop with `call_soon_threadsafe`.
#[pyfunction]
pub fn resolve_future(
    future: &Bound<'_, PyAny>,
    ok: bool,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    let method = if ok { "set_result" } else { "set_exception" };
    future.call_method1(method, (value,))?;
    Ok(())
}

/// Done-callback of the asyncio future: cancelling it aborts the Rust task.
#[pyclass(frozen, module = "postq._native")]
pub struct CancelTask {
    handle: AbortHandle,
}

#[pymethods]
impl CancelTask {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.handle.abort();
        }
        Ok(())
    }
}

static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Start `fut` on `rt` and return an `asyncio.Future` of the running loop that
/// completes with its result. Raises `RuntimeError` outside a running event loop.
pub fn spawn_async<'py, T, F>(
    py: Python<'py>,
    rt: &Arc<Runtime>,
    fut: F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: IntoPython,
{
    let asyncio = py.import("asyncio")?;
    let event_loop = asyncio.call_method0("get_running_loop")?;
    let py_future = event_loop.call_method0("create_future")?;
    let resolve = RESOLVE
        .get_or_try_init(py, || {
            wrap_pyfunction!(resolve_future, py).map(|f| f.into_any().unbind())
        })?
        .clone_ref(py);
    let loop_ref = event_loop.unbind();
    let future_ref = py_future.clone().unbind();
    let task = rt.spawn(async move {
        let result = fut.await;
        Python::attach(|py| {
            let (ok, value) = match result.and_then(|v| v.into_python(py)) {
                Ok(v) => (true, v),
                Err(e) => (false, e.into_value(py).into_any()),
            };
            // A closed loop cannot take the result any more; nothing to do then.
            let _ = loop_ref.bind(py).call_method1(
                "call_soon_threadsafe",
                (resolve, future_ref.bind(py), ok, value),
            );
        });
    });
    let cancel = Py::new(
        py,
        CancelTask {
            handle: task.abort_handle(),
        },
    )?;
    py_future.call_method1("add_done_callback", (cancel,))?;
    Ok(py_future)
}
