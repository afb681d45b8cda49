//! `GET /targets`: scans grouped by target (one `type` + `target` pair), each with its
//! newest scan, its scan count and a trend of its recent risk scores; and
//! `GET /targets/history`: every scan of one target, newest first, with its trend.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::overview::{TargetLine, history_href};
use crate::app::AppState;
use crate::auth;
use crate::dashboard::charts;
use crate::dashboard::session::Session;
use crate::dashboard::view::{
    Chrome, Section, authorize, decode_cursor, encode_cursor, query_value, render, risk_class,
    risk_name, score, when,
};
use crate::error::ApiError;
use crate::routes::paging::finish_id_page;
use crate::store::RiskBucket;

/// Targets per page.
const TARGETS_PER_PAGE: u32 = 25;
/// Scans in a target's trend on the targets page.
const TREND_SCANS: u32 = 20;
/// Newest scans linked under each target.
const RECENT_LINKED: usize = 5;
/// Scans per page of a target's history.
const HISTORY_PER_PAGE: u32 = 50;

#[derive(Debug, Deserialize)]
pub(crate) struct TargetsQuery {
    after: Option<String>,
}

pub(crate) struct ScanLink {
    pub(crate) href: String,
    pub(crate) score: String,
    pub(crate) level: &'static str,
    pub(crate) class: &'static str,
    pub(crate) when: String,
}

pub(crate) struct TargetGroup {
    pub(crate) line: TargetLine,
    pub(crate) scans: u64,
    pub(crate) trend_svg: Option<String>,
    pub(crate) recent: Vec<ScanLink>,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    chrome: Chrome,
    groups: Vec<TargetGroup>,
    next_href: Option<String>,
}

fn link(s: &crate::store::ScanRecord) -> ScanLink {
    ScanLink {
        href: format!("/scans/{}", s.id),
        score: score(s.risk_score),
        level: risk_name(s.risk_level),
        class: risk_class(s.risk_level),
        when: when(&s.created_at),
    }
}

/// `GET /targets?after=…` (`scans:read`).
pub(crate) async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<TargetsQuery>,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::ScansRead>(&session.caller)?;
    let after: Option<(String, String)> = q.after.as_deref().map(decode_cursor).transpose()?;
    let mut page = state
        .store
        .targets_page(
            &auth.org_id,
            after.as_ref().map(|(t, n)| (t.as_str(), n.as_str())),
            TARGETS_PER_PAGE,
        )
        .await?;
    let more = page.len() > TARGETS_PER_PAGE as usize;
    page.truncate(TARGETS_PER_PAGE as usize);
    let next_href = more.then(|| page.last()).flatten().map(|t| {
        format!(
            "/targets?after={}",
            encode_cursor(&(&t.scan_type, &t.target))
        )
    });
    let mut groups = Vec::with_capacity(page.len());
    for t in &page {
        let mut recent = state
            .store
            .target_history(&auth.org_id, &t.scan_type, &t.target, None, TREND_SCANS)
            .await?;
        recent.truncate(TREND_SCANS as usize);
        let trend: Vec<f64> = recent.iter().rev().map(|s| s.risk_score).collect();
        let label = format!("Risk trend of the last {} scans", trend.len());
        let trend_svg = charts::sparkline(&trend, &label)
            .map_err(|e| tracing::error!(error = %e, "sparkline"))
            .ok();
        groups.push(TargetGroup {
            line: TargetLine::of(t),
            scans: t.scans,
            trend_svg,
            recent: recent.iter().take(RECENT_LINKED).map(link).collect(),
        });
    }
    render(&TargetsPage {
        chrome: Chrome::new(&session, Section::Targets),
        groups,
        next_href,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct HistoryQuery {
    #[serde(rename = "type")]
    scan_type: String,
    target: String,
    before: Option<String>,
}

#[derive(Template)]
#[template(path = "target_history.html")]
struct HistoryPage {
    chrome: Chrome,
    scan_type: String,
    target: String,
    scans: Vec<ScanLink>,
    chart_svg: Option<String>,
    next_href: Option<String>,
}

/// `GET /targets/history?type=…&target=…&before=…` (`scans:read`).
pub(crate) async fn history(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::ScansRead>(&session.caller)?;
    if q.before
        .as_deref()
        .is_some_and(|b| !crate::ids::is_id("scan", b))
    {
        return Err(ApiError::validation("The page cursor is not valid."));
    }
    let mut scans = state
        .store
        .target_history(
            &auth.org_id,
            &q.scan_type,
            &q.target,
            q.before.as_deref(),
            HISTORY_PER_PAGE,
        )
        .await?;
    let next = finish_id_page(&mut scans, HISTORY_PER_PAGE, |s| &s.id);
    if scans.is_empty() && q.before.is_none() {
        return Err(ApiError::not_found("Target"));
    }
    let next_href = next.and(scans.last()).map(|s| {
        format!(
            "{}&before={}",
            history_href(&q.scan_type, &q.target),
            query_value(&s.id)
        )
    });
    let points: Vec<RiskBucket> = scans
        .iter()
        .rev()
        .map(|s| RiskBucket {
            bucket: s.created_at.get(..16).unwrap_or(&s.created_at).to_owned(),
            scans: 1,
            mean_risk: s.risk_score,
        })
        .collect();
    let chart_svg = charts::risk_over_time(&points, "Risk score of each scan of this target")
        .map_err(|e| tracing::error!(error = %e, "target chart"))
        .ok();
    render(&HistoryPage {
        chrome: Chrome::new(&session, Section::Targets),
        scans: scans.iter().map(link).collect(),
        scan_type: q.scan_type,
        target: q.target,
        chart_svg,
        next_href,
    })
}
