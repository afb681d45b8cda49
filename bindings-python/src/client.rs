//! The native API client: one entry (`call`) per core client method, named
//! `resource.method`, with JSON in (camelCase, deserialized straight into the core's
//! request types) and JSON out (the core's response types, serialized). Pagination
//! streams (`*.list_all`) come back as a [`NativeStream`].

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::{Stream, StreamExt as _};
use postq::api::{
    AuditQuery, CreateKeyRequest, CreateRolloverRequest, CreateScanRequest, ListQuery,
    RolloverStatus, RotateKeyRequest, SealRequest,
};
use postq::{Client, ClientConfig, RequestOptions};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyString, PyTuple};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::bridge::{IntoPython, block_on, spawn_async};
use crate::errors::{invalid, to_py, to_py_detached};
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

/// What a call returns to Python.
pub enum Out {
    /// A core response, serialized (the Python layer builds a model from it).
    Json(String),
    /// A downloaded artifact: `(file_name, content_type, body)`.
    Artifact(String, String, Vec<u8>),
    /// The next item of a stream; `None` at the end.
    Next(Option<String>),
}

impl IntoPython for Out {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match self {
            Out::Json(s) => PyString::new(py, &s).into_any().unbind(),
            Out::Artifact(name, content_type, body) => PyTuple::new(
                py,
                [
                    PyString::new(py, &name).into_any(),
                    PyString::new(py, &content_type).into_any(),
                    PyBytes::new(py, &body).into_any(),
                ],
            )?
            .into_any()
            .unbind(),
            Out::Next(Some(s)) => PyString::new(py, &s).into_any().unbind(),
            Out::Next(None) => py.None(),
        })
    }
}

fn json<T: serde::Serialize>(value: &T) -> postq::Result<Out> {
    serde_json::to_string(value)
        .map(Out::Json)
        .map_err(|e| invalid("response", e.to_string()))
}

fn args<T: DeserializeOwned>(text: &str) -> postq::Result<T> {
    serde_json::from_str(text).map_err(|e| invalid("arguments", e.to_string()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PublicKeyArgs {
    id: String,
    version: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Rotate {
    id: String,
    min_version: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Sign {
    key_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Verify {
    key_id: Option<String>,
    public_key: Option<String>,
    signature: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Transition {
    id: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Download {
    id: String,
    artifact: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DownloadAll {
    id: String,
    dir: PathBuf,
}

/// A public key as the Python layer sees it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PublicKeyOut {
    key_id: String,
    version: u32,
    fingerprint: String,
    json: String,
    jwk: String,
}

/// One core call. `payload` is the signed/verified bytes where the call has one.
async fn dispatch(
    client: Client,
    op: String,
    text: Zeroizing<String>,
    payload: Option<Payload>,
) -> postq::Result<Out> {
    let payload_bytes = || {
        payload
            .as_ref()
            .map(Payload::as_bytes)
            .ok_or_else(|| invalid("payload", "is required"))
    };
    match op.as_str() {
        "health" => json(&client.health().await?),
        "scans.submit" => json(
            &client
                .scans()
                .submit(&args::<CreateScanRequest>(&text)?)
                .await?,
        ),
        "scans.list" => json(&client.scans().list(&args::<ListQuery>(&text)?).await?),
        "scans.get" => json(&client.scans().get(&args::<Id>(&text)?.id).await?),
        "keys.create" => json(
            &client
                .hybrid_keys()
                .create(&args::<CreateKeyRequest>(&text)?)
                .await?,
        ),
        "keys.list" => json(
            &client
                .hybrid_keys()
                .list(&args::<ListQuery>(&text)?)
                .await?,
        ),
        "keys.get" => json(&client.hybrid_keys().get(&args::<Id>(&text)?.id).await?),
        "keys.public_key" => {
            let a: PublicKeyArgs = args(&text)?;
            let key = client.hybrid_keys().public_key(&a.id, a.version).await?;
            json(&PublicKeyOut {
                key_id: key.key_id().to_owned(),
                version: key.version(),
                fingerprint: key.fingerprint(),
                json: key.to_json(),
                jwk: key.to_jwk(),
            })
        }
        "keys.rotate" => {
            let a: Rotate = args(&text)?;
            let request = RotateKeyRequest {
                min_version: a.min_version,
            };
            json(&client.hybrid_keys().rotate(&a.id, &request).await?)
        }
        "sign" => {
            let a: Sign = args(&text)?;
            json(&client.sign(&a.key_id, payload_bytes()?).await?)
        }
        "verify" => {
            let a: Verify = args(&text)?;
            let payload = payload_bytes()?;
            match (a.key_id, a.public_key) {
                (Some(id), None) => {
                    json(&client.verify_with_key(&id, payload, &a.signature).await?)
                }
                (None, Some(pk)) => json(
                    &client
                        .verify_with_public_key(&pk, payload, &a.signature)
                        .await?,
                ),
                _ => Err(invalid(
                    "verify",
                    "pass exactly one of key_id and public_key",
                )),
            }
        }
        "vault.seal" => json(&client.vault().seal(&args::<SealRequest>(&text)?).await?),
        "vault.list" => json(&client.vault().list(&args::<ListQuery>(&text)?).await?),
        "vault.unseal" => json(&client.vault().unseal(&args::<Id>(&text)?.id).await?),
        "vault.rotate" => json(&client.vault().rotate(&args::<Id>(&text)?.id).await?),
        "vault.delete" => json(&client.vault().delete(&args::<Id>(&text)?.id).await?),
        "rollovers.create" => json(
            &client
                .rollovers()
                .create(&args::<CreateRolloverRequest>(&text)?)
                .await?,
        ),
        "rollovers.list" => json(&client.rollovers().list(&args::<ListQuery>(&text)?).await?),
        "rollovers.get" => json(&client.rollovers().get(&args::<Id>(&text)?.id).await?),
        "rollovers.transition" => {
            let a: Transition = args(&text)?;
            let to: RolloverStatus = a.to.parse()?;
            json(&client.rollovers().transition(&a.id, to).await?)
        }
        "rollovers.rollback" => json(&client.rollovers().rollback(&args::<Id>(&text)?.id).await?),
        "rollovers.download" => {
            let a: Download = args(&text)?;
            let art = client.rollovers().download(&a.id, &a.artifact).await?;
            Ok(Out::Artifact(art.file_name, art.content_type, art.body))
        }
        "rollovers.download_all" => {
            let a: DownloadAll = args(&text)?;
            let paths = client.rollovers().download_all(&a.id, &a.dir).await?;
            let paths: Vec<String> = paths
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            json(&paths)
        }
        "audit.list" => json(&client.audit().list(&args::<AuditQuery>(&text)?).await?),
        "audit.verify_chain" => json(
            &client
                .audit()
                .verify_chain(args::<AuditQuery>(&text)?)
                .await?,
        ),
        other => Err(invalid("operation", format!("unknown operation `{other}`"))),
    }
}

type ItemStream = Pin<Box<dyn Stream<Item = postq::Result<String>> + Send>>;

fn items<T, S>(stream: S) -> ItemStream
where
    T: serde::Serialize,
    S: Stream<Item = postq::Result<T>> + Send + 'static,
{
    Box::pin(stream.map(|item| {
        item.and_then(|v| serde_json::to_string(&v).map_err(|e| invalid("response", e.to_string())))
    }))
}

/// Every item of a list, page by page, as core's `list_all` streams it.
fn open_stream(client: Client, op: &str, text: &str) -> postq::Result<ItemStream> {
    Ok(match op {
        "scans.list_all" => items(client.scans().list_all(args(text)?)),
        "keys.list_all" => items(client.hybrid_keys().list_all(args(text)?)),
        "vault.list_all" => items(client.vault().list_all(args(text)?)),
        "rollovers.list_all" => items(client.rollovers().list_all(args(text)?)),
        "audit.list_all" => items(client.audit().list_all(args::<AuditQuery>(text)?)),
        other => return Err(invalid("operation", format!("unknown stream `{other}`"))),
    })
}

/// The core client of this process (rebuilt in a forked child: the parent's pooled
/// connections belong to the parent's runtime).
struct PerProcess {
    pid: u32,
    /// Always `Some` until dropped.
    client: Option<Client>,
}

impl Drop for PerProcess {
    fn drop(&mut self) {
        // In a forked child that never made a call the client is still the parent's:
        // dropping it would touch the parent's runtime (locks possibly held by threads
        // that do not exist here). Leak it instead.
        if self.pid != std::process::id() {
            std::mem::forget(self.client.take());
        }
    }
}

/// `postq._native.NativeClient`: the configured core client. Safe to share between
/// threads; the Python classes `PostQ` and `AsyncPostQ` wrap it.
#[pyclass(frozen, module = "postq._native")]
pub struct NativeClient {
    config: ClientConfig,
    state: Mutex<PerProcess>,
}

fn secs(value: Option<f64>, what: &'static str) -> PyResult<Option<Duration>> {
    value
        .map(|s| {
            Duration::try_from_secs_f64(s).map_err(|_| {
                Python::attach(|py| {
                    to_py(
                        py,
                        &invalid(what, "must be a non-negative number of seconds"),
                    )
                })
            })
        })
        .transpose()
}

impl NativeClient {
    fn client(&self, options: RequestOptions) -> PyResult<Client> {
        let pid = std::process::id();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.pid != pid {
            // Leak the inherited client: its connections are bound to the parent's
            // runtime, which does not run in this process.
            // (The config was accepted once, so this cannot fail; if it did, the old
            // client is kept rather than panicking across the FFI boundary.)
            if let Ok(fresh) = Client::new(self.config.clone()) {
                let inherited = state.client.replace(fresh);
                std::mem::forget(inherited);
                state.pid = pid;
            }
        }
        state
            .client
            .as_ref()
            .map(|c| c.with_options(options))
            .ok_or_else(|| PyRuntimeError::new_err("postq: the client is closed"))
    }
}

#[allow(clippy::too_many_arguments)]
#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (*, api_key, base_url, timeout, connect_timeout, max_retries, user_agent))]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        max_retries: Option<u32>,
        user_agent: String,
    ) -> PyResult<Self> {
        let mut config = ClientConfig::from_env();
        if let Some(key) = api_key {
            config.api_key = Some(Zeroizing::new(key));
        }
        if let Some(url) = base_url {
            config.base_url = url;
        }
        if let Some(t) = secs(timeout, "timeout")? {
            config.total_timeout = t;
            config.attempt_timeout = config.attempt_timeout.min(t);
        }
        if let Some(t) = secs(connect_timeout, "connect_timeout")? {
            config.connect_timeout = t;
        }
        if let Some(n) = max_retries {
            config.max_retries = n;
        }
        config.user_agent_prefix = Some(user_agent);
        // Building the client needs no runtime; doing it here surfaces bad config now.
        let client = Client::new(config.clone()).map_err(|e| to_py(py, &e))?;
        Ok(NativeClient {
            config,
            state: Mutex::new(PerProcess {
                pid: std::process::id(),
                client: Some(client),
            }),
        })
    }

    /// The base URL requests go to.
    #[getter]
    fn base_url(&self) -> String {
        self.config.base_url.clone()
    }

    /// Whether an API key is configured (never the key itself).
    #[getter]
    fn has_api_key(&self) -> bool {
        self.config.api_key.is_some()
    }

    fn __repr__(&self) -> String {
        format!("NativeClient(base_url={:?})", self.config.base_url)
    }

    /// Run one call and return its result (blocking, GIL released); with
    /// `is_async=True` return an `asyncio.Future` of the running loop instead.
    #[pyo3(signature = (op, args, payload=None, *, is_async=false, timeout=None, max_retries=None, idempotency_key=None, headers=None))]
    fn call(
        &self,
        py: Python<'_>,
        op: String,
        args: String,
        payload: Option<Payload>,
        is_async: bool,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        idempotency_key: Option<String>,
        headers: Option<Vec<(String, String)>>,
    ) -> PyResult<Py<PyAny>> {
        let options = RequestOptions {
            max_retries,
            timeout: secs(timeout, "timeout")?,
            idempotency_key,
            headers: headers.unwrap_or_default(),
        };
        let client = self.client(options)?;
        let rt = runtime()?;
        let args = Zeroizing::new(args);
        let fut = async move {
            dispatch(client, op, args, payload)
                .await
                .map_err(|e| to_py_detached(&e))
        };
        if is_async {
            Ok(spawn_async(py, &rt, fut)?.unbind())
        } else {
            block_on(py, &rt, fut)?.into_python(py)
        }
    }

    /// Open a stream over every item of a list (`scans.list_all`, …).
    #[pyo3(signature = (op, args, *, timeout=None, max_retries=None, headers=None))]
    fn stream(
        &self,
        py: Python<'_>,
        op: &str,
        args: &str,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        headers: Option<Vec<(String, String)>>,
    ) -> PyResult<NativeStream> {
        let options = RequestOptions {
            max_retries,
            timeout: secs(timeout, "timeout")?,
            idempotency_key: None,
            headers: headers.unwrap_or_default(),
        };
        let stream = open_stream(self.client(options)?, op, args).map_err(|e| to_py(py, &e))?;
        Ok(NativeStream {
            inner: Arc::new(tokio::sync::Mutex::new(Some(stream))),
        })
    }
}

/// An open list stream; items are JSON text. `next()` blocks; `next_async()` returns an
/// awaitable. Both give `None` at the end.
#[pyclass(frozen, module = "postq._native")]
pub struct NativeStream {
    inner: Arc<tokio::sync::Mutex<Option<ItemStream>>>,
}

async fn next_item(inner: Arc<tokio::sync::Mutex<Option<ItemStream>>>) -> PyResult<Option<String>> {
    let mut guard = inner.lock().await;
    let Some(stream) = guard.as_mut() else {
        return Ok(None);
    };
    match stream.next().await {
        Some(Ok(item)) => Ok(Some(item)),
        Some(Err(e)) => {
            *guard = None;
            Err(to_py_detached(&e))
        }
        None => {
            *guard = None;
            Ok(None)
        }
    }
}

#[pymethods]
impl NativeStream {
    /// The next item, or `None` at the end (blocking, GIL released).
    fn next(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let rt = runtime()?;
        block_on(py, &rt, next_item(Arc::clone(&self.inner)))
    }

    /// An awaitable of the next item, `None` at the end.
    fn next_async(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rt = runtime()?;
        let inner = Arc::clone(&self.inner);
        let fut = async move { next_item(inner).await.map(Out::Next) };
        Ok(spawn_async(py, &rt, fut)?.unbind())
    }
}
