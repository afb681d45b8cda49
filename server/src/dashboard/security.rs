//! Response hardening for every dashboard route — a strict Content-Security-Policy (no
//! inline script or style, nothing from another origin, no framing), no caching, no
//! referrer — and HTML error pages in place of the API's JSON envelopes, which the
//! handlers and the shared middleware (rate limits, body limit, scopes) answer with.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use postq::api::ErrorEnvelope;

use super::view::Chrome;

/// The policy: the page's own stylesheet and nothing else; forms post only here; no
/// frame may hold a dashboard page.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLESHEET: &str = include_str!("static/dashboard.css");

/// `GET /static/dashboard.css`.
pub(crate) async fn stylesheet() -> Response {
    let mut resp = STYLESHEET.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

/// Middleware: the security headers on every dashboard response.
pub(crate) async fn headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(h, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(h, "x-frame-options", "DENY");
    set(h, "x-content-type-options", "nosniff");
    // Same-origin only: nothing (a one-time sign-in token in a URL) leaks elsewhere, and
    // form posts keep their `Origin` (with `no-referrer` browsers send `Origin: null`).
    set(h, "referrer-policy", "same-origin");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "cross-origin-resource-policy", "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    resp
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    reason: String,
    message: String,
    request_id: String,
    sign_in: bool,
}

/// Middleware: an error answered in the API's JSON envelope becomes an HTML page with
/// the same status, message, request id and headers (`Retry-After` on a 429).
pub(crate) async fn html_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if resp.status().as_u16() < 400 || !is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let (message, request_id) = serde_json::from_slice::<ErrorEnvelope>(&bytes)
        .map(|e| (e.error.message, e.error.request_id.unwrap_or_default()))
        .unwrap_or_else(|_| ("Something went wrong.".to_owned(), String::new()));
    let status = parts.status;
    let page = ErrorPage {
        chrome: Chrome::signed_out(),
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("Error").to_owned(),
        message,
        request_id,
        sign_in: status == StatusCode::UNAUTHORIZED,
    };
    let html = page.render().unwrap_or_else(|_| "Error".to_owned());
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}
