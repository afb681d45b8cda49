//! Entry points of the fuzz targets (`fuzz/`, cargo-fuzz) for the server's parsers of
//! untrusted input: each route's JSON body, decoded and checked exactly as its handler
//! does, and list query strings with their cursors. `server/tests/fuzz_corpora.rs`
//! replays every committed corpus through these same functions. Not an API.

use axum::extract::Query;
use axum::http::Uri;
use postq::api::{
    CreateKeyRequest, CreateRolloverRequest, CreateScanRequest, Include, RotateKeyRequest,
    SealRequest, SignRequest, UpdateKeyRequest, VerifyRequest,
};
use postq::hybrid::{HybridPublicKey, SignatureEnvelope};

use crate::routes::audit::AuditParams;
use crate::routes::extract::decode_json;
use crate::routes::paging::{ListParams, decode_cursor};
use crate::routes::rollover::transition_target;
use crate::routes::sign::decode_payload;
use crate::routes::vault::VALUES_SHAPE;

/// The routes with a JSON body, chosen by the input's first byte.
const BODY_ROUTES: u8 = 9;

/// One route's JSON body (the first byte picks the route, the rest is the body), as
/// its handler reads it: strict decoding into core's request type, then core's rules.
pub fn route_body(data: &[u8]) {
    let Some((&route, body)) = data.split_first() else {
        return;
    };
    match route % BODY_ROUTES {
        0 => {
            if let Ok(req) = decode_json::<CreateScanRequest>(body, &[]) {
                let _ = req.validate();
            }
        }
        1 => {
            if let Ok(req) = decode_json::<CreateKeyRequest>(body, &[]) {
                let _ = req.validate();
            }
        }
        2 => {
            let _ = decode_json::<RotateKeyRequest>(body, &[]);
        }
        3 => {
            let _ = decode_json::<UpdateKeyRequest>(body, &[]);
        }
        4 => {
            if let Ok(req) = decode_json::<SignRequest>(body, &[]) {
                let _ = decode_payload(&req.payload, req.encoding);
            }
        }
        5 => {
            if let Ok(req) = decode_json::<VerifyRequest>(body, &[]) {
                let _ = decode_payload(&req.payload, req.encoding);
                let _ = SignatureEnvelope::parse(&req.signature);
                if let Some(pk) = &req.public_key {
                    let _ = HybridPublicKey::from_published(pk);
                }
            }
        }
        6 => sealed_values_never_echo(body),
        7 => {
            if let Ok(req) = decode_json::<CreateRolloverRequest>(body, &[]) {
                let _ = req.validate();
            }
        }
        _ => {
            let _ = transition_target(body);
        }
    }
}

/// A vault seal body: a malformed `values` is refused without echoing any of it.
fn sealed_values_never_echo(body: &[u8]) {
    match decode_json::<SealRequest>(body, &[VALUES_SHAPE]) {
        Ok(req) => {
            let _ = req.validate();
        }
        Err(err) => {
            // Errors name their field path first (`<path>: …`); a top-level unknown
            // field is named by its own path, so `{"values:":1}` is not a values error.
            let path = err.message.split(": ").next().unwrap_or_default();
            if path == "values" || path.starts_with("values.") {
                assert_eq!(
                    err.message,
                    format!("values: must be {}.", VALUES_SHAPE.1),
                    "a values error echoes nothing"
                );
            }
        }
    }
}

/// A list route's query string (`limit`, `cursor`, `include`) for every list, and the
/// audit list's (`eventType`, `since`, `until`, `limit`, `cursor`), read as the routes
/// read them.
pub fn list_query(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = format!("/v1/list?{query}").parse::<Uri>() else {
        return;
    };
    let lists: [(&[Include], &str); 4] = [
        (&[Include::Findings, Include::Metadata], "scan"),
        (&[Include::Versions], "hk"),
        (&[], "cred"),
        (&[], "tlsr"),
    ];
    for (supported, prefix) in lists {
        if let Ok(Query(params)) = Query::<ListParams>::try_from_uri(&uri) {
            let _ = params.page(supported, prefix);
        }
    }
    if let Ok(Query(params)) = Query::<AuditParams>::try_from_uri(&uri) {
        let _ = params.into_filter();
    }
    let _ = decode_cursor::<serde_json::Value>(query);
}
