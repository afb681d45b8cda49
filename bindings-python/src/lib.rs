//! `postq._native`: the pyo3 extension behind the Python package `postq`.
//!
//! The binding only converts: commands arrive as JSON text built from the generated
//! models (`python/postq/_generated.py`), run through `postq-bindings-common` (the one
//! dispatcher), and come back as JSON text; errors become the exception classes of
//! `python/postq/_errors.py` by kind. Every call runs on the common layer's shared
//! runtime with the GIL released; a forked child builds its own runtime and HTTP client.

mod bridge;
mod client;
mod errors;
mod offline;
mod runtime;

use pyo3::prelude::*;

/// The extension module `postq._native`.
#[pymodule(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<client::NativeStream>()?;
    m.add_class::<bridge::CancelTask>()?;
    m.add_function(wrap_pyfunction!(bridge::resolve_future, m)?)?;
    m.add_function(wrap_pyfunction!(client::operations, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::runtime_pid, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::shutdown_runtime, m)?)?;
    offline::register(m)?;
    Ok(())
}
