//! `GET /vault`: credential metadata (names, types, value names, versions, expiry,
//! sealing-key fingerprints). Values are never fetched: this page calls the API's list,
//! which returns metadata only, with the API's `vault:read` rule and its uniform 403
//! (and `vault.denied` ledger row) for a key without it.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::app::AppState;
use crate::dashboard::session::Session;
use crate::dashboard::view::{Chrome, Section, query_value, render, when};
use crate::error::ApiError;
use crate::routes::extract::ApiQuery;
use crate::routes::paging::ListParams;
use crate::routes::vault as api;

pub(crate) struct CredentialLine {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) credential_type: String,
    pub(crate) value_names: String,
    pub(crate) version: u32,
    pub(crate) created: String,
    pub(crate) rotated: Option<String>,
    pub(crate) expires: Option<String>,
    pub(crate) fingerprint: Option<String>,
}

#[derive(Template)]
#[template(path = "vault.html")]
struct VaultPage {
    chrome: Chrome,
    credentials: Vec<CredentialLine>,
    next_href: Option<String>,
}

/// `GET /vault?cursor=…` (`vault:read`).
pub(crate) async fn list(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let axum::Json(page) =
        api::list_credentials(State(state), session.caller.clone(), ApiQuery(params)).await?;
    render(&VaultPage {
        chrome: Chrome::new(&session, Section::Vault),
        credentials: page
            .data
            .into_iter()
            .map(|c| CredentialLine {
                value_names: c.keys.join(", "),
                created: when(&c.created_at),
                rotated: c.rotated_at.as_deref().map(when),
                expires: c.expires_at.as_deref().map(when),
                fingerprint: c.seal_public_key_fingerprint,
                id: c.id,
                name: c.name,
                credential_type: c.credential_type,
                version: c.version,
            })
            .collect(),
        next_href: page
            .next_cursor
            .map(|c| format!("/vault?cursor={}", query_value(&c))),
    })
}
