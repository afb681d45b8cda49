//! One module per page (or group of pages). Each calls the API's handler for its data
//! with the session's caller, checked by the API's scope rule, and renders a template.

pub(crate) mod audit;
pub(crate) mod keys;
pub(crate) mod overview;
pub(crate) mod rollovers;
pub(crate) mod scan;
pub(crate) mod signin;
pub(crate) mod targets;
pub(crate) mod vault;
