//! # postq — the post-quantum security SDK core
//!
//! One crate holds all of postq's logic; every front door (the Rust client, the CLI,
//! the reference server and the Python, Node and .NET bindings) calls into it.
//!
//! Offline cryptography lives here, each module owning one wire format of
//! `docs/formats.md`:
//!
//! - [`hybrid`]: ML-DSA-65 + Ed25519 hybrid keys and the composite signature envelope
//!   (the IETF `id-MLDSA65-Ed25519-SHA512` halves), verified with an AND combiner.
//! - [`sidecar`]: the canonical binding and the OID 1.3.9999.42.1 X.509 extension of
//!   hybrid TLS certificates: mint, parse, verify.
//! - [`seal`]: ML-KEM-768 + X25519 hybrid encryption (`pqseal-v1`).
//! - [`ledger`]: the audit ledger: its SHA-256 hash chain, the RFC 9162 Merkle tree over
//!   its rows, signed checkpoints (C2SP signed notes), proofs and the client's witness.
//!
//! The scanner ([`scan`], feature `scan`) finds quantum-vulnerable cryptography in TLS
//! endpoints and file trees and writes SARIF and CycloneDX CBOM.
//!
//! The API client ([`Client`], feature `client`, on by default) calls the postq HTTP API
//! with retries, idempotency keys and typed errors; [`api`] holds its typed requests
//! and responses.

#[cfg(feature = "client")]
pub mod api;
#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod hybrid;
pub mod ledger;
#[cfg(feature = "scan")]
pub mod scan;
#[cfg(feature = "schema")]
pub mod schema;
pub mod seal;
pub mod sidecar;

mod encoding;
mod rng;

#[doc(hidden)]
pub mod fuzzing;

#[cfg(feature = "client")]
pub use client::{Client, ClientConfig, RequestOptions};
pub use error::{Error, Result};
