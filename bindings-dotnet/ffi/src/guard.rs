//! No panic ever crosses the C boundary: every entry point runs its body through one of
//! these, and a panic turns into a `POSTQ_ERROR` with an `internal_error` `ErrorInfo`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use postq::error::{ErrorCode, ErrorKind};
use postq_bindings_common::ErrorInfo;

use crate::buffer::{self, PostqBuffer};

/// What a caught panic reports (its message is not included: it could quote data).
pub(crate) fn panic_error() -> ErrorInfo {
    ErrorInfo::local(
        ErrorKind::Api,
        ErrorCode::InternalError,
        "internal error in postq-ffi (a bug: please report it)",
    )
}

/// Run an entry point whose result or error goes to `out`: `Ok(bytes)` is written with
/// `POSTQ_OK`, `Err` as `ErrorInfo` JSON with `POSTQ_ERROR`.
pub(crate) fn to_buffer<F, B>(out: *mut PostqBuffer, body: F) -> i32
where
    F: FnOnce() -> Result<B, ErrorInfo>,
    B: AsRef<[u8]>,
{
    buffer::clear(out);
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(bytes)) => {
            buffer::write(out, bytes.as_ref());
            crate::POSTQ_OK
        }
        Ok(Err(e)) => buffer::write_error(out, &e),
        Err(_) => buffer::write_error(out, &panic_error()),
    }
}

/// Run an entry point that reports through `error` only (its result goes elsewhere).
pub(crate) fn status<F>(error: *mut PostqBuffer, body: F) -> i32
where
    F: FnOnce() -> Result<(), ErrorInfo>,
{
    buffer::clear(error);
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => crate::POSTQ_OK,
        Ok(Err(e)) => buffer::write_error(error, &e),
        Err(_) => buffer::write_error(error, &panic_error()),
    }
}

/// Run an entry point with nothing to report (frees, cancels); a panic is swallowed.
pub(crate) fn quiet<T: Default>(body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_default()
}
