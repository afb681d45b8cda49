//! Server-side sessions: a 256-bit random token in a cookie (`HttpOnly`,
//! `SameSite=Strict`, `Secure` and the `__Host-` prefix when the dashboard is served
//! over https), only its SHA-256 in the database, an idle and an absolute expiry, a new
//! token at every sign-in, and one-time sign-in links.

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::app::AppState;
use crate::auth::{AuthContext, hash_key};
use crate::error::ApiError;
use crate::ids;
use crate::store::{SessionRecord, Store, StoreError};

/// A session ends this long after its last request.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// …and this long after sign-in, whatever its activity.
pub(crate) const ABSOLUTE_LIFETIME: Duration = Duration::hours(12);
/// A one-time sign-in link is good for this long.
pub(crate) const LINK_LIFETIME: Duration = Duration::minutes(15);
/// Activity is written back at most this often (a page view is otherwise read-only).
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A fresh random token: 32 bytes, lowercase hex.
pub(crate) fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| ApiError::internal())?;
    Ok(hex::encode(bytes))
}

/// What the database keeps of a token.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The signed-in caller of a dashboard request, put in the request's extensions by
/// [`require_session`] (next to the [`AuthContext`] the API's extractors read).
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) caller: AuthContext,
    /// The token that state-changing forms of this session must carry.
    pub(crate) csrf: String,
    token_hash: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("caller", &self.caller)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// End this session (sign-out).
    pub(crate) async fn end(&self, store: &Store) -> Result<(), StoreError> {
        store.delete_session(&self.token_hash).await
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Session {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("Sign in first."))
    }
}

/// The cookie names: with the `__Host-` prefix (which browsers accept only with
/// `Secure`, `Path=/` and no `Domain`) when served over https.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cookies {
    secure: bool,
}

impl Cookies {
    pub(crate) fn for_state(state: &AppState) -> Self {
        Self {
            secure: state.dashboard_base.starts_with("https://"),
        }
    }

    pub(crate) fn session_name(self) -> &'static str {
        if self.secure {
            "__Host-postq_session"
        } else {
            "postq_session"
        }
    }

    pub(crate) fn signin_name(self) -> &'static str {
        if self.secure {
            "__Host-postq_signin"
        } else {
            "postq_signin"
        }
    }

    fn attributes(self) -> &'static str {
        if self.secure {
            "; Path=/; HttpOnly; SameSite=Strict; Secure"
        } else {
            "; Path=/; HttpOnly; SameSite=Strict"
        }
    }

    /// `Set-Cookie` for `name=value`, living `max_age`.
    pub(crate) fn set(self, name: &str, value: &str, max_age: Duration) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "{name}={value}; Max-Age={}{}",
            max_age.whole_seconds(),
            self.attributes()
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// `Set-Cookie` that deletes `name`.
    pub(crate) fn clear(self, name: &str) -> HeaderValue {
        self.set(name, "", Duration::ZERO)
    }
}

/// The value of cookie `name` in a request, if any.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether a stored session is still live at `now`.
pub(crate) fn is_live(record: &SessionRecord, now: OffsetDateTime) -> bool {
    let now_text = ids::format_ts(now);
    let idle_cutoff = ids::format_ts(now - IDLE_TIMEOUT);
    record.expires_at > now_text && record.last_seen_at >= idle_cutoff
}

/// Start a session for `caller`: a new token (never one the browser brought, so a
/// session id planted before sign-in is worthless), stored hashed. Any session the
/// browser presented is ended. Returns the `Set-Cookie` value.
pub(crate) async fn start(
    state: &AppState,
    caller: &AuthContext,
    presented: Option<&str>,
) -> Result<HeaderValue, ApiError> {
    let store = &state.store;
    let now = OffsetDateTime::now_utc();
    if let Some(old) = presented {
        store.delete_session(&token_hash(old)).await?;
    }
    store
        .purge_sessions(&ids::format_ts(now), &ids::format_ts(now - IDLE_TIMEOUT))
        .await?;
    let token = new_token()?;
    store
        .insert_session(
            &token_hash(&token),
            &caller.api_key_id,
            &ids::format_ts(now),
            &ids::format_ts(now + ABSOLUTE_LIFETIME),
        )
        .await?;
    tracing::info!(api_key = %caller.api_key_id, "dashboard session started");
    let cookies = Cookies::for_state(state);
    Ok(cookies.set(cookies.session_name(), &token, ABSOLUTE_LIFETIME))
}

/// A one-time sign-in link for the holder of `api_key` (plaintext `pq_live_…`):
/// `<dashboard>/signin/link?token=…`, good once, for [`LINK_LIFETIME`]. `None` when the
/// key is not an active one.
pub(crate) async fn create_signin_link(
    store: &Store,
    dashboard_base: &str,
    api_key: &str,
) -> Result<Option<String>, StoreError> {
    let Some(caller) = store.lookup_api_key(&hash_key(api_key)).await? else {
        return Ok(None);
    };
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| StoreError::Crypto)?;
    let token = hex::encode(bytes);
    let expires = ids::format_ts(OffsetDateTime::now_utc() + LINK_LIFETIME);
    store
        .insert_signin_link(&token_hash(&token), &caller.api_key_id, &expires)
        .await?;
    Ok(Some(format!("{dashboard_base}/signin/link?token={token}")))
}

/// Where a signed-out request is sent: the sign-in page, then back to a GET's page.
fn to_sign_in(req: &Request) -> Response {
    let next = if req.method() == Method::GET {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned())
    } else {
        "/".to_owned()
    };
    let target = format!("/signin?next={}", super::view::query_value(&next));
    Redirect::to(&target).into_response()
}

/// Middleware: the request's session, or a redirect to the sign-in page (clearing a
/// stale cookie). A live session puts its caller where the API's extractors and rate
/// limiter look for one.
pub(crate) async fn require_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let cookies = Cookies::for_state(&state);
    let Some(token) = cookie(req.headers(), cookies.session_name()).map(str::to_owned) else {
        return Ok(to_sign_in(&req));
    };
    let hash = token_hash(&token);
    let now = OffsetDateTime::now_utc();
    let record = state.store.session(&hash).await?;
    let Some(record) = record.filter(|r| is_live(r, now)) else {
        state.store.delete_session(&hash).await?;
        let mut resp = to_sign_in(&req);
        resp.headers_mut()
            .append(SET_COOKIE, cookies.clear(cookies.session_name()));
        return Ok(resp);
    };
    if record.last_seen_at < ids::format_ts(now - TOUCH_EVERY) {
        state
            .store
            .touch_session(&hash, &ids::format_ts(now))
            .await?;
    }
    tracing::Span::current().record("api_key", record.caller.api_key_id.as_str());
    let session = Session {
        csrf: super::csrf::token_for(&token),
        caller: record.caller.clone(),
        token_hash: hash,
    };
    req.extensions_mut().insert(record.caller);
    req.extensions_mut().insert(session);
    Ok(next.run(req).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(last_seen: OffsetDateTime, expires: OffsetDateTime) -> SessionRecord {
        SessionRecord {
            caller: AuthContext {
                api_key_id: "ak_1".into(),
                org_id: "org_1".into(),
                scopes: vec![],
            },
            last_seen_at: ids::format_ts(last_seen),
            expires_at: ids::format_ts(expires),
        }
    }

    #[test]
    fn sessions_expire_when_idle_and_at_their_absolute_end() {
        let now = OffsetDateTime::now_utc();
        let fresh = record(now, now + ABSOLUTE_LIFETIME);
        assert!(is_live(&fresh, now));
        // Idle for just under / just over the limit.
        let idle = record(
            now - IDLE_TIMEOUT + Duration::seconds(1),
            now + Duration::hours(1),
        );
        assert!(is_live(&idle, now));
        let idle = record(
            now - IDLE_TIMEOUT - Duration::seconds(1),
            now + Duration::hours(1),
        );
        assert!(!is_live(&idle, now));
        // Active a second ago, but past the absolute end.
        let old = record(now - Duration::seconds(1), now - Duration::milliseconds(1));
        assert!(!is_live(&old, now));
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_https() {
        let plain = Cookies { secure: false };
        let set = plain.set(plain.session_name(), "abc", Duration::hours(1));
        assert_eq!(
            set.to_str().unwrap(),
            "postq_session=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict"
        );
        let tls = Cookies { secure: true };
        let set = tls.set(tls.session_name(), "abc", Duration::hours(1));
        assert_eq!(
            set.to_str().unwrap(),
            "__Host-postq_session=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(
            tls.clear(tls.session_name())
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn cookie_values_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_static("a=1; postq_session=tok; b=2"),
        );
        assert_eq!(cookie(&h, "postq_session"), Some("tok"));
        assert_eq!(cookie(&h, "postq"), None);
    }

    #[tokio::test]
    async fn sign_in_links_work_once() {
        let store = Store::open_memory().await.unwrap();
        let org = store.ensure_org("o").await.unwrap();
        let key = store
            .create_api_key(&org, "k", crate::auth::Scope::DEFAULT)
            .await
            .unwrap();
        assert!(
            create_signin_link(&store, "http://x", "pq_live_nope")
                .await
                .unwrap()
                .is_none()
        );
        let link = create_signin_link(&store, "http://x", &key.key)
            .await
            .unwrap()
            .unwrap();
        let token = link.split_once("token=").unwrap().1;
        let now = ids::now();
        assert_eq!(
            store
                .take_signin_link(&token_hash(token), &now)
                .await
                .unwrap(),
            Some(key.id.clone())
        );
        assert_eq!(
            store
                .take_signin_link(&token_hash(token), &now)
                .await
                .unwrap(),
            None
        );
    }
}
