//! `NativeClient`: commands of `postq-bindings-common` for Python. A command arrives as
//! JSON text (built by `python/postq/_client.py` from the generated models), payload
//! bytes as a zero-copy buffer; the result goes back as JSON text (and bytes for a
//! download). All dispatch is in the common layer.

use std::sync::Arc;

use postq_bindings_common::{
    BindingClient, CallOptions, ClientOptions, Command, CommandStream, ErrorInfo, OPERATIONS,
    Output, run,
};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyString, PyTuple};
use zeroize::Zeroizing;

use crate::bridge::{IntoPython, block_on, spawn_async};
use crate::errors::{to_py, to_py_detached};
use crate::runtime::runtime;

/// A payload: `bytes`, `bytearray` or `str` (UTF-8), kept without copying.
#[derive(FromPyObject)]
pub enum Payload {
    /// `bytes` / `bytearray`.
    Bytes(PyBackedBytes),
    /// `str`, sent as its UTF-8 bytes.
    Text(PyBackedStr),
}

impl Payload {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Payload::Bytes(b) => b,
            Payload::Text(s) => s.as_bytes(),
        }
    }
}

/// What a call returns to Python: the JSON text, or `(json, body)` for a download; a
/// stream's next item (`None` at the end).
enum Out {
    Call(Output),
    Next(Option<Zeroizing<String>>),
}

impl IntoPython for Out {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match self {
            Out::Call(Output {
                json,
                bytes: Some(body),
            }) => PyTuple::new(
                py,
                [
                    PyString::new(py, &json).into_any(),
                    PyBytes::new(py, &body).into_any(),
                ],
            )?
            .into_any()
            .unbind(),
            Out::Call(Output { json, bytes: None }) | Out::Next(Some(json)) => {
                PyString::new(py, &json).into_any().unbind()
            }
            Out::Next(None) => py.None(),
        })
    }
}

/// `postq._native.NativeClient`: a configured client, safe to share between threads and
/// rebuilt after `fork()`; `PostQ` and `AsyncPostQ` wrap it.
#[pyclass(frozen, module = "postq._native")]
pub struct NativeClient {
    inner: BindingClient,
}

#[pymethods]
impl NativeClient {
    /// A client from `ClientOptions` JSON (environment first, then the options).
    #[new]
    fn new(py: Python<'_>, options: &str) -> PyResult<Self> {
        let options = ClientOptions::from_json(options).map_err(|e| to_py(py, &e))?;
        let inner = BindingClient::new(options).map_err(|e| to_py(py, &e))?;
        Ok(NativeClient { inner })
    }

    /// The same client (same connection pool) with `CallOptions` JSON on top.
    fn with_options(&self, py: Python<'_>, options: &str) -> PyResult<NativeClient> {
        let options = CallOptions::from_json(options).map_err(|e| to_py(py, &e))?;
        let inner = self
            .inner
            .with_options(&options)
            .map_err(|e| to_py(py, &e))?;
        Ok(NativeClient { inner })
    }

    /// The base URL requests go to.
    #[getter]
    fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// Whether an API key is configured (never the key itself).
    #[getter]
    fn has_api_key(&self) -> bool {
        self.inner.has_api_key()
    }

    fn __repr__(&self) -> String {
        format!("NativeClient(base_url={:?})", self.inner.base_url())
    }

    /// Run one command and return its result (blocking, GIL released); with
    /// `is_async=True` return an `asyncio.Future` of the running loop instead.
    #[pyo3(signature = (command, payload=None, *, is_async=false))]
    fn call(
        &self,
        py: Python<'_>,
        command: &str,
        payload: Option<Payload>,
        is_async: bool,
    ) -> PyResult<Py<PyAny>> {
        let command = Command::from_json(command).map_err(|e| to_py(py, &e))?;
        let client = self.inner.client().map_err(|e| to_py(py, &e))?;
        let rt = runtime(py)?;
        let fut = async move {
            let bytes = payload.as_ref().map(Payload::as_bytes);
            run(&client, command, bytes)
                .await
                .map(Out::Call)
                .map_err(|e| to_py_detached(&e))
        };
        if is_async {
            Ok(spawn_async(py, &rt, fut)?.unbind())
        } else {
            block_on(py, &rt, fut)?.into_python(py)
        }
    }

    /// Open a `*.list_all` command as a stream.
    fn stream(&self, py: Python<'_>, command: &str) -> PyResult<NativeStream> {
        let opened = Command::from_json(command)
            .and_then(|c| CommandStream::open(self.inner.client()?, c))
            .map_err(|e| to_py(py, &e))?;
        Ok(NativeStream {
            inner: Arc::new(opened),
        })
    }
}

/// An open list stream; items are JSON text. `next()` blocks; `next_async()` returns an
/// awaitable. Both give `None` at the end.
#[pyclass(frozen, module = "postq._native")]
pub struct NativeStream {
    inner: Arc<CommandStream>,
}

async fn next_item(stream: Arc<CommandStream>) -> PyResult<Out> {
    stream
        .next()
        .await
        .map(Out::Next)
        .map_err(|e: ErrorInfo| to_py_detached(&e))
}

#[pymethods]
impl NativeStream {
    /// The next item, or `None` at the end (blocking, GIL released).
    fn next(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rt = runtime(py)?;
        block_on(py, &rt, next_item(Arc::clone(&self.inner)))?.into_python(py)
    }

    /// An awaitable of the next item, `None` at the end.
    fn next_async(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rt = runtime(py)?;
        Ok(spawn_async(py, &rt, next_item(Arc::clone(&self.inner)))?.unbind())
    }
}

/// Every command name (`scans.submit`, …), from the common layer: what the test suite
/// must exercise.
#[pyfunction]
pub fn operations() -> Vec<&'static str> {
    OPERATIONS.iter().map(|o| o.name).collect()
}
