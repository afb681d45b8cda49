//! The one command layer every postq binding calls (Python, Node, the C ABI of .NET).
//!
//! A binding converts its language's values into a [`Command`] (JSON
//! `{"op": "scans.submit", "args": {…}}`) plus, for `sign`/`verify`, payload bytes it
//! passes without copying; [`run`] makes the core client call and returns an [`Output`]
//! (JSON text, and bytes for a download); `*.list_all` commands open a
//! [`CommandStream`]. Every failure is an [`ErrorInfo`] whose `kind` picks the
//! exception class. Clients are built from [`ClientOptions`] by one set of rules into a
//! fork-aware [`BindingClient`]; calls run on the shared [`runtime`]. Nothing here
//! panics: every entry returns `Result`.
//!
//! Feature `schema`: [`schema::document`], the JSON Schema every binding's models are
//! generated from (`schema/postq.schema.json`).

mod client;
mod command;
mod error;
pub mod offline;
mod options;
mod run;
pub mod runtime;
#[cfg(feature = "schema")]
pub mod schema;
mod stream;
mod witness;

pub use client::BindingClient;
pub use command::{
    Command, ConsistencyProofArgs, DownloadAllArgs, DownloadArgs, IdArgs, InclusionProofArgs,
    NoArgs, OPERATIONS, Operation, PublicKeyArgs, RotateKeyArgs, Route, SignArgs, TransitionArgs,
    UpdateKeyArgs, VerifyArgs, WitnessArgs,
};
pub use error::ErrorInfo;
pub use options::{CallOptions, ClientOptions, duration};
pub use postq::error::ErrorKind;
pub use run::{ArtifactInfo, Output, PublicKeyInfo, run};
pub use stream::CommandStream;
pub use witness::{WitnessOutcome, WitnessResult};
