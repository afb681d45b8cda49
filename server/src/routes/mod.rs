//! Route handlers, one module per resource, and the extractors they share.

pub mod audit;
pub mod health;
pub mod keys;
pub mod rollover;
pub mod scans;
pub mod sign;
pub mod vault;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use base64::Engine;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body, decoded strictly, with errors in our envelope naming the field:
/// `riskLevel: unknown variant `Hgh`, expected one of …`.
pub struct ApiJson<T>(pub T);

fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = if path != "." {
            format!("{path}: {inner}.")
        } else if inner.is_syntax() || inner.is_eof() {
            format!("Malformed JSON body: {inner}.")
        } else {
            format!("{inner}.")
        };
        ApiError::validation(msg)
    })?;
    de.end()
        .map_err(|e| ApiError::validation(format!("Malformed JSON body: {e}.")))?;
    Ok(value)
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::bad_request("invalid_request", "Could not read the body."))?;
        if bytes.is_empty() {
            return Err(ApiError::validation("A JSON body is required."));
        }
        decode_json(&bytes).map(ApiJson)
    }
}

/// Like [`ApiJson`], but an empty body means `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::bad_request("invalid_request", "Could not read the body."))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        decode_json(&bytes).map(OptionalJson)
    }
}

/// Query parameters with errors in our envelope.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| ApiError::validation(format!("Invalid query string: {}.", e.body_text())))
    }
}

/// `limit` of a list route: 1–100, default 50.
pub fn page_limit(limit: Option<i64>) -> Result<u32, ApiError> {
    match limit {
        None => Ok(50),
        Some(n @ 1..=100) => Ok(u32::try_from(n).unwrap_or(50)),
        Some(_) => Err(ApiError::validation("limit must be between 1 and 100.")),
    }
}

/// Cursors are opaque to clients: `b64url(compact JSON)` of the last row's sort key,
/// e.g. `{"id":"scan_01J…"}` or `{"seq":42}` (docs/formats.md, cursors).
pub fn encode_cursor<T: Serialize>(key: &T) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode_cursor<T: DeserializeOwned>(cursor: &str) -> Result<T, ApiError> {
    let bad = || ApiError::bad_request("invalid_cursor", "The cursor is not valid for this list.");
    if cursor.len() > 512 {
        return Err(bad());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

/// The sort key of the id-ordered lists (scans, keys, credentials, rollovers).
#[derive(Serialize, serde::Deserialize)]
pub struct IdCursor {
    pub id: String,
}

/// The `before` id of a keyset page: the cursor decoded and checked to name a row of
/// this list (`prefix_…`), so a cursor from another list is a clear 400.
pub fn id_cursor(cursor: Option<&str>, prefix: &str) -> Result<Option<String>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let cur: IdCursor = decode_cursor(cursor)?;
    if !crate::ids::is_id(prefix, &cur.id) {
        return Err(ApiError::bad_request(
            "invalid_cursor",
            "The cursor is not valid for this list.",
        ));
    }
    Ok(Some(cur.id))
}

/// Stores fetch `limit + 1` rows; keep `limit` and return the next cursor when the
/// extra row shows there is more.
pub fn finish_page<T, K: Serialize>(
    rows: &mut Vec<T>,
    limit: u32,
    key: impl Fn(&T) -> K,
) -> Option<String> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    if more {
        rows.last().map(|r| encode_cursor(&key(r)))
    } else {
        None
    }
}

/// Parse `?include=a,b` (QuantumAPI's opt-in field hydration) against the tokens a
/// route supports; `all` selects every one. Unknown tokens are a 400.
pub fn parse_include(
    include: Option<&str>,
    supported: &[&'static str],
) -> Result<Vec<&'static str>, ApiError> {
    let mut out = Vec::new();
    for token in include
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if token == "all" {
            return Ok(supported.to_vec());
        }
        match supported.iter().find(|s| **s == token) {
            Some(s) => out.push(*s),
            None => {
                return Err(ApiError::validation(format!(
                    "include: unknown field `{token}` (supported: {}, all).",
                    supported.join(", ")
                )));
            }
        }
    }
    Ok(out)
}

/// Check a free-text field: trimmed non-empty (when required) and at most `max` chars.
pub fn check_text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::validation(format!("{field} must not be empty.")));
    }
    if value.chars().count() > max {
        return Err(ApiError::validation(format!(
            "{field} must be at most {max} characters."
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(ApiError::validation(format!(
            "{field} must not contain control characters."
        )));
    }
    Ok(())
}
