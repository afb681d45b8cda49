//! `GET /scans/{id}`: the page every scan's permalink (`url`) points to — the scan,
//! its findings with their evidence and, on a finding that can start one, the Hybrid
//! TLS rollover action (for keys that may create rollovers).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use postq::api::Scan;

use super::overview::history_href;
use crate::app::AppState;
use crate::auth;
use crate::dashboard::session::Session;
use crate::dashboard::view::{
    Chrome, Section, authorize, render, risk_class, risk_name, score, severity_class,
    severity_name, when,
};
use crate::error::ApiError;
use crate::routes::extract::PathId;
use crate::routes::{rollover, scans};

pub(crate) struct FindingLine {
    pub(crate) id: String,
    pub(crate) severity: &'static str,
    pub(crate) class: &'static str,
    pub(crate) title: String,
    pub(crate) code: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) evidence: Option<String>,
    /// The finding can start a rollover and this key may start one.
    pub(crate) rollover_action: Option<String>,
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage {
    chrome: Chrome,
    scan: Scan,
    score: String,
    level: &'static str,
    level_class: &'static str,
    created: String,
    history_href: String,
    metadata: Option<String>,
    findings: Vec<FindingLine>,
    /// Findings that could start a rollover, were the key allowed to.
    eligible_without_scope: usize,
}

/// The scan of `id` in the caller's organisation, through the API's handler.
pub(crate) async fn fetch(
    state: &AppState,
    session: &Session,
    id: PathId,
) -> Result<Scan, ApiError> {
    let auth = authorize::<auth::ScansRead>(&session.caller)?;
    let axum::Json(scan) = scans::get_scan(State(state.clone()), auth, id).await?;
    Ok(scan)
}

/// `GET /scans/{id}` (`scans:read`).
pub(crate) async fn page(
    State(state): State<AppState>,
    session: Session,
    id: PathId,
) -> Result<Response, ApiError> {
    let scan = fetch(&state, &session, id).await?;
    let may_roll = auth::permits::<auth::RolloverWrite>(&session.caller);
    let mut eligible_without_scope = 0;
    let findings = scan
        .findings
        .iter()
        .map(|f| {
            let eligible = rollover::eligible_finding(&scan.scan_type, f.code.as_deref());
            if eligible && !may_roll {
                eligible_without_scope += 1;
            }
            FindingLine {
                id: f.id.clone(),
                severity: severity_name(f.severity),
                class: severity_class(f.severity),
                title: f.title.clone(),
                code: f.code.clone(),
                description: f.description.clone(),
                evidence: f.evidence.clone(),
                rollover_action: (eligible && may_roll)
                    .then(|| format!("/scans/{}/findings/{}/rollover", scan.id, f.id)),
            }
        })
        .collect();
    let metadata = scan
        .metadata
        .as_object()
        .filter(|m| !m.is_empty())
        .and_then(|m| serde_json::to_string_pretty(m).ok());
    render(&ScanPage {
        chrome: Chrome::new(&session, Section::Targets),
        score: score(scan.risk_score),
        level: risk_name(scan.risk_level),
        level_class: risk_class(scan.risk_level),
        created: when(&scan.created_at),
        history_href: history_href(&scan.scan_type, &scan.target),
        metadata,
        findings,
        eligible_without_scope,
        scan,
    })
}
