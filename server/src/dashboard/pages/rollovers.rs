//! Hybrid TLS rollovers: start one from an eligible finding (the one-shot bundle page),
//! the list, one rollover with its state machine drawn and its transition and rollback
//! buttons, and artifact downloads. Every action is the API's handler with the session's
//! caller: the same scope rule (`sign:write` or `rollover:write`), the same state
//! machine (`RolloverStatus::can_move_to`), the same ledger rows.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use postq::api::{
    CreateRolloverRequest, RollbackRequest, Rollover, RolloverCreated, RolloverStatus,
};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth;
use crate::dashboard::session::Session;
use crate::dashboard::view::{Chrome, Section, authorize, render, render_once, when};
use crate::error::ApiError;
use crate::routes::extract::{ApiQuery, OptionalJson, PathId};
use crate::routes::paging::ListParams;
use crate::routes::rollover::{self as api, DownloadParams};

#[derive(Deserialize)]
struct StartForm {
    hostname: String,
    #[serde(default)]
    observation_window_hours: Option<String>,
}

#[derive(Deserialize)]
struct TransitionForm {
    to: String,
}

/// A file offered for download straight from the page (the one-shot bundle is never
/// stored, so it cannot be fetched again later).
pub(crate) struct InlineFile {
    pub(crate) name: String,
    pub(crate) href: String,
}

fn data_url(content_type: &str, bytes: &[u8]) -> String {
    format!(
        "data:{content_type};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[derive(Template)]
#[template(path = "rollover_created.html")]
struct CreatedPage {
    chrome: Chrome,
    rollover: Rollover,
    private_key_pem: String,
    files: Vec<InlineFile>,
    scan_href: String,
}

/// A form's fields, decoded; a malformed form is a 400.
fn form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_urlencoded::from_bytes(body).map_err(|_| ApiError::validation("The form is incomplete."))
}

/// `POST /scans/{id}/findings/{finding}/rollover` (`sign:write` or `rollover:write`):
/// mint the hybrid certificate and show the one-shot bundle, once.
pub(crate) async fn start(
    State(state): State<AppState>,
    session: Session,
    Path((scan_id, finding_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::RolloverWrite>(&session.caller)?;
    let StartForm {
        hostname,
        observation_window_hours,
    } = form(&body)?;
    let window = match observation_window_hours.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(h) => Some(h.parse::<u32>().map_err(|_| {
            ApiError::validation("observationWindowHours must be a whole number of hours.")
        })?),
    };
    // The finding must be one of this scan's (the page's URL names both).
    let scan = super::scan::fetch(&state, &session, PathId::Id(scan_id)).await?;
    if !scan.findings.iter().any(|f| f.id == finding_id) {
        return Err(ApiError::not_found("Finding"));
    }
    let created = api::mint_rollover(
        &state,
        &auth,
        CreateRolloverRequest {
            finding_id,
            hostname,
            observation_window_hours: window,
        },
    )
    .await?;
    let bundle = serde_json::to_vec_pretty(&created).map_err(|_| ApiError::internal())?;
    let RolloverCreated {
        rollover,
        private_key_pem,
        files,
    } = created;
    let mut inline = vec![
        InlineFile {
            name: "postq-hybrid.pem".into(),
            href: data_url(
                "application/x-pem-file",
                rollover.certificate_pem.as_bytes(),
            ),
        },
        InlineFile {
            name: "postq-hybrid.key".into(),
            href: data_url("application/x-pem-file", private_key_pem.as_bytes()),
        },
        InlineFile {
            name: format!("postq-{}-bundle.json", rollover.hostname),
            href: data_url("application/json", &bundle),
        },
    ];
    let files: BTreeMap<String, String> = files;
    inline.extend(
        files
            .iter()
            .filter(|(n, _)| *n != "cert.pem")
            .map(|(name, text)| InlineFile {
                name: name.clone(),
                href: data_url("text/plain", text.as_bytes()),
            }),
    );
    render_once(&CreatedPage {
        chrome: Chrome::new(&session, Section::Rollovers),
        scan_href: format!("/scans/{}", rollover.scan_id),
        private_key_pem: private_key_pem.to_string(),
        files: inline,
        rollover,
    })
}

pub(crate) struct RolloverLine {
    pub(crate) href: String,
    pub(crate) id: String,
    pub(crate) hostname: String,
    pub(crate) status: &'static str,
    pub(crate) updated: String,
}

#[derive(Template)]
#[template(path = "rollovers.html")]
struct ListPage {
    chrome: Chrome,
    rollovers: Vec<RolloverLine>,
    next_href: Option<String>,
}

/// `GET /rollovers?cursor=…` (`sign:read` or `rollover:read`).
pub(crate) async fn list(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::RolloverRead>(&session.caller)?;
    let axum::Json(page) = api::list_rollovers(State(state), auth, ApiQuery(params)).await?;
    render(&ListPage {
        chrome: Chrome::new(&session, Section::Rollovers),
        rollovers: page
            .data
            .iter()
            .map(|r| RolloverLine {
                href: format!("/rollovers/{}", r.id),
                id: r.id.clone(),
                hostname: r.hostname.clone(),
                status: r.status.as_str(),
                updated: when(&r.updated_at),
            })
            .collect(),
        next_href: page.next_cursor.map(|c| {
            format!(
                "/rollovers?cursor={}",
                crate::dashboard::view::query_value(&c)
            )
        }),
    })
}

/// One state of the drawn state machine.
pub(crate) struct StateBox {
    pub(crate) name: &'static str,
    /// `current`, `passed` or `ahead`.
    pub(crate) class: &'static str,
    pub(crate) x: u32,
    pub(crate) y: u32,
}

#[derive(Template)]
#[template(path = "rollover.html")]
struct RolloverPage {
    chrome: Chrome,
    rollover: Rollover,
    states: Vec<StateBox>,
    history: Vec<(String, String, String)>,
    /// The forward step a button offers, when the key may move the rollover.
    next: Option<&'static str>,
    can_roll_back: bool,
    artifacts: Vec<(String, String)>,
}

/// The state machine's boxes, placed for the drawing: the four stages left to right,
/// `rolled_back` below them.
fn states(rollover: &Rollover) -> Vec<StateBox> {
    let visited = |s: RolloverStatus| rollover.history.iter().any(|h| h.to == s);
    RolloverStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (x, y) = if *s == RolloverStatus::RolledBack {
                (250, 120)
            } else {
                (10 + 170 * i as u32, 20)
            };
            StateBox {
                name: s.as_str(),
                class: if *s == rollover.status {
                    "current"
                } else if visited(*s) {
                    "passed"
                } else {
                    "ahead"
                },
                x,
                y,
            }
        })
        .collect()
}

/// `GET /rollovers/{id}` (`sign:read` or `rollover:read`).
pub(crate) async fn page(
    State(state): State<AppState>,
    session: Session,
    id: PathId,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::RolloverRead>(&session.caller)?;
    let axum::Json(rollover) = api::get_rollover(State(state), auth, id).await?;
    let may_move = auth::permits::<auth::RolloverWrite>(&session.caller);
    let next = rollover
        .status
        .next()
        .filter(|n| may_move && rollover.status.can_move_to(*n))
        .map(RolloverStatus::as_str);
    let can_roll_back = may_move && rollover.status.can_move_to(RolloverStatus::RolledBack);
    render(&RolloverPage {
        chrome: Chrome::new(&session, Section::Rollovers),
        states: states(&rollover),
        history: rollover
            .history
            .iter()
            .map(|h| {
                (
                    h.from.map_or("—", RolloverStatus::as_str).to_owned(),
                    h.to.as_str().to_owned(),
                    when(&h.at),
                )
            })
            .collect(),
        next,
        can_roll_back,
        artifacts: rollover
            .artifacts
            .iter()
            .map(|a| {
                (
                    a.clone(),
                    format!(
                        "/rollovers/{}/download?artifact={}",
                        rollover.id,
                        crate::dashboard::view::query_value(a)
                    ),
                )
            })
            .collect(),
        rollover,
    })
}

fn back_to(id: &str) -> Response {
    Redirect::to(&format!(
        "/rollovers/{}",
        crate::dashboard::view::query_value(id)
    ))
    .into_response()
}

/// `POST /rollovers/{id}/transition` (`sign:write` or `rollover:write`; form `to`):
/// the API's transition, body and all.
pub(crate) async fn transition(
    State(state): State<AppState>,
    session: Session,
    id: PathId,
    body: Bytes,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::RolloverWrite>(&session.caller)?;
    let id = id.into_id()?;
    let TransitionForm { to } = form(&body)?;
    let json =
        serde_json::to_vec(&serde_json::json!({ "to": to })).map_err(|_| ApiError::internal())?;
    let axum::Json(_moved) = api::transition_rollover(
        State(state),
        auth,
        PathId::Id(id.clone()),
        Bytes::from(json),
    )
    .await?;
    Ok(back_to(&id))
}

/// `POST /rollovers/{id}/rollback` (`sign:write` or `rollover:write`).
pub(crate) async fn rollback(
    State(state): State<AppState>,
    session: Session,
    id: PathId,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::RolloverWrite>(&session.caller)?;
    let id = id.into_id()?;
    let axum::Json(_rolled_back) = api::rollback_rollover(
        State(state),
        auth,
        PathId::Id(id.clone()),
        OptionalJson(RollbackRequest {}),
    )
    .await?;
    Ok(back_to(&id))
}

/// `GET /rollovers/{id}/download?artifact=…` (`sign:read` or `rollover:read`): the
/// API's download, as an attachment.
pub(crate) async fn download(
    State(state): State<AppState>,
    session: Session,
    id: PathId,
    params: ApiQuery<DownloadParams>,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::RolloverRead>(&session.caller)?;
    api::download_artifact(State(state), auth, id, params).await
}
