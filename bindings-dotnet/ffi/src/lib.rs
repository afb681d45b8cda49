//! `postq-ffi`: a small, stable C ABI over `postq-bindings-common` (the command layer
//! every binding calls) plus the offline functions, for .NET's P/Invoke and any C
//! caller. `postq.h` is generated from this crate by cbindgen.
//!
//! The rules of the ABI, each kept in one module:
//! - **Status codes** ([`POSTQ_OK`], [`POSTQ_ERROR`], [`POSTQ_CANCELLED`], [`POSTQ_END`]).
//!   A failure is always `POSTQ_ERROR` plus the shared `ErrorInfo` JSON
//!   (`{"kind","code","message","status","requestId","retryAfter"}`).
//! - **Buffers** ([`buffer`]): every buffer this library returns is a [`PostqBuffer`]
//!   freed (and zeroized) by [`buffer::postq_buffer_free`]; nothing else is ever
//!   returned for the caller to free, except the three handle types with their own
//!   `*_free`.
//! - **Calls** ([`calls`]): an API call takes a command as UTF-8 JSON
//!   (`{"op": "scans.submit", "args": {…}}`) plus optional payload bytes and completes
//!   through a C callback with a user-data pointer, **exactly once**, on a runtime
//!   thread; a call id cancels it; [`calls::postq_shutdown`] cancels every call and
//!   waits until every callback has run.
//! - **No unwinding across the boundary** ([`guard`]): every entry point runs inside
//!   `catch_unwind`; a panic becomes a `POSTQ_ERROR` (`internal_error`).
//!
//! Strings in and out are UTF-8 with an explicit length (no NUL terminators), so a
//! caller never needs `strlen` and a payload may contain zero bytes.

// The C ABI is raw pointers by nature: every `unsafe` block here states why it holds.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod buffer;
pub mod calls;
pub mod client;
mod guard;
pub mod offline;
pub mod stream;

pub use buffer::PostqBuffer;
pub use calls::PostqCallback;
pub use client::PostqClient;
pub use offline::{PostqPublicKey, PostqSealKey, PostqVerdict};
pub use stream::PostqStream;

/// Success: the output holds the result.
pub const POSTQ_OK: i32 = 0;
/// Failure: the output holds the `ErrorInfo` JSON.
pub const POSTQ_ERROR: i32 = 1;
/// The call was cancelled (by its id, by freeing its client or stream, or by
/// `postq_shutdown`); no output.
pub const POSTQ_CANCELLED: i32 = 2;
/// A stream has no more items; no output.
pub const POSTQ_END: i32 = 3;

/// The version of postq this library was built from, NUL-terminated, static (never
/// freed).
#[unsafe(no_mangle)]
pub extern "C" fn postq_version() -> *const std::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
