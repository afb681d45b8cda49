//! Managed signing keys: the list, one key with every version and its fingerprint, and
//! public key downloads (the published JSON, or a JWK Set) — the API's handlers, with
//! the session's caller.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use postq::api::HybridKey;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth;
use crate::dashboard::session::Session;
use crate::dashboard::view::{Chrome, Section, authorize, query_value, render, when};
use crate::error::ApiError;
use crate::ids;
use crate::routes::extract::{ApiQuery, PathId};
use crate::routes::keys::{self as api, PublicKeyParams};
use crate::routes::paging::ListParams;

pub(crate) struct KeyLine {
    pub(crate) href: String,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) algorithm: String,
    pub(crate) version: u32,
    pub(crate) min_version: u32,
    pub(crate) fingerprint: String,
    pub(crate) created: String,
}

impl KeyLine {
    fn of(k: &HybridKey) -> Self {
        Self {
            href: format!("/keys/{}", k.id),
            id: k.id.clone(),
            name: k.name.clone(),
            algorithm: k.algorithm.clone(),
            version: k.version,
            min_version: k.min_version,
            fingerprint: k.fingerprint.clone(),
            created: when(&k.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "keys.html")]
struct ListPage {
    chrome: Chrome,
    keys: Vec<KeyLine>,
    next_href: Option<String>,
}

/// `GET /keys?cursor=…` (`keys:read`).
pub(crate) async fn list(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::KeysRead>(&session.caller)?;
    let axum::Json(page) = api::list_keys(State(state), auth, ApiQuery(params)).await?;
    render(&ListPage {
        chrome: Chrome::new(&session, Section::Keys),
        keys: page.data.iter().map(KeyLine::of).collect(),
        next_href: page
            .next_cursor
            .map(|c| format!("/keys?cursor={}", query_value(&c))),
    })
}

pub(crate) struct VersionLine {
    pub(crate) version: u32,
    pub(crate) fingerprint: String,
    pub(crate) created: String,
    pub(crate) retired: bool,
    pub(crate) json_href: String,
    pub(crate) jwk_href: String,
}

#[derive(Template)]
#[template(path = "key.html")]
struct KeyPage {
    chrome: Chrome,
    key: KeyLine,
    rotated: Option<String>,
    versions: Vec<VersionLine>,
}

/// `GET /keys/{id}` (`keys:read`).
pub(crate) async fn page(
    State(state): State<AppState>,
    session: Session,
    id: PathId,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::KeysRead>(&session.caller)?;
    let axum::Json(key) = api::get_key(State(state), auth, id).await?;
    let href =
        |v: u32, format: &str| format!("/keys/{}/public?format={format}&version={v}", key.id);
    let mut versions: Vec<VersionLine> = key
        .versions
        .iter()
        .flatten()
        .map(|v| VersionLine {
            version: v.version,
            fingerprint: v.fingerprint.clone(),
            created: when(&v.created_at),
            retired: v.version < key.min_version,
            json_href: href(v.version, "json"),
            jwk_href: href(v.version, "jwk"),
        })
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    render(&KeyPage {
        chrome: Chrome::new(&session, Section::Keys),
        rotated: key.rotated_at.as_deref().map(when),
        key: KeyLine::of(&key),
        versions,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct FileName {
    format: Option<String>,
    version: Option<u32>,
}

/// `GET /keys/{id}/public?format=json|jwk&version=N` (`keys:read`): the API's public key
/// export, as a file to save.
pub(crate) async fn public(
    State(state): State<AppState>,
    session: Session,
    id: PathId,
    Query(name): Query<FileName>,
    params: ApiQuery<PublicKeyParams>,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::KeysRead>(&session.caller)?;
    let key_id = match &id {
        PathId::Id(k) if ids::is_id("hk", k) => k.clone(),
        _ => return Err(ApiError::not_found("Key")),
    };
    let mut resp = api::get_public_key(State(state), auth, id, params).await?;
    let version = name
        .version
        .map_or("latest".to_owned(), |v| format!("v{v}"));
    let suffix = match name.format.as_deref() {
        Some("jwk") => "jwks.json",
        _ => "pub.json",
    };
    let disposition = format!("attachment; filename=\"{key_id}-{version}.{suffix}\"");
    resp.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|_| ApiError::internal())?,
    );
    Ok(resp)
}
