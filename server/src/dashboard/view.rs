//! What every page shares: the frame around it (navigation for the caller's scopes, the
//! sign-out form with its CSRF token), rendering a template into a response, and small
//! display helpers. Templates are askama's: checked at compile time, HTML-escaped.

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use postq::api::{RiskLevel, Severity};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::session::Session;
use crate::auth::{self, AuthContext};
use crate::error::ApiError;

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Overview,
    Targets,
    Rollovers,
    Keys,
    Vault,
    Audit,
}

/// One navigation link.
#[derive(Debug, Clone)]
pub(crate) struct NavLink {
    pub(crate) href: &'static str,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

/// The frame of a signed-in page.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    pub(crate) signed_in: bool,
    pub(crate) csrf: String,
    pub(crate) key_id: String,
    pub(crate) org_id: String,
    pub(crate) nav: Vec<NavLink>,
}

impl Chrome {
    /// The frame for `session`, on a page of `section`: only the sections whose read
    /// scope the key holds are linked (the same rules the API applies).
    pub(crate) fn new(session: &Session, section: Section) -> Self {
        let c = &session.caller;
        let links: [(Section, &'static str, &'static str, bool); 6] = [
            (
                Section::Overview,
                "/",
                "Overview",
                auth::permits::<auth::ScansRead>(c),
            ),
            (
                Section::Targets,
                "/targets",
                "Targets",
                auth::permits::<auth::ScansRead>(c),
            ),
            (
                Section::Rollovers,
                "/rollovers",
                "Rollovers",
                auth::permits::<auth::RolloverRead>(c),
            ),
            (
                Section::Keys,
                "/keys",
                "Keys",
                auth::permits::<auth::KeysRead>(c),
            ),
            (
                Section::Vault,
                "/vault",
                "Vault",
                c.has(auth::Scope::VaultRead),
            ),
            (
                Section::Audit,
                "/audit",
                "Audit",
                auth::permits::<auth::AuditRead>(c),
            ),
        ];
        Self {
            signed_in: true,
            csrf: session.csrf.clone(),
            key_id: c.api_key_id.clone(),
            org_id: c.org_id.clone(),
            nav: links
                .into_iter()
                .filter(|(_, _, _, allowed)| *allowed)
                .map(|(s, href, label, _)| NavLink {
                    href,
                    label,
                    current: s == section,
                })
                .collect(),
        }
    }

    /// The frame of a signed-out page (sign-in, errors).
    pub(crate) fn signed_out() -> Self {
        Self {
            signed_in: false,
            csrf: String::new(),
            key_id: String::new(),
            org_id: String::new(),
            nav: Vec::new(),
        }
    }
}

/// Render a template as an HTML response.
pub(crate) fn render<T: Template>(template: &T) -> Result<Response, ApiError> {
    let body = template.render().map_err(|e| {
        tracing::error!(error = %e, "dashboard template failed");
        ApiError::internal()
    })?;
    Ok(Html(body).into_response())
}

/// As [`render`], for a page that must not be kept anywhere (the one-shot bundle):
/// `Cache-Control: no-store` is set on every dashboard response already; this also
/// forbids the back/forward cache from keeping it.
pub(crate) fn render_once<T: Template>(template: &T) -> Result<Response, ApiError> {
    let mut resp = render(template)?;
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, max-age=0"),
    );
    Ok(resp)
}

/// The caller of a page, checked against a route's scope rule by the API's own check.
pub(crate) fn authorize<R: auth::ScopeRule>(
    caller: &AuthContext,
) -> Result<auth::Authorized<R>, ApiError> {
    auth::Authorized::<R>::check(caller.clone())
}

/// CSS class of a finding severity.
pub(crate) fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "sev-critical",
        Severity::High => "sev-high",
        Severity::Medium => "sev-medium",
        Severity::Low => "sev-low",
        Severity::Info => "sev-info",
    }
}

/// The wire name of a severity (`high`).
pub(crate) fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

/// Every severity, most severe first.
pub(crate) const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// The wire name of a risk level (`High`).
pub(crate) fn risk_name(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::Critical => "Critical",
        RiskLevel::High => "High",
        RiskLevel::Medium => "Medium",
        RiskLevel::Low => "Low",
        RiskLevel::Info => "Info",
    }
}

/// CSS class of a risk level (the severity of the same name).
pub(crate) fn risk_class(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::Critical => "sev-critical",
        RiskLevel::High => "sev-high",
        RiskLevel::Medium => "sev-medium",
        RiskLevel::Low => "sev-low",
        RiskLevel::Info => "sev-info",
    }
}

/// A risk score as written on the wire: whole numbers without a fraction.
pub(crate) fn score(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// `2026-11-22T06:30:00.123Z` → `2026-11-22 06:30 UTC`.
pub(crate) fn when(ts: &str) -> String {
    match (ts.get(..10), ts.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => ts.to_owned(),
    }
}

/// An opaque cursor for a dashboard page link (b64url of compact JSON).
pub(crate) fn encode_cursor<T: Serialize>(value: &T) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(value).unwrap_or_default())
}

/// A cursor from [`encode_cursor`]; anything else is a 400.
pub(crate) fn decode_cursor<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| ApiError::validation("The page cursor is not valid."))
}

/// What stays as is in a URL path segment or query value: RFC 3986's unreserved
/// characters; everything else is percent-encoded.
const URL_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment or query string value, percent-encoded.
pub(crate) fn query_value(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, URL_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_helpers() {
        assert_eq!(score(85.0), "85");
        assert_eq!(score(72.25), "72.2");
        assert_eq!(when("2026-11-22T06:30:00.123Z"), "2026-11-22 06:30 UTC");
        assert_eq!(when("x"), "x");
        let c = encode_cursor(&("url", "a/b"));
        assert_eq!(
            decode_cursor::<(String, String)>(&c).unwrap(),
            ("url".to_owned(), "a/b".to_owned())
        );
        assert!(decode_cursor::<(String, String)>("!!").is_err());
        assert_eq!(query_value("<a b>"), "%3Ca%20b%3E");
        assert_eq!(query_value("tlsr_01J.x-~/"), "tlsr_01J.x-~%2F");
    }
}
