//! [`ErrorInfo`] → the exception classes of `postq._errors`: one table, by kind.
//! (A `From<ErrorInfo> for PyErr` impl is impossible here: both types are foreign.)

use postq_bindings_common::{ErrorInfo, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The class in `postq._errors` for each kind of failure.
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Validation => "PostQValidationError",
        ErrorKind::Auth => "PostQAuthError",
        ErrorKind::Permission => "PostQPermissionError",
        ErrorKind::NotFound => "PostQNotFoundError",
        ErrorKind::Conflict => "PostQConflictError",
        ErrorKind::RateLimit => "PostQRateLimitError",
        ErrorKind::Server => "PostQServerError",
        ErrorKind::Connection => "PostQConnectionError",
        ErrorKind::Timeout => "PostQTimeoutError",
        ErrorKind::Api | ErrorKind::InvalidResponse | ErrorKind::Crypto => "PostQError",
    }
}

fn build(py: Python<'_>, err: &ErrorInfo) -> PyResult<PyErr> {
    let class = py.import("postq._errors")?.getattr(class_name(err.kind))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("message", &err.message)?;
    kwargs.set_item("status", err.status)?;
    kwargs.set_item("code", &err.code)?;
    kwargs.set_item("request_id", err.request_id.as_deref())?;
    kwargs.set_item("retry_after", err.retry_after)?;
    let instance = class.call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// The Python exception for an error (never panics; falls back to RuntimeError).
pub fn to_py(py: Python<'_>, err: &ErrorInfo) -> PyErr {
    build(py, err)
        .unwrap_or_else(|e| PyRuntimeError::new_err(format!("{err} (and mapping it failed: {e})")))
}

/// [`to_py`] for callers that do not hold the GIL.
pub fn to_py_detached(err: &ErrorInfo) -> PyErr {
    Python::attach(|py| to_py(py, err))
}

/// A core error as a Python exception.
pub fn core_to_py(py: Python<'_>, err: &postq::Error) -> PyErr {
    to_py(py, &ErrorInfo::from(err))
}
