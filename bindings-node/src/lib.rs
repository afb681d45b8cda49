//! `@postq/sdk`: the Node.js binding of the postq core (napi-rs).
//!
//! The native half only converts: API calls go through `postq-bindings-common` as
//! commands (JSON in, JSON out), offline verification stays typed (the hot path). All
//! logic lives in the `postq` crate. `index.js` adds the idiomatic JavaScript layer (the
//! `PostQ` class with its resource namespaces, error classes by kind, `for await` over
//! core's pager, `Uint8Array | Buffer | string` payloads).

// Under `cargo test` napi-derive does not register exports, so the exported functions
// look unused to the lib test target.
#![cfg_attr(test, allow(dead_code))]

mod client;
mod error;
mod offline;
mod types;

pub use client::{NativeClient, NativeStream};
pub use offline::{HybridPublicKey, SealKey};

use napi_derive::napi;

/// The marker that prefixes every native error message (see `index.js`).
#[napi]
pub const ERROR_MARKER: &str = error::MARKER;

/// The version of the core this addon was built from.
#[napi]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
