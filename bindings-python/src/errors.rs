//! [`postq::Error`] → the exception classes of `postq._errors`, by HTTP status and code.
//! (A `From<postq::Error> for PyErr` impl is impossible here: both types are foreign.)

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The class name in `postq._errors` for an error.
fn class_name(err: &postq::Error) -> &'static str {
    use postq::Error as E;
    match err {
        E::Api { status, .. } => match status {
            401 => "PostQAuthError",
            403 => "PostQPermissionError",
            404 => "PostQNotFoundError",
            409 => "PostQConflictError",
            429 => "PostQRateLimitError",
            s if *s >= 500 => "PostQServerError",
            _ => "PostQError",
        },
        E::InvalidResponse { status, .. } if *status >= 500 => "PostQServerError",
        E::Connection(_) => "PostQConnectionError",
        E::Timeout(_) => "PostQTimeoutError",
        E::InvalidInput { .. }
        | E::InvalidSignature(_)
        | E::KeyMismatch { .. }
        | E::InvalidCertificate(_)
        | E::Unsupported { .. }
        | E::Config(_) => "PostQValidationError",
        _ => "PostQError",
    }
}

fn build(py: Python<'_>, err: &postq::Error) -> PyResult<PyErr> {
    let module = py.import("postq._errors")?;
    let class = module.getattr(class_name(err))?;
    let kwargs = PyDict::new(py);
    let message = match err {
        postq::Error::Api { message, .. } => message.clone(),
        other => other.to_string(),
    };
    kwargs.set_item("message", message)?;
    kwargs.set_item("status", err.status())?;
    kwargs.set_item("code", err.code())?;
    kwargs.set_item("request_id", err.request_id())?;
    kwargs.set_item("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
    let instance = class.call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// The Python exception for a core error (never panics; falls back to RuntimeError).
pub fn to_py(py: Python<'_>, err: &postq::Error) -> PyErr {
    build(py, err)
        .unwrap_or_else(|e| PyRuntimeError::new_err(format!("{err} (and mapping it failed: {e})")))
}

/// [`to_py`] for callers that do not hold the GIL.
pub fn to_py_detached(err: &postq::Error) -> PyErr {
    Python::attach(|py| to_py(py, err))
}

/// A local input error, raised as `PostQValidationError`.
pub fn invalid(what: &'static str, reason: impl Into<String>) -> postq::Error {
    postq::Error::InvalidInput {
        what,
        reason: reason.into(),
    }
}
