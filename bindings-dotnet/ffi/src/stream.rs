//! List streams (`*.list_all` commands): open one, take items one callback at a time,
//! free it.

use std::ffi::c_void;
use std::sync::Arc;

use postq_bindings_common::{CommandStream, ErrorInfo};

use crate::buffer::{self, PostqBuffer};
use crate::calls::{self, Outcome, Owner, PostqCallback, Step};
use crate::client::{PostqClient, client_ref, with_call_options};
use crate::guard;

/// An open list stream (opaque): core's pager over one `*.list_all` command. It holds
/// its own client handle; freeing the `PostqClient` it came from cancels its pending
/// step. Free it with `postq_stream_free`.
pub struct PostqStream {
    id: u64,
    client_id: u64,
    inner: Arc<CommandStream>,
}

/// Open a `*.list_all` command (UTF-8 JSON) with optional `CallOptions` JSON. On
/// `POSTQ_OK` `*out` is the stream; on `POSTQ_ERROR` `*error` holds the `ErrorInfo`
/// (any other command is a `validation` error).
///
/// # Safety
/// `client` is a live client; `command`/`options` NULL or valid for their lengths;
/// `out` writable; `error` NULL or a writable `PostqBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_stream_open(
    client: *const PostqClient,
    command: *const u8,
    command_len: usize,
    options: *const u8,
    options_len: usize,
    out: *mut *mut PostqStream,
    error: *mut PostqBuffer,
) -> i32 {
    guard::status(error, || {
        if out.is_null() {
            return Err(ErrorInfo::invalid("out", "is NULL"));
        }
        // SAFETY: caller contract for every pointer.
        let client = unsafe { client_ref(client) }?;
        let text = unsafe { buffer::text("command", command, command_len) }?;
        let options = unsafe { buffer::optional_text("call options", options, options_len) }?;
        let command = postq_bindings_common::Command::from_json(text)?;
        let binding = with_call_options(client, options.filter(|o| !o.trim().is_empty()))?;
        let stream = CommandStream::open(binding.client()?, command)?;
        let handle = Box::new(PostqStream {
            id: calls::next_id(),
            client_id: client.id,
            inner: Arc::new(stream),
        });
        // SAFETY: non-null and writable by contract.
        unsafe { *out = Box::into_raw(handle) };
        Ok(())
    })
}

/// Take the next item: the callback fires once with `POSTQ_OK` and the item's JSON,
/// `POSTQ_END` at the end, `POSTQ_ERROR` (the stream is then over) or
/// `POSTQ_CANCELLED`. Steps may be requested concurrently; they take turns. Returns the
/// call id for `postq_cancel`.
///
/// # Safety
/// `stream` is a live stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_stream_next(
    stream: *const PostqStream,
    callback: PostqCallback,
    user_data: *mut c_void,
) -> u64 {
    // SAFETY: a live stream (or NULL) by contract.
    let handle = guard::quiet(|| {
        unsafe { stream.as_ref() }.map(|s| (s.id, s.client_id, Arc::clone(&s.inner)))
    });
    let owner = Owner {
        client: handle.as_ref().map(|h| h.1).unwrap_or(0),
        stream: handle.as_ref().map(|h| h.0).unwrap_or(0),
    };
    calls::spawn(owner, callback, user_data, async move {
        let Some((_, _, inner)) = handle else {
            return Outcome::Step(Err(ErrorInfo::invalid("stream", "is NULL")));
        };
        Outcome::Step(match inner.next().await {
            Ok(Some(item)) => Ok(Step::Item(item)),
            Ok(None) => Ok(Step::End),
            Err(e) => Err(e),
        })
    })
}

/// Free a stream; a pending step is cancelled. NULL is ignored.
///
/// # Safety
/// `stream` is NULL or from `postq_stream_open`, not used again afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_stream_free(stream: *mut PostqStream) {
    guard::quiet(|| {
        if stream.is_null() {
            return;
        }
        // SAFETY: from `postq_stream_open`, freed once by contract.
        let stream = unsafe { Box::from_raw(stream) };
        let id = stream.id;
        calls::cancel_owned(|owner| owner.stream == id);
    });
}
