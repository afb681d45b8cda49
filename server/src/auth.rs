//! API keys, organisations and scopes.
//!
//! A key is `pq_live_` + 48 hex characters (192 random bits). The server stores only
//! `sha256(key)`; the key is shown once when it is minted. `Authorization: Bearer …` and
//! `X-Api-Key: …` are both accepted.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

pub const KEY_PREFIX: &str = "pq_live_";

/// Every scope the server knows, in documentation order.
pub const ALL_SCOPES: &[&str] = &[
    "scans:read",
    "scans:write",
    "sign:read",
    "sign:write",
    "keys:read",
    "keys:write",
    "vault:read",
    "vault:write",
    "rollover:read",
    "rollover:write",
    "audit:read",
];

/// Scopes a new key gets when none are asked for: read access, as the seed says
/// ("New keys get sign:read by default"). `vault:read` is left out because it unseals
/// plaintext credentials; ask for it explicitly.
pub const DEFAULT_SCOPES: &[&str] = &[
    "scans:read",
    "sign:read",
    "keys:read",
    "rollover:read",
    "audit:read",
];

/// Parse a scope list (comma or space separated); `all` expands to every scope.
pub fn parse_scopes(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for s in text
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if s == "all" {
            for a in ALL_SCOPES {
                if !out.iter().any(|o| o == a) {
                    out.push((*a).to_owned());
                }
            }
        } else if ALL_SCOPES.contains(&s) {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        } else {
            return Err(format!(
                "unknown scope `{s}` (known: {}, or `all`)",
                ALL_SCOPES.join(", ")
            ));
        }
    }
    if out.is_empty() {
        return Err("no scopes given".into());
    }
    Ok(out)
}

/// A fresh API key in plaintext (returned once to the caller).
pub fn generate_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{KEY_PREFIX}{}", hex::encode(bytes)))
}

pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Who is calling: resolved by the auth middleware and available to handlers.
#[derive(Clone)]
pub struct AuthContext {
    pub api_key_id: String,
    pub org_id: String,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for AuthContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthContext")
            .field("api_key_id", &self.api_key_id)
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

impl AuthContext {
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ApiError::insufficient_scope(scope))
        }
    }
    /// The ledger's `actor` for this caller.
    pub fn actor(&self) -> String {
        format!("apikey:{}", self.api_key_id)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuthContext {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<AuthContext>()
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("Missing API key."))
    }
}

/// The credential presented by a request, if any.
fn presented_key(parts: &Parts) -> Option<&str> {
    if let Some(v) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let v = v.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim());
    }
    parts
        .headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Middleware: resolve the API key into an [`AuthContext`] or answer 401.
pub async fn require_api_key(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = req.into_parts();
    let has_header = parts
        .headers
        .contains_key(axum::http::header::AUTHORIZATION)
        || parts.headers.contains_key("x-api-key");
    let Some(key) = presented_key(&parts) else {
        return Err(ApiError::unauthorized(if has_header {
            "Malformed Authorization header; use `Bearer pq_live_…`."
        } else {
            "Missing API key."
        }));
    };
    if !key.starts_with(KEY_PREFIX) || key.len() > 128 {
        return Err(ApiError::unauthorized("Invalid or expired API key."));
    }
    let ctx = state
        .store
        .lookup_api_key(&hash_key(key))
        .await?
        .ok_or_else(|| ApiError::unauthorized("Invalid or expired API key."))?;
    tracing::Span::current().record("api_key", ctx.api_key_id.as_str());
    parts.extensions.insert(ctx);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse() {
        assert_eq!(parse_scopes("scans:read, sign:write").unwrap().len(), 2);
        assert_eq!(parse_scopes("all").unwrap().len(), ALL_SCOPES.len());
        assert!(parse_scopes("scans:delete").is_err());
        assert!(parse_scopes("").is_err());
    }

    #[test]
    fn keys_look_right() {
        let k = generate_key().unwrap();
        assert!(k.starts_with("pq_live_"));
        assert_eq!(k.len(), 8 + 48);
        assert_eq!(hash_key(&k).len(), 64);
    }
}
