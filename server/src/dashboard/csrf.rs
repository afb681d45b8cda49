//! CSRF protection of state-changing forms: every POST of a signed-in page carries a
//! `csrf` field equal to the session's token, derived from the session's secret token
//! (so it rotates with the session and needs no storage), and a browser's cross-site
//! POST is refused on its `Origin` / `Sec-Fetch-Site` as well. The session cookie is
//! `SameSite=Strict` besides.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use postq::error::ErrorCode;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::session::Session;
use crate::error::ApiError;

/// The CSRF token of the session whose secret token is `session_token`.
pub(crate) fn token_for(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"postq:dashboard:csrf:");
    h.update(session_token.as_bytes());
    hex::encode(h.finalize())
}

/// Whether two tokens are equal, compared in time that does not depend on where they
/// differ (both are hashed first).
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ErrorCode::AccessDenied, message)
}

/// Refuse a request a browser marks as coming from another site. Browsers that send
/// `Sec-Fetch-Site` are taken at their word (`same-origin`, or `none` for one the user
/// started); otherwise an `Origin` must name this host (a `null` one is refused).
pub(crate) fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let refused = || forbidden("Cross-site form posts are refused.");
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.to_str() {
            Ok("same-origin" | "none") => Ok(()),
            _ => Err(refused()),
        };
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (None, _) => Ok(()),
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map(|(_, h)| h);
            if origin_host.is_some_and(|h| h.eq_ignore_ascii_case(host)) {
                Ok(())
            } else {
                Err(refused())
            }
        }
        (Some(_), None) => Err(refused()),
    }
}

#[derive(Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// Middleware (inside the session layer): every request but GET/HEAD must be a
/// same-origin form whose `csrf` field is the session's token; else 403.
pub(crate) async fn require_token(req: Request, next: Next) -> Result<Response, ApiError> {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return Ok(next.run(req).await);
    }
    same_origin(req.headers())?;
    let expected = req
        .extensions()
        .get::<Session>()
        .map(|s| s.csrf.clone())
        .ok_or_else(|| forbidden("Sign in first."))?;
    let (parts, body) = req.into_parts();
    // The app's body limit already bounded (and buffered) the body.
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| ApiError::validation("Could not read the form."))?;
    let presented = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
        .ok()
        .and_then(|f| f.csrf);
    match presented {
        Some(token) if same_token(&token, &expected) => Ok(next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await),
        _ => Err(forbidden(
            "The form's CSRF token is missing or does not belong to this session; reload the page and try again.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_are_per_session() {
        let a = token_for("session-a");
        assert_eq!(a, token_for("session-a"));
        assert_ne!(a, token_for("session-b"));
        assert!(same_token(&a, &token_for("session-a")));
        assert!(!same_token(&a, ""));
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8787"));
        assert!(same_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8787"),
        );
        assert!(same_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(same_origin(&h).is_err());
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&h).is_err());
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(same_origin(&h).is_err());
        h.insert("sec-fetch-site", HeaderValue::from_static("same-site"));
        assert!(same_origin(&h).is_err());
        // A browser that says same-origin is believed even with `Origin: null`.
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&h).is_ok());
    }
}
