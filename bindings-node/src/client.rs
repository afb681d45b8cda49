//! `NativeClient`: commands of `postq-bindings-common` as Promises. `index.js` builds
//! each command (`{"op", "args"}` JSON) and reads its result (JSON text, plus bytes for a
//! download); all dispatch is in the common layer.

use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;
use postq_bindings_common::{
    BindingClient, CallOptions, ClientOptions, Command, CommandStream, OPERATIONS, run,
};

use crate::error::IntoJs as _;

/// What a call returns: the result's JSON text, and the body of a download.
#[napi(object)]
pub struct CallResult {
    /// The result (the schema's shapes, camelCase).
    pub json: String,
    /// The downloaded bytes (`rollovers.download` only).
    pub bytes: Option<Buffer>,
}

/// The postq API client (native half of `PostQ`). Holds the API key inside the core's
/// zeroizing config; nothing of it is reachable from JavaScript.
#[napi]
pub struct NativeClient {
    inner: BindingClient,
}

impl NativeClient {
    fn with(&self, options: Option<String>) -> napi::Result<BindingClient> {
        match options {
            None => Ok(self.inner.clone()),
            Some(text) => {
                let options = CallOptions::from_json(&text).js()?;
                self.inner.with_options(&options).js()
            }
        }
    }
}

#[napi]
impl NativeClient {
    /// A client from `ClientOptions` JSON; unset options come from `POSTQ_API_KEY` /
    /// `POSTQ_BASE_URL`.
    #[napi(constructor)]
    pub fn new(options: String) -> napi::Result<Self> {
        let options = ClientOptions::from_json(&options).js()?;
        Ok(NativeClient {
            inner: BindingClient::new(options).js()?,
        })
    }

    /// The base URL requests go to.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// Run a command (JSON) with optional payload bytes and `CallOptions` JSON.
    #[napi]
    pub async fn call(
        &self,
        command: String,
        payload: Option<Uint8Array>,
        options: Option<String>,
    ) -> napi::Result<CallResult> {
        let command = Command::from_json(&command).js()?;
        let client = self.with(options)?.client().js()?;
        let out = run(&client, command, payload.as_deref()).await.js()?;
        Ok(CallResult {
            json: out.json.as_str().to_owned(),
            bytes: out.bytes.map(Buffer::from),
        })
    }

    /// Open a `*.list_all` command (JSON) as a stream.
    #[napi]
    pub fn stream(&self, command: String, options: Option<String>) -> napi::Result<NativeStream> {
        let command = Command::from_json(&command).js()?;
        let client = self.with(options)?.client().js()?;
        Ok(NativeStream {
            inner: Arc::new(CommandStream::open(client, command).js()?),
        })
    }
}

/// An open list stream over core's pager; items are JSON text.
#[napi]
pub struct NativeStream {
    inner: Arc<CommandStream>,
}

#[napi]
impl NativeStream {
    /// The next item, `null` at the end.
    #[napi]
    pub async fn next(&self) -> napi::Result<Option<String>> {
        let item = self.inner.next().await.js()?;
        Ok(item.map(|text| text.as_str().to_owned()))
    }
}

/// Every command name (`scans.submit`, …): what the test suite must exercise.
#[napi]
pub fn operations() -> Vec<String> {
    OPERATIONS.iter().map(|o| o.name.to_owned()).collect()
}
