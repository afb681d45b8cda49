//! The dashboard: server-rendered pages for the scans, targets, rollovers, keys, vault
//! and audit ledger of the signed-in API key's organisation (docs/dashboard.md).
//!
//! A browser signs in with an API key and gets a server-side session; from then on the
//! session stands for that key. Every page calls the same handlers, scope checks and
//! rate limits as the JSON API (`routes/`, `auth::Authorized`, `middleware::rate_limit`):
//! the dashboard is an HTML view over the API, not a second implementation.
//!
//! Layers, outermost first: security headers and HTML error pages (`security`), the
//! session (`session::require_session`, which also puts the caller where the API's
//! extractors look), the API's rate limits, then the CSRF check of state-changing forms
//! (`csrf`).

mod charts;
mod csrf;
mod pages;
mod readiness;
mod security;
mod session;
mod view;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::middleware;

pub(crate) use session::create_signin_link;

/// The dashboard's routes with their layers, to be merged into the app's router.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .route("/", get(pages::overview::page))
        .route("/targets", get(pages::targets::list))
        .route("/targets/history", get(pages::targets::history))
        .route("/scans/{id}", get(pages::scan::page))
        .route(
            "/scans/{id}/findings/{finding}/rollover",
            post(pages::rollovers::start),
        )
        .route("/rollovers", get(pages::rollovers::list))
        .route("/rollovers/{id}", get(pages::rollovers::page))
        .route(
            "/rollovers/{id}/transition",
            post(pages::rollovers::transition),
        )
        .route("/rollovers/{id}/rollback", post(pages::rollovers::rollback))
        .route("/rollovers/{id}/download", get(pages::rollovers::download))
        .route("/keys", get(pages::keys::list))
        .route("/keys/{id}", get(pages::keys::page))
        .route("/keys/{id}/public", get(pages::keys::public))
        .route("/vault", get(pages::vault::list))
        .route("/audit", get(pages::audit::page))
        .route("/signout", post(pages::signin::sign_out))
        .layer(from_fn(csrf::require_token))
        .layer(from_fn_with_state(state.clone(), middleware::rate_limit))
        .layer(from_fn_with_state(state.clone(), session::require_session));
    Router::new()
        .route(
            "/signin",
            get(pages::signin::form).post(pages::signin::sign_in),
        )
        .route("/signin/link", get(pages::signin::link))
        .route("/static/dashboard.css", get(security::stylesheet))
        .merge(signed_in)
        .layer(from_fn(security::html_errors))
        .layer(from_fn(security::headers))
}
