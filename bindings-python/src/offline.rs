//! Offline helpers: hybrid signature verification, sidecar certificate verification,
//! `pqseal-v1` sealing, the audit ledger's hash chain, its signed checkpoints and
//! proofs. Crypto runs with the GIL released.

use postq::seal::{SealPublicKey, SealSecretKey};
use postq_bindings_common::offline;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::client::Payload;
use crate::errors::{core_to_py as to_py, to_py as info_to_py};

/// Verify a signature envelope over `payload` against a published public key (JSON or
/// JWK Set), with no network. Returns `(ok, classical_ok, pq_ok)`.
#[pyfunction]
fn verify_offline(
    py: Python<'_>,
    public_key: &str,
    payload: Payload,
    signature: &str,
) -> PyResult<(bool, bool, bool)> {
    let bytes = payload.as_bytes();
    let result = py.detach(|| postq::hybrid::verify_published(public_key, bytes, signature));
    let r = result.map_err(|e| to_py(py, &e))?;
    Ok((r.ok, r.classical_ok, r.pq_ok))
}

/// Verify a hybrid certificate's sidecar (PEM or DER); returns the report as JSON.
#[pyfunction]
#[pyo3(signature = (certificate, hostname=None, at=None))]
fn verify_certificate(
    py: Python<'_>,
    certificate: Payload,
    hostname: Option<String>,
    at: Option<String>,
) -> PyResult<String> {
    let bytes = certificate.as_bytes();
    let report = py
        .detach(|| offline::verify_certificate(bytes, hostname, at.as_deref()))
        .map_err(|e| info_to_py(py, &e))?;
    Ok(report.as_str().to_owned())
}

/// A new sealing key pair: `(public key base64, 96-byte secret seed)`.
#[pyfunction]
fn seal_generate(py: Python<'_>) -> PyResult<(String, Py<PyBytes>)> {
    let key = py
        .detach(SealSecretKey::generate)
        .map_err(|e| to_py(py, &e))?;
    let seed = key.seed_bytes();
    Ok((
        key.public_key().to_base64(),
        PyBytes::new(py, seed.as_ref()).unbind(),
    ))
}

/// The public key (base64) of a secret seed.
#[pyfunction]
fn seal_public_key(py: Python<'_>, seed: Payload) -> PyResult<String> {
    let key = SealSecretKey::from_seed(seed.as_bytes()).map_err(|e| to_py(py, &e))?;
    Ok(key.public_key().to_base64())
}

/// Seal `plaintext` to a recipient public key (base64); returns the base64 envelope.
#[pyfunction]
fn seal(py: Python<'_>, public_key: &str, plaintext: Payload, aad: Payload) -> PyResult<String> {
    let recipient = SealPublicKey::from_base64(public_key).map_err(|e| to_py(py, &e))?;
    let (pt, aad) = (plaintext.as_bytes(), aad.as_bytes());
    py.detach(|| postq::seal::seal_base64(&recipient, pt, aad))
        .map_err(|e| to_py(py, &e))
}

/// Open a base64 envelope with the recipient's secret seed.
#[pyfunction]
fn seal_open(py: Python<'_>, seed: Payload, envelope: &str, aad: Payload) -> PyResult<Py<PyBytes>> {
    let key = SealSecretKey::from_seed(seed.as_bytes()).map_err(|e| to_py(py, &e))?;
    let aad = aad.as_bytes();
    let plain = py
        .detach(|| key.open_base64(envelope, aad))
        .map_err(|e| to_py(py, &e))?;
    Ok(PyBytes::new(py, &plain).unbind())
}

/// Verify ledger rows (JSON array, ascending `seq`); `complete` also requires `seq`
/// 1, 2, 3 … without gaps. Returns the report as JSON.
#[pyfunction]
fn verify_ledger(py: Python<'_>, rows: &str, complete: bool) -> PyResult<String> {
    let report = py
        .detach(|| offline::verify_ledger(rows, complete))
        .map_err(|e| info_to_py(py, &e))?;
    Ok(report.as_str().to_owned())
}

/// Verify a signed checkpoint against a ledger key (JSON); returns the
/// `SignedCheckpoint` JSON.
#[pyfunction]
fn verify_checkpoint(py: Python<'_>, ledger_key: &str, checkpoint: &str) -> PyResult<String> {
    let verified = py
        .detach(|| offline::verify_checkpoint(ledger_key, checkpoint))
        .map_err(|e| info_to_py(py, &e))?;
    Ok(verified.as_str().to_owned())
}

/// Verify a row's inclusion proof against a witness state, or a ledger key and a
/// signed checkpoint; returns the `SignedCheckpoint` JSON the row was proven in.
#[pyfunction]
#[pyo3(signature = (row, proof, state=None, ledger_key=None, checkpoint=None))]
fn verify_inclusion(
    py: Python<'_>,
    row: &str,
    proof: &str,
    state: Option<&str>,
    ledger_key: Option<&str>,
    checkpoint: Option<&str>,
) -> PyResult<String> {
    let anchor = offline::ProofAnchor::from_parts(state, ledger_key, checkpoint)
        .map_err(|e| info_to_py(py, &e))?;
    let verified = py
        .detach(|| offline::verify_inclusion(row, proof, anchor))
        .map_err(|e| info_to_py(py, &e))?;
    Ok(verified.as_str().to_owned())
}

/// Verify that the signed checkpoint `newer` extends `older`; returns the
/// `SignedCheckpoint` JSON of `newer`.
#[pyfunction]
#[pyo3(signature = (ledger_key, older, newer, proof=None))]
fn verify_consistency(
    py: Python<'_>,
    ledger_key: &str,
    older: &str,
    newer: &str,
    proof: Option<&str>,
) -> PyResult<String> {
    let verified = py
        .detach(|| offline::verify_consistency(ledger_key, older, newer, proof))
        .map_err(|e| info_to_py(py, &e))?;
    Ok(verified.as_str().to_owned())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(verify_offline, m)?)?;
    m.add_function(wrap_pyfunction!(verify_certificate, m)?)?;
    m.add_function(wrap_pyfunction!(seal_generate, m)?)?;
    m.add_function(wrap_pyfunction!(seal_public_key, m)?)?;
    m.add_function(wrap_pyfunction!(seal, m)?)?;
    m.add_function(wrap_pyfunction!(seal_open, m)?)?;
    m.add_function(wrap_pyfunction!(verify_ledger, m)?)?;
    m.add_function(wrap_pyfunction!(verify_checkpoint, m)?)?;
    m.add_function(wrap_pyfunction!(verify_inclusion, m)?)?;
    m.add_function(wrap_pyfunction!(verify_consistency, m)?)?;
    Ok(())
}
