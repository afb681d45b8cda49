//! [`CommandStream`]: a `*.list_all` command as an open stream over core's owned list
//! streams. Items are JSON text; `next` gives `None` at the end. The stream holds a
//! client handle, so it outlives the call that opened it; after an error it is over.

use std::pin::Pin;

use futures_util::{Stream, StreamExt as _};
use postq::Client;
use serde::Serialize;
use tokio::sync::Mutex;
use zeroize::Zeroizing;

use crate::run::to_json;
use crate::{Command, ErrorInfo};

type Items = Pin<Box<dyn Stream<Item = Result<Zeroizing<String>, ErrorInfo>> + Send>>;

fn items<T, S>(stream: S) -> Items
where
    T: Serialize,
    S: Stream<Item = postq::Result<T>> + Send + 'static,
{
    Box::pin(stream.map(|item| item.map_err(ErrorInfo::from).and_then(|v| to_json(&v))))
}

/// An open list stream.
pub struct CommandStream {
    inner: Mutex<Option<Items>>,
}

impl std::fmt::Debug for CommandStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CommandStream")
    }
}

impl CommandStream {
    /// Open a `*.list_all` command; any other command is a `validation` error.
    pub fn open(client: Client, command: Command) -> Result<CommandStream, ErrorInfo> {
        use Command as C;
        let items = match command {
            C::ScansListAll(q) => items(client.scans().list_all(q)),
            C::KeysListAll(q) => items(client.hybrid_keys().list_all(q)),
            C::VaultListAll(q) => items(client.vault().list_all(q)),
            C::RolloversListAll(q) => items(client.rollovers().list_all(q)),
            C::AuditListAll(q) => items(client.audit().list_all(q)),
            other => {
                return Err(ErrorInfo::invalid(
                    "command",
                    format!("`{}` is not a stream: run it", other.op()),
                ));
            }
        };
        Ok(CommandStream {
            inner: Mutex::new(Some(items)),
        })
    }

    /// The next item, `None` at the end. Concurrent callers take turns.
    pub async fn next(&self) -> Result<Option<Zeroizing<String>>, ErrorInfo> {
        let mut guard = self.inner.lock().await;
        let Some(stream) = guard.as_mut() else {
            return Ok(None);
        };
        match stream.next().await {
            Some(Ok(item)) => Ok(Some(item)),
            Some(Err(e)) => {
                *guard = None;
                Err(e)
            }
            None => {
                *guard = None;
                Ok(None)
            }
        }
    }
}
