//! The list responses: `{"data":[…],"nextCursor"}`, the shape of core's
//! `postq::client::Page`, named per item type so the OpenAPI document has one schema
//! per list (`ScanList`, `KeyList`, …).

use postq::api::{Credential, HybridKey, Rollover, ScanSummary};
use postq::ledger::LedgerEntry;
use serde::Serialize;
use utoipa::ToSchema;

macro_rules! lists {
    ($($(#[$doc:meta])* $name:ident => $item:ty,)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Serialize, ToSchema)]
            #[serde(rename_all = "camelCase")]
            pub(crate) struct $name {
                /// The items of this page.
                pub(crate) data: Vec<$item>,
                /// Pass as `cursor` for the next page; `null` at the end.
                pub(crate) next_cursor: Option<String>,
            }
        )+
    };
}

lists! {
    /// A page of scans, newest first.
    ScanList => ScanSummary,
    /// A page of managed keys, newest first.
    KeyList => HybridKey,
    /// A page of ledger rows, oldest first.
    AuditList => LedgerEntry,
    /// A page of credential metadata, newest first.
    CredentialList => Credential,
    /// A page of rollovers, newest first.
    RolloverList => Rollover,
}
