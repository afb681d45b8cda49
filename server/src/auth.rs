//! API keys, organisations and scopes.
//!
//! A key is `pq_live_` + 48 hex characters (192 random bits). The server stores only
//! `sha256(key)`; the key is shown once when it is minted. `Authorization: Bearer …` and
//! `X-Api-Key: …` are both accepted. A handler states the scope it needs in its
//! signature ([`Authorized`]), so the scope is checked before its body is read.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::ApiError;
use crate::middleware::peer_ip;

pub(crate) const KEY_PREFIX: &str = "pq_live_";

macro_rules! scopes {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)+) => {
        /// What an API key may do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Scope {
            $($(#[$doc])* $variant,)+
        }

        impl Scope {
            /// Every scope, in documentation order.
            pub const ALL: &'static [Scope] = &[$(Scope::$variant,)+];

            /// The wire name, e.g. `scans:read`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Scope::$variant => $wire,)+
                }
            }

            /// The scope with this wire name.
            pub fn parse(text: &str) -> Option<Scope> {
                match text {
                    $($wire => Some(Scope::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

scopes! {
    /// Read scans.
    ScansRead => "scans:read",
    /// Submit scans.
    ScansWrite => "scans:write",
    /// Verify signatures; read rollovers.
    SignRead => "sign:read",
    /// Sign; create and move rollovers.
    SignWrite => "sign:write",
    /// Read managed keys.
    KeysRead => "keys:read",
    /// Create, rotate and update managed keys.
    KeysWrite => "keys:write",
    /// Unseal and list vault credentials.
    VaultRead => "vault:read",
    /// Seal, rotate and delete vault credentials.
    VaultWrite => "vault:write",
    /// Read rollovers (as `sign:read`).
    RolloverRead => "rollover:read",
    /// Create and move rollovers (as `sign:write`).
    RolloverWrite => "rollover:write",
    /// Read the audit ledger.
    AuditRead => "audit:read",
}

impl Scope {
    /// Scopes a new key gets when none are asked for: read access, as the PostQ API
    /// reference says ("New keys get sign:read by default"). `vault:read` is left out
    /// because it unseals plaintext credentials; ask for it explicitly.
    pub const DEFAULT: &'static [Scope] = &[
        Scope::ScansRead,
        Scope::SignRead,
        Scope::KeysRead,
        Scope::RolloverRead,
        Scope::AuditRead,
    ];

    /// Parse a scope list (comma or space separated); `all` expands to every scope.
    pub fn parse_list(text: &str) -> Result<Vec<Scope>, String> {
        let mut out: Vec<Scope> = Vec::new();
        let mut add = |scope: Scope| {
            if !out.contains(&scope) {
                out.push(scope);
            }
        };
        for s in text
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if s == "all" {
                Scope::ALL.iter().for_each(|scope| add(*scope));
                continue;
            }
            let scope = Scope::parse(s).ok_or_else(|| {
                let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                format!(
                    "unknown scope `{s}` (known: {}, or `all`)",
                    known.join(", ")
                )
            })?;
            add(scope);
        }
        if out.is_empty() {
            return Err("no scopes given".into());
        }
        Ok(out)
    }
}

/// A fresh API key in plaintext (returned once to the caller).
pub(crate) fn generate_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{KEY_PREFIX}{}", hex::encode(bytes)))
}

pub(crate) fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Who is calling: resolved by the auth middleware and available to handlers.
#[derive(Clone)]
pub(crate) struct AuthContext {
    pub(crate) api_key_id: String,
    pub(crate) org_id: String,
    pub(crate) scopes: Vec<Scope>,
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
    pub(crate) fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The ledger's `actor` for this caller.
    pub(crate) fn actor(&self) -> String {
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

/// The scopes a route accepts (any one of them).
pub(crate) trait ScopeRule {
    /// The first one names the scope in the 403.
    const ANY_OF: &'static [Scope];
}

macro_rules! rules {
    ($($(#[$doc:meta])* $rule:ident => [$($scope:ident),+],)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub(crate) struct $rule;
            impl ScopeRule for $rule {
                const ANY_OF: &'static [Scope] = &[$(Scope::$scope),+];
            }
        )+
    };
}

rules! {
    /// `scans:read`.
    ScansRead => [ScansRead],
    /// `scans:write`.
    ScansWrite => [ScansWrite],
    /// `keys:read`.
    KeysRead => [KeysRead],
    /// `keys:write`.
    KeysWrite => [KeysWrite],
    /// `sign:read`.
    SignRead => [SignRead],
    /// `sign:write`.
    SignWrite => [SignWrite],
    /// `audit:read`.
    AuditRead => [AuditRead],
    /// `sign:read` or `rollover:read`.
    RolloverRead => [SignRead, RolloverRead],
    /// `sign:write` or `rollover:write`.
    RolloverWrite => [SignWrite, RolloverWrite],
}

/// The caller, checked to hold one of `R`'s scopes. Extractors run in argument order
/// and the body extractor runs last, so a handler taking this is refused with 403
/// `insufficient_scope` before its body (or path, or query) is looked at.
pub(crate) struct Authorized<R> {
    ctx: AuthContext,
    rule: PhantomData<R>,
}

impl<R> std::ops::Deref for Authorized<R> {
    type Target = AuthContext;
    fn deref(&self) -> &AuthContext {
        &self.ctx
    }
}

/// Whether `ctx` holds one of `R`'s scopes: the one scope check, behind [`Authorized`]
/// and behind what the dashboard shows (a button appears only when its route would
/// accept the caller).
pub(crate) fn permits<R: ScopeRule>(ctx: &AuthContext) -> bool {
    R::ANY_OF.iter().any(|scope| ctx.has(*scope))
}

impl<R: ScopeRule> Authorized<R> {
    /// `ctx`, checked to hold one of `R`'s scopes, else 403 `insufficient_scope`. The
    /// extractor below and the dashboard's pages (whose caller comes from a session,
    /// not a header) both come through here.
    pub(crate) fn check(ctx: AuthContext) -> Result<Self, ApiError> {
        if permits::<R>(&ctx) {
            Ok(Authorized {
                ctx,
                rule: PhantomData,
            })
        } else {
            let named = R::ANY_OF.first().map_or("", |s| s.as_str());
            Err(ApiError::insufficient_scope(named))
        }
    }
}

impl<R: ScopeRule, S: Send + Sync> FromRequestParts<S> for Authorized<R> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Self::check(AuthContext::from_request_parts(parts, state).await?)
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

/// A 401, counted against the peer address's unauthenticated bucket (a 429 once it is
/// empty) and carrying that bucket's rate-limit headers. The body is never read.
fn refuse(state: &AppState, parts: &Parts, message: &str) -> Result<Response, ApiError> {
    let headers = state.limiters.check_peer(peer_ip(&parts.extensions))?;
    let mut resp = ApiError::unauthorized(message).into_response();
    headers.apply(resp.headers_mut());
    Ok(resp)
}

/// Middleware: resolve the API key into an [`AuthContext`] or answer 401 — before any
/// of the body is read.
pub(crate) async fn require_api_key(
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
        let message = if has_header {
            "Malformed Authorization header; use `Bearer pq_live_…`."
        } else {
            "Missing API key."
        };
        return refuse(&state, &parts, message);
    };
    if !key.starts_with(KEY_PREFIX) || key.len() > 128 {
        return refuse(&state, &parts, "Invalid or expired API key.");
    }
    let Some(ctx) = state.store.lookup_api_key(&hash_key(key)).await? else {
        return refuse(&state, &parts, "Invalid or expired API key.");
    };
    tracing::Span::current().record("api_key", ctx.api_key_id.as_str());
    parts.extensions.insert(ctx);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse() {
        assert_eq!(
            Scope::parse_list("scans:read, sign:write").unwrap(),
            [Scope::ScansRead, Scope::SignWrite]
        );
        assert_eq!(Scope::parse_list("all").unwrap().len(), Scope::ALL.len());
        assert!(Scope::parse_list("scans:delete").is_err());
        assert!(Scope::parse_list("").is_err());
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn keys_look_right() {
        let k = generate_key().unwrap();
        assert!(k.starts_with("pq_live_"));
        assert_eq!(k.len(), 8 + 48);
        assert_eq!(hash_key(&k).len(), 64);
    }
}
