//! Asynchronous calls: each runs on the shared runtime and completes through a C
//! callback **exactly once**. A [`Completion`] owns the callback: it is invoked by
//! `complete`, or — if the task is dropped unfinished (runtime shutdown) — by `Drop`
//! with `POSTQ_CANCELLED`. Every call is in the [`Registry`] until its callback has
//! returned, which is what cancellation by id, cancellation by owner (a client or stream
//! being freed) and the draining shutdown work on.

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use futures_util::future::{AbortHandle, abortable};
use postq_bindings_common::{ErrorInfo, Output, runtime};

use crate::guard;
use crate::{POSTQ_CANCELLED, POSTQ_END, POSTQ_ERROR, POSTQ_OK};

/// Completion callback of a call or stream step:
/// `callback(user_data, status, json, json_len, bytes, bytes_len)`.
///
/// - `POSTQ_OK`: `json` is the result (the schema's shapes); `bytes` is the body of a
///   `rollovers.download`, else NULL/0.
/// - `POSTQ_ERROR`: `json` is the `ErrorInfo`.
/// - `POSTQ_CANCELLED`, `POSTQ_END`: both NULL/0.
///
/// The pointers are valid only during the callback: copy what you keep. It runs on a
/// runtime thread (at `postq_shutdown`, possibly on the thread calling it), exactly once
/// per call, and must not call `postq_shutdown`.
pub type PostqCallback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        status: i32,
        json: *const u8,
        json_len: usize,
        bytes: *const u8,
        bytes_len: usize,
    ),
>;

/// The caller's user-data pointer, passed back untouched on the runtime thread.
struct UserData(*mut c_void);
// SAFETY: the pointer is opaque to this library; passing it to another thread is part of
// the documented contract (the caller's callback runs on a runtime thread).
unsafe impl Send for UserData {}

/// Who a call belongs to, so freeing it cancels the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Owner {
    pub client: u64,
    pub stream: u64,
}

struct Registry {
    next_id: AtomicU64,
    calls: Mutex<BTreeMap<u64, (Owner, AbortHandle)>>,
    /// Signalled whenever a call leaves the registry.
    left: Condvar,
}

static REGISTRY: Registry = Registry {
    next_id: AtomicU64::new(1),
    calls: Mutex::new(BTreeMap::new()),
    left: Condvar::new(),
};

fn calls() -> MutexGuard<'static, BTreeMap<u64, (Owner, AbortHandle)>> {
    REGISTRY
        .calls
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// A fresh id for a client or stream (ids are never 0).
pub(crate) fn next_id() -> u64 {
    REGISTRY.next_id.fetch_add(1, Ordering::Relaxed)
}

/// The callback of one call; fires exactly once.
struct Completion {
    id: u64,
    callback: PostqCallback,
    user_data: UserData,
    fired: bool,
}

impl Completion {
    fn fire(&mut self, status: i32, json: &[u8], bytes: Option<&[u8]>) {
        if std::mem::replace(&mut self.fired, true) {
            return;
        }
        if let Some(callback) = self.callback {
            let (json_ptr, json_len) = parts(Some(json));
            let (bytes_ptr, bytes_len) = parts(bytes);
            // A foreign callback cannot unwind into Rust (the .NET side catches every
            // exception in it); catch_unwind only guards our own code around it.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
                // SAFETY: the caller gave this function pointer for exactly this call;
                // the pointers are valid for the duration of the call.
                unsafe {
                    callback(
                        self.user_data.0,
                        status,
                        json_ptr,
                        json_len,
                        bytes_ptr,
                        bytes_len,
                    )
                }
            }));
        }
        // Leave the registry only after the callback returned: a drained shutdown
        // then guarantees no callback is running or will run.
        let mut calls = calls();
        calls.remove(&self.id);
        REGISTRY.left.notify_all();
    }

    fn result(mut self, result: Result<Output, ErrorInfo>) {
        match result {
            Ok(out) => self.fire(POSTQ_OK, out.json.as_bytes(), out.bytes.as_deref()),
            Err(e) => self.fire(POSTQ_ERROR, e.to_json().as_bytes(), None),
        }
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        self.fire(POSTQ_CANCELLED, &[], None);
    }
}

fn parts(bytes: Option<&[u8]>) -> (*const u8, usize) {
    match bytes {
        Some(b) if !b.is_empty() => (b.as_ptr(), b.len()),
        _ => (std::ptr::null(), 0),
    }
}

/// What a stream step gives: an item, or the end.
pub(crate) enum Step {
    Item(zeroize::Zeroizing<String>),
    End,
}

/// What a spawned call resolves to.
pub(crate) enum Outcome {
    Done(Result<Output, ErrorInfo>),
    Step(Result<Step, ErrorInfo>),
}

/// Start a call: register it under `owner`, spawn `work` on the shared runtime and
/// return its id (never 0). The callback fires exactly once: with the outcome, with
/// `POSTQ_CANCELLED` if the call is cancelled or dropped, or — when the runtime cannot
/// start — on this thread before returning 0.
pub(crate) fn spawn<F>(
    owner: Owner,
    callback: PostqCallback,
    user_data: *mut c_void,
    work: F,
) -> u64
where
    F: Future<Output = Outcome> + Send + 'static,
{
    let id = next_id();
    let mut completion = Completion {
        id,
        callback,
        user_data: UserData(user_data),
        fired: false,
    };
    let rt = match runtime::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            completion.fire(POSTQ_ERROR, e.to_json().as_bytes(), None);
            return 0;
        }
    };
    let (work, abort) = abortable(AssertUnwindSafe(work).catch_unwind());
    calls().insert(id, (owner, abort));
    rt.spawn(async move {
        match work.await {
            Ok(Ok(Outcome::Done(result))) => completion.result(result),
            Ok(Ok(Outcome::Step(Ok(Step::Item(json))))) => {
                completion.fire(POSTQ_OK, json.as_bytes(), None)
            }
            Ok(Ok(Outcome::Step(Ok(Step::End)))) => completion.fire(POSTQ_END, &[], None),
            Ok(Ok(Outcome::Step(Err(e)))) => {
                completion.fire(POSTQ_ERROR, e.to_json().as_bytes(), None)
            }
            Ok(Err(_panic)) => {
                let e = guard::panic_error();
                completion.fire(POSTQ_ERROR, e.to_json().as_bytes(), None)
            }
            // Aborted: `Drop` reports POSTQ_CANCELLED.
            Err(_aborted) => {}
        }
    });
    id
}

/// Cancel every call of an owner (a client or stream being freed).
pub(crate) fn cancel_owned(matches: impl Fn(Owner) -> bool) {
    for (owner, abort) in calls().values() {
        if matches(*owner) {
            abort.abort();
        }
    }
}

/// Cancel a call by the id `postq_call` or `postq_stream_next` returned. Its callback
/// fires with `POSTQ_CANCELLED` unless it already completed. Returns 1 when the call was
/// still running, 0 when it was unknown or done.
#[unsafe(no_mangle)]
pub extern "C" fn postq_cancel(call_id: u64) -> i32 {
    guard::quiet(|| match calls().get(&call_id) {
        Some((_, abort)) => {
            abort.abort();
            1
        }
        None => 0,
    })
}

/// The number of calls whose callback has not yet returned.
#[unsafe(no_mangle)]
pub extern "C" fn postq_pending_calls() -> usize {
    guard::quiet(|| calls().len())
}

/// Cancel every call, wait up to `grace_ms` until every callback has returned, then
/// stop the runtime. Call it before the host tears down (a .NET process exit); a later
/// call starts a fresh runtime. Returns the number of callbacks still outstanding (0
/// when drained), or -1 when called from a runtime thread (inside a callback), where
/// waiting would deadlock.
#[unsafe(no_mangle)]
pub extern "C" fn postq_shutdown(grace_ms: u32) -> i64 {
    guard::quiet(|| {
        if tokio::runtime::Handle::try_current().is_ok() {
            return -1;
        }
        cancel_owned(|_| true);
        let deadline = Instant::now() + Duration::from_millis(u64::from(grace_ms));
        let mut calls = calls();
        while !calls.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            calls = REGISTRY
                .left
                .wait_timeout(calls, deadline - now)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        let left = calls.len();
        drop(calls);
        if left == 0 {
            runtime::shutdown_runtime(Duration::from_millis(u64::from(grace_ms)), |f| f());
        }
        i64::try_from(left).unwrap_or(i64::MAX)
    })
}
