//! [`PostqBuffer`]: the one kind of memory this library hands to a caller, and the one
//! function that frees it. Also the checked conversions of caller memory (pointer +
//! length) into slices and UTF-8 text.

use postq_bindings_common::ErrorInfo;
use zeroize::Zeroize as _;

/// Bytes owned by this library: JSON text (UTF-8, no NUL terminator) or raw bytes. Free
/// every buffer you receive exactly once with `postq_buffer_free`; an empty buffer
/// (`ptr == NULL`, `len == 0`) may be freed too.
#[repr(C)]
#[derive(Debug)]
pub struct PostqBuffer {
    /// The first byte, or NULL when empty.
    pub ptr: *mut u8,
    /// The number of bytes.
    pub len: usize,
}

impl PostqBuffer {
    /// No bytes.
    pub const EMPTY: PostqBuffer = PostqBuffer {
        ptr: std::ptr::null_mut(),
        len: 0,
    };

    /// Hand `bytes` over to the caller.
    pub fn from_bytes(bytes: &[u8]) -> PostqBuffer {
        if bytes.is_empty() {
            return PostqBuffer::EMPTY;
        }
        let boxed: Box<[u8]> = bytes.into();
        let len = boxed.len();
        PostqBuffer {
            ptr: Box::into_raw(boxed).cast::<u8>(),
            len,
        }
    }
}

/// Free a buffer this library returned and zeroize its bytes first (they may be an
/// unsealed secret or a seed). Sets `*buffer` to the empty buffer, so a second call is
/// harmless. NULL is ignored.
///
/// # Safety
/// `buffer` is NULL or points to a `PostqBuffer` written by this library (or empty).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_buffer_free(buffer: *mut PostqBuffer) {
    crate::guard::quiet(|| {
        // SAFETY: the caller passes NULL or a valid, exclusive PostqBuffer.
        let Some(buffer) = (unsafe { buffer.as_mut() }) else {
            return;
        };
        if !buffer.ptr.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(buffer.ptr, buffer.len);
            // SAFETY: ptr/len came from `Box::<[u8]>::into_raw` in `from_bytes` and are
            // freed only here, once (the buffer is emptied below).
            let mut boxed = unsafe { Box::from_raw(slice) };
            boxed.zeroize();
        }
        *buffer = PostqBuffer::EMPTY;
    });
}

/// Write `bytes` to an out-parameter (ignored when NULL).
pub(crate) fn write(out: *mut PostqBuffer, bytes: &[u8]) {
    // SAFETY: callers of the public entry points pass NULL or a writable PostqBuffer.
    if let Some(out) = unsafe { out.as_mut() } {
        *out = PostqBuffer::from_bytes(bytes);
    }
}

/// Write an error's JSON to an out-parameter and return `POSTQ_ERROR`.
pub(crate) fn write_error(out: *mut PostqBuffer, error: &ErrorInfo) -> i32 {
    write(out, error.to_json().as_bytes());
    crate::POSTQ_ERROR
}

/// Empty an out-parameter before an entry point runs, so it never holds garbage.
pub(crate) fn clear(out: *mut PostqBuffer) {
    // SAFETY: as in `write`.
    if let Some(out) = unsafe { out.as_mut() } {
        *out = PostqBuffer::EMPTY;
    }
}

/// Caller memory as a slice: NULL with length 0 is empty; NULL with a length is an
/// error.
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` bytes for the returned lifetime.
pub(crate) unsafe fn bytes<'a>(
    what: &str,
    ptr: *const u8,
    len: usize,
) -> Result<&'a [u8], ErrorInfo> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(ErrorInfo::invalid(what, "is NULL with a non-zero length"))
        };
    }
    // SAFETY: non-null and, by the caller's contract, valid for `len` bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Caller memory as optional bytes: NULL is `None` (whatever the length).
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn optional_bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() {
        None
    } else {
        // SAFETY: non-null and valid for `len` bytes by the caller's contract.
        Some(unsafe { std::slice::from_raw_parts(ptr, len) })
    }
}

/// Caller memory as UTF-8 text.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(
    what: &str,
    ptr: *const u8,
    len: usize,
) -> Result<&'a str, ErrorInfo> {
    // SAFETY: forwarded contract.
    let raw = unsafe { bytes(what, ptr, len) }?;
    std::str::from_utf8(raw).map_err(|_| ErrorInfo::invalid(what, "is not valid UTF-8"))
}

/// Caller memory as optional UTF-8 text: NULL is `None`.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn optional_text<'a>(
    what: &str,
    ptr: *const u8,
    len: usize,
) -> Result<Option<&'a str>, ErrorInfo> {
    // SAFETY: forwarded contract.
    match unsafe { optional_bytes(ptr, len) } {
        None => Ok(None),
        Some(raw) => std::str::from_utf8(raw)
            .map(Some)
            .map_err(|_| ErrorInfo::invalid(what, "is not valid UTF-8")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_frees_once_and_empties() {
        let mut b = PostqBuffer::from_bytes(b"secret");
        assert_eq!(b.len, 6);
        // SAFETY: a buffer of this library, freed twice on purpose.
        unsafe {
            postq_buffer_free(&mut b);
            postq_buffer_free(&mut b);
            postq_buffer_free(std::ptr::null_mut());
        }
        assert!(b.ptr.is_null());
        assert_eq!(PostqBuffer::from_bytes(b"").len, 0);
    }

    #[test]
    fn null_inputs_are_errors_not_crashes() {
        // SAFETY: NULL pointers are part of the contract.
        unsafe {
            assert_eq!(bytes("x", std::ptr::null(), 0).map(<[u8]>::len), Ok(0));
            assert!(bytes("x", std::ptr::null(), 3).is_err());
            assert!(text("x", b"\xff".as_ptr(), 1).is_err());
            assert_eq!(optional_text("x", std::ptr::null(), 9), Ok(None));
        }
    }
}
