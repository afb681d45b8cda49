//! Route handlers, one module per resource, and what they share: extractors that
//! answer in the error envelope (`extract`) and keyset paging (`paging`). Requests and
//! responses are core's wire types (`postq::api`), deserialised and serialised as is.

pub(crate) mod audit;
pub(crate) mod extract;
pub(crate) mod health;
pub(crate) mod ingest;
pub(crate) mod keys;
pub(crate) mod lists;
pub(crate) mod paging;
pub(crate) mod rollover;
pub(crate) mod scans;
pub(crate) mod sign;
pub(crate) mod vault;
