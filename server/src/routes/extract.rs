//! Extractors that answer in the error envelope: a strictly decoded JSON body that
//! names the offending field, query parameters, and path ids.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Path, Query, Request};
use axum::http::request::Parts;
use postq::error::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body, decoded strictly, with errors in our envelope naming the field:
/// `riskLevel: unknown variant `Hgh`, expected one of …`.
pub(crate) struct ApiJson<T>(pub(crate) T);

/// Decode a JSON body strictly; the error names the field. `secret_fields` are fields
/// (with the shape they must have) whose errors must echo nothing of what was sent, not
/// even the names under them (a vault seal's `values`).
pub(crate) fn decode_json<T: DeserializeOwned>(
    bytes: &[u8],
    secret_fields: &[(&str, &str)],
) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::validation("A JSON body is required."));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let secret = secret_fields
            .iter()
            .find(|(f, _)| path == *f || path.starts_with(&format!("{f}.")));
        let msg = if let Some((field, shape)) = secret {
            format!("{field}: must be {shape}.")
        } else if path != "." {
            format!("{path}: {inner}.")
        } else if inner.is_syntax() || inner.is_eof() {
            if secret_fields.is_empty() {
                format!("Malformed JSON body: {inner}.")
            } else {
                "Malformed JSON body.".to_owned()
            }
        } else {
            format!("{inner}.")
        };
        ApiError::validation(msg)
    })?;
    de.end().map_err(|e| {
        ApiError::validation(if secret_fields.is_empty() {
            format!("Malformed JSON body: {e}.")
        } else {
            "Malformed JSON body.".to_owned()
        })
    })?;
    Ok(value)
}

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|_| ApiError::bad_request(ErrorCode::InvalidRequest, "Could not read the body."))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(req, state).await?;
        decode_json(&bytes, &[]).map(ApiJson)
    }
}

/// Like [`ApiJson`], but an empty body means `T::default()`.
pub(crate) struct OptionalJson<T>(pub(crate) T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        decode_json(&bytes, &[]).map(OptionalJson)
    }
}

/// Query parameters with errors in our envelope.
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| ApiError::validation(format!("Invalid query string: {}.", e.body_text())))
    }
}

/// The `{id}` of a route's path. An id that does not decode (percent-encoded bytes that
/// are not UTF-8, such as `%FF`) is kept as [`PathId::Undecodable`] holding the raw
/// segment, so each route answers it in its own way: a 400 in the envelope
/// ([`PathId::into_id`]), or the vault's uniform 403.
pub(crate) enum PathId {
    Id(String),
    Undecodable(String),
}

impl PathId {
    /// The id, or a 400 `validation_error` for one that does not decode.
    pub(crate) fn into_id(self) -> Result<String, ApiError> {
        match self {
            PathId::Id(id) => Ok(id),
            PathId::Undecodable(_) => Err(ApiError::validation(
                "The id in the path is not valid UTF-8.",
            )),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(PathId::Id(id)),
            Err(_) => Ok(PathId::Undecodable(raw_id_segment(parts))),
        }
    }
}

/// The still-encoded path segment where the route has `{id}`.
fn raw_id_segment(parts: &Parts) -> String {
    let position = parts
        .extensions
        .get::<MatchedPath>()
        .and_then(|m| m.as_str().split('/').position(|s| s == "{id}"));
    position
        .and_then(|i| parts.uri.path().split('/').nth(i))
        .unwrap_or_default()
        .chars()
        .take(128)
        .collect()
}
