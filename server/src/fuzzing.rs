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

/// A vault seal body: a refused body's error never repeats what was sent inside
/// `values` (the secrets), whatever else is wrong with it.
fn sealed_values_never_echo(body: &[u8]) {
    match decode_json::<SealRequest>(body, &[VALUES_SHAPE]) {
        Ok(req) => {
            let _ = req.validate();
        }
        Err(err) => {
            let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
                return;
            };
            let mut secrets = Vec::new();
            if let Some(values) = fields.get("values") {
                scalar_texts(values, &mut secrets);
            }
            // Text the message may rightly hold: its own words, the field names, and
            // whatever was sent outside `values` (an unknown field is named).
            let mut allowed = format!("{SERDE_WORDS} {}", VALUES_SHAPE.1);
            for (name, value) in fields.iter().filter(|(name, _)| *name != "values") {
                allowed.push_str(&format!(" {name} {value}"));
            }
            let leaked = secrets
                .iter()
                .filter(|s| s.len() >= 8 && !allowed.contains(s.as_str()));
            for secret in leaked {
                assert!(
                    !err.message.contains(secret.as_str()),
                    "a values error echoes nothing: {}",
                    err.message
                );
            }
        }
    }
}

/// Words of serde's and the handler's own error messages.
const SERDE_WORDS: &str = "Malformed JSON body invalid type: expected a string missing field \
    unknown field duplicate field expected one of name credentialType values ttlDays at line column";

/// Every string and number inside a JSON value, as text.
fn scalar_texts(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Number(n) => out.push(n.to_string()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| scalar_texts(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| scalar_texts(v, out)),
        serde_json::Value::Bool(_) | serde_json::Value::Null => {}
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
