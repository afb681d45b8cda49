//! Write units: everything one request writes, committed together with its
//! `Idempotency-Key` record.
//!
//! A retried write must never happen twice, even when the server dies between the
//! write and the moment its answer is recorded. So under an `Idempotency-Key` the
//! idempotency middleware runs the handler inside a [`WriteUnit`]: the store's
//! [`commit`](super::commit) does not commit but *parks* the transaction in the unit,
//! a later write of the same request continues in it, and the middleware finally
//! stores the response in that same transaction and commits once. A crash before that
//! commit leaves neither the write nor a finished record (startup drops the pending
//! record, so the retry runs afresh); a crash after it leaves both (the retry replays).
//!
//! What this asks of handlers: after a write, read what the answer needs inside the
//! write's own transaction, not through the reader pool (which cannot see the parked
//! write, and in memory is the very connection the unit holds).

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use sqlx::{Sqlite, Transaction};

/// A write transaction on the single writer connection.
pub(crate) type WriteTx = Transaction<'static, Sqlite>;

tokio::task_local! {
    static CURRENT: WriteUnit;
}

#[derive(Default)]
struct Slot {
    parked: Option<WriteTx>,
    /// A parked transaction was taken to continue in and never parked again: the
    /// writes in it were rolled back, so the request's answer must not be stored.
    lost: bool,
}

/// The writes of one request, held back until its answer is recorded with them.
#[derive(Clone, Default)]
pub(crate) struct WriteUnit {
    slot: Arc<Mutex<Slot>>,
}

impl std::fmt::Debug for WriteUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteUnit")
    }
}

impl WriteUnit {
    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `work` with this unit current: the store's commits in it park here.
    pub(crate) async fn run<F: Future>(&self, work: F) -> F::Output {
        CURRENT.scope(self.clone(), work).await
    }

    /// The parked transaction, if the request wrote anything; the caller commits it.
    pub(crate) fn finish(&self) -> Option<WriteTx> {
        self.slot().parked.take()
    }

    /// True when a write of this request was rolled back after an earlier one had been
    /// parked (a handler that returned early from a second write): the answer no
    /// longer describes what is stored.
    pub(crate) fn lost_writes(&self) -> bool {
        self.slot().lost
    }

    /// Roll back everything the request wrote.
    pub(crate) fn discard(&self) {
        drop(self.finish());
    }
}

/// The parked transaction of the current unit, to continue writing in.
pub(super) fn continue_parked() -> Option<WriteTx> {
    CURRENT
        .try_with(|unit| {
            let mut slot = unit.slot();
            let tx = slot.parked.take();
            if tx.is_some() {
                slot.lost = true;
            }
            tx
        })
        .ok()
        .flatten()
}

/// Park `tx` in the current unit; gives it back when no unit is current.
pub(super) fn park(tx: WriteTx) -> Option<WriteTx> {
    let mut tx = Some(tx);
    let _ = CURRENT.try_with(|unit| {
        let mut slot = unit.slot();
        slot.parked = tx.take();
        slot.lost = false;
    });
    tx
}
