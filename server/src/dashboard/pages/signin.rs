//! Sign-in with an API key, one-time sign-in links, and sign-out.
//!
//! The sign-in form has no session yet, so it is protected by a double-submit token: a
//! random value in a `SameSite=Strict` cookie that the form must repeat. The key is
//! checked exactly as the API checks a bearer key; it is never echoed, logged or kept
//! (only the session's token hash is stored).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use crate::app::AppState;
use crate::auth::{KEY_PREFIX, hash_key};
use crate::dashboard::csrf::{same_origin, same_token};
use crate::dashboard::session::{self, Cookies, Session, cookie, token_hash};
use crate::dashboard::view::{Chrome, render};
use crate::error::ApiError;
use crate::ids;

/// How long the sign-in form's token is good for.
const FORM_LIFETIME: Duration = Duration::minutes(30);

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
struct SignInForm {
    api_key: String,
    csrf: String,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LinkQuery {
    token: Option<String>,
}

/// A path on this site to go to after sign-in; anything else (another origin, a
/// scheme-relative `//host`, odd characters) becomes the overview.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 2048
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The sign-in page with a fresh form token (and its cookie).
fn form_page(
    state: &AppState,
    next: String,
    error: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let csrf = session::new_token()?;
    let mut resp = render(&SignInPage {
        chrome: Chrome::signed_out(),
        csrf: csrf.clone(),
        next,
        error,
    })?;
    *resp.status_mut() = status;
    let cookies = Cookies::for_state(state);
    resp.headers_mut().append(
        SET_COOKIE,
        cookies.set(cookies.signin_name(), &csrf, FORM_LIFETIME),
    );
    Ok(resp)
}

/// `GET /signin`.
pub(crate) async fn form(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
) -> Result<Response, ApiError> {
    form_page(&state, safe_next(q.next.as_deref()), None, StatusCode::OK)
}

/// A started session: go to `next` with the session cookie (and drop the form token).
fn signed_in(state: &AppState, set_session: axum::http::HeaderValue, next: &str) -> Response {
    let cookies = Cookies::for_state(state);
    let mut resp = Redirect::to(next).into_response();
    resp.headers_mut().append(SET_COOKIE, set_session);
    resp.headers_mut()
        .append(SET_COOKIE, cookies.clear(cookies.signin_name()));
    resp
}

/// `POST /signin`: check the form token, then the key as the API does, then start a
/// new session (ending any the browser brought).
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    let cookies = Cookies::for_state(&state);
    let form: SignInForm = serde_urlencoded::from_bytes(&body)
        .map_err(|_| ApiError::validation("The sign-in form is incomplete."))?;
    let next = safe_next(form.next.as_deref());
    let expected = cookie(&headers, cookies.signin_name()).unwrap_or_default();
    if expected.is_empty() || !same_token(&form.csrf, expected) {
        return form_page(
            &state,
            next,
            Some("The sign-in form expired; please sign in again."),
            StatusCode::FORBIDDEN,
        );
    }
    let key = form.api_key.trim();
    let caller = if key.starts_with(KEY_PREFIX) && key.len() <= 128 {
        state.store.lookup_api_key(&hash_key(key)).await?
    } else {
        None
    };
    let Some(caller) = caller else {
        tracing::info!("dashboard sign-in refused");
        return form_page(
            &state,
            next,
            Some("Invalid or expired API key."),
            StatusCode::UNAUTHORIZED,
        );
    };
    let presented = cookie(&headers, cookies.session_name());
    let set = session::start(&state, &caller, presented).await?;
    Ok(signed_in(&state, set, &next))
}

/// `GET /signin/link?token=…`: a one-time link (from `postq demo`) signs in once.
pub(crate) async fn link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LinkQuery>,
) -> Result<Response, ApiError> {
    let now = ids::format_ts(OffsetDateTime::now_utc());
    let key_id = match q.token.as_deref() {
        Some(t) if !t.is_empty() && t.len() <= 128 => {
            state.store.take_signin_link(&token_hash(t), &now).await?
        }
        _ => None,
    };
    let caller = match key_id {
        Some(id) => state.store.active_key(&id).await?,
        None => None,
    };
    let Some(caller) = caller else {
        return form_page(
            &state,
            "/".to_owned(),
            Some("This sign-in link is unknown, already used or expired; sign in with an API key."),
            StatusCode::UNAUTHORIZED,
        );
    };
    let cookies = Cookies::for_state(&state);
    let set = session::start(&state, &caller, cookie(&headers, cookies.session_name())).await?;
    Ok(signed_in(&state, set, "/"))
}

/// `POST /signout` (CSRF-checked by the layer): end the session, clear the cookie.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, ApiError> {
    session.end(&state.store).await?;
    let cookies = Cookies::for_state(&state);
    let mut resp = Redirect::to("/signin").into_response();
    resp.headers_mut()
        .append(SET_COOKIE, cookies.clear(cookies.session_name()));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/scans/scan_1?x=1")), "/scans/scan_1?x=1");
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/a b",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
