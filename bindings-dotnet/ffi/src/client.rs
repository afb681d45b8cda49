//! The opaque client handle and `postq_call`: one command of the common layer, run on
//! the shared runtime, completed through the caller's callback.

use std::ffi::c_void;

use postq_bindings_common::{BindingClient, CallOptions, ClientOptions, Command, run};

use crate::buffer::{self, PostqBuffer};
use crate::calls::{self, Outcome, Owner, PostqCallback};
use crate::guard;

/// A configured API client (opaque). Thread-safe: any number of calls may run on it at
/// once from any thread. Free it with `postq_client_free`.
pub struct PostqClient {
    pub(crate) id: u64,
    pub(crate) inner: BindingClient,
}

/// Create a client from `ClientOptions` JSON (`{"apiKey", "baseUrl", "maxRetries",
/// "timeout", …}`, durations in seconds; empty or NULL for none). Unset options come
/// from `POSTQ_API_KEY` / `POSTQ_BASE_URL`. On `POSTQ_OK` `*out` is the client; on
/// `POSTQ_ERROR` `*error` holds the `ErrorInfo` JSON (free it with `postq_buffer_free`).
///
/// # Safety
/// `options` is NULL or valid for `options_len` bytes; `out` is a writable pointer;
/// `error` is NULL or a writable `PostqBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_client_new(
    options: *const u8,
    options_len: usize,
    out: *mut *mut PostqClient,
    error: *mut PostqBuffer,
) -> i32 {
    guard::status(error, || {
        if out.is_null() {
            return Err(postq_bindings_common::ErrorInfo::invalid("out", "is NULL"));
        }
        // SAFETY: caller contract.
        let text = unsafe { buffer::text("client options", options, options_len) }?;
        let inner = BindingClient::new(ClientOptions::from_json(text)?)?;
        let client = Box::new(PostqClient {
            id: calls::next_id(),
            inner,
        });
        // SAFETY: `out` is non-null and writable by contract.
        unsafe { *out = Box::into_raw(client) };
        Ok(())
    })
}

/// Free a client. Its calls still running are cancelled (their callbacks fire with
/// `POSTQ_CANCELLED`); streams opened from it are cancelled likewise. NULL is ignored.
///
/// # Safety
/// `client` is NULL or a pointer from `postq_client_new`, not used again afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_client_free(client: *mut PostqClient) {
    guard::quiet(|| {
        if client.is_null() {
            return;
        }
        // SAFETY: from `postq_client_new`, freed once by contract.
        let client = unsafe { Box::from_raw(client) };
        let id = client.id;
        calls::cancel_owned(|owner| owner.client == id);
        drop(client);
    });
}

/// The base URL the client sends to, as UTF-8 in `*out`.
///
/// # Safety
/// `client` is a live client; `out` is a writable `PostqBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_client_base_url(
    client: *const PostqClient,
    out: *mut PostqBuffer,
) -> i32 {
    guard::to_buffer(out, || {
        // SAFETY: a live client by contract.
        let client = unsafe { client_ref(client) }?;
        Ok(client.inner.base_url().to_owned())
    })
}

/// A live client from its pointer.
///
/// # Safety
/// `client` is NULL or a live client.
pub(crate) unsafe fn client_ref<'a>(
    client: *const PostqClient,
) -> Result<&'a PostqClient, postq_bindings_common::ErrorInfo> {
    // SAFETY: caller contract.
    unsafe { client.as_ref() }
        .ok_or_else(|| postq_bindings_common::ErrorInfo::invalid("client", "is NULL"))
}

/// The client with per-call `CallOptions` JSON applied (NULL or empty: none).
pub(crate) fn with_call_options(
    client: &PostqClient,
    options: Option<&str>,
) -> Result<BindingClient, postq_bindings_common::ErrorInfo> {
    match options {
        None => Ok(client.inner.clone()),
        Some(text) => client.inner.with_options(&CallOptions::from_json(text)?),
    }
}

/// Caller memory that must stay valid until the callback (the payload).
struct Borrowed(*const u8, usize);
// SAFETY: the caller guarantees the memory stays valid and unchanged until the
// callback fires, on whatever thread; it is only read.
unsafe impl Send for Borrowed {}

/// Run a command. `command` is UTF-8 JSON (`{"op": "sign", "args": {"keyId": "hk_…"}}`);
/// `payload` the bytes for `sign`/`verify` (NULL: none; read in place, not copied — it
/// must stay valid until the callback); `options` optional `CallOptions` JSON
/// (`{"maxRetries", "timeout", "idempotencyKey", "headers"}`). The command and options
/// are read before this returns.
///
/// Returns the call id for `postq_cancel` (0 only when the runtime could not start; the
/// callback has then already fired with the error). The callback fires exactly once.
///
/// # Safety
/// `client` is a live client; `command`/`options` are NULL or valid for their lengths
/// during this call; `payload` is NULL or valid for `payload_len` bytes until the
/// callback fires.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn postq_call(
    client: *const PostqClient,
    command: *const u8,
    command_len: usize,
    payload: *const u8,
    payload_len: usize,
    options: *const u8,
    options_len: usize,
    callback: PostqCallback,
    user_data: *mut c_void,
) -> u64 {
    // Everything that reads caller memory happens now, inside the guard; the task only
    // runs the prepared call.
    let prepared = std::panic::catch_unwind(|| {
        // SAFETY: caller contract for every pointer.
        let client = unsafe { client_ref(client) }?;
        let text = unsafe { buffer::text("command", command, command_len) }?;
        let options = unsafe { buffer::optional_text("call options", options, options_len) }?;
        let command = Command::from_json(text)?;
        let binding = with_call_options(client, options.filter(|o| !o.trim().is_empty()))?;
        Ok((client.id, binding, command))
    });
    let prepared = prepared.unwrap_or_else(|_| Err(guard::panic_error()));
    let owner = Owner {
        client: prepared.as_ref().map(|p| p.0).unwrap_or(0),
        stream: 0,
    };
    let payload = Borrowed(payload, payload_len);
    calls::spawn(owner, callback, user_data, async move {
        let payload = payload;
        let (_, binding, command) = match prepared {
            Ok(p) => p,
            Err(e) => return Outcome::Done(Err(e)),
        };
        // SAFETY: valid until the callback fires, which is after this task.
        let bytes = unsafe { buffer::optional_bytes(payload.0, payload.1) };
        let result = match binding.client() {
            Ok(client) => run(&client, command, bytes).await,
            Err(e) => Err(e),
        };
        Outcome::Done(result)
    })
}
