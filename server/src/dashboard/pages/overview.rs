//! `GET /`: open findings by severity, targets at risk, the readiness score and risk
//! over time. "Open" means in the newest scan of each target: a target's older scans
//! are its history, the newest one is its state.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use postq::api::RolloverStatus;
use time::OffsetDateTime;

use crate::app::AppState;
use crate::auth;
use crate::dashboard::charts;
use crate::dashboard::readiness::{self, Inputs, Ratio, Readiness};
use crate::dashboard::session::Session;
use crate::dashboard::view::{
    self, Chrome, SEVERITIES, Section, authorize, render, risk_class, risk_name, score,
    severity_class, severity_name, when,
};
use crate::error::ApiError;
use crate::ids;
use crate::store::{BucketWidth, RiskBucket, TargetSummary};

/// How far back the risk chart looks.
const CHART_WINDOW: time::Duration = time::Duration::days(90);
/// Targets listed as at risk.
const AT_RISK_SHOWN: u32 = 10;
/// Finding codes listed.
const CODES_SHOWN: usize = 10;

pub(crate) struct SeverityCount {
    pub(crate) name: &'static str,
    pub(crate) class: &'static str,
    pub(crate) count: u64,
}

pub(crate) struct TargetLine {
    pub(crate) history_href: String,
    pub(crate) scan_href: String,
    pub(crate) scan_type: String,
    pub(crate) target: String,
    pub(crate) score: String,
    pub(crate) level: &'static str,
    pub(crate) class: &'static str,
    pub(crate) when: String,
}

impl TargetLine {
    pub(crate) fn of(t: &TargetSummary) -> Self {
        Self {
            history_href: history_href(&t.scan_type, &t.target),
            scan_href: format!("/scans/{}", t.latest_id),
            scan_type: t.scan_type.clone(),
            target: t.target.clone(),
            score: score(t.latest_risk_score),
            level: risk_name(t.latest_risk_level),
            class: risk_class(t.latest_risk_level),
            when: when(&t.latest_at),
        }
    }
}

/// The history page of one target.
pub(crate) fn history_href(scan_type: &str, target: &str) -> String {
    format!(
        "/targets/history?type={}&target={}",
        view::query_value(scan_type),
        view::query_value(target)
    )
}

pub(crate) struct CodeLine {
    pub(crate) code: String,
    pub(crate) findings: u64,
}

pub(crate) struct BucketLine {
    pub(crate) bucket: String,
    pub(crate) scans: u64,
    pub(crate) mean: String,
}

pub(crate) struct ComponentLine {
    pub(crate) name: &'static str,
    pub(crate) weight: u32,
    pub(crate) value: String,
    pub(crate) meaning: &'static str,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    chrome: Chrome,
    targets: u64,
    open_findings: u64,
    severities: Vec<SeverityCount>,
    at_risk_count: u64,
    at_risk: Vec<TargetLine>,
    codes: Vec<CodeLine>,
    score: Option<u32>,
    components: Vec<ComponentLine>,
    chart_svg: Option<String>,
    buckets: Vec<BucketLine>,
    bucket_unit: &'static str,
}

/// The bucket width for a span of time: a day beyond two days, else an hour beyond
/// three hours, else a minute (a fresh demo still gets a line).
fn bucket_width(span: time::Duration) -> BucketWidth {
    if span > time::Duration::days(2) {
        BucketWidth::Day
    } else if span > time::Duration::hours(3) {
        BucketWidth::Hour
    } else {
        BucketWidth::Minute
    }
}

/// The risk chart's buckets for an organisation, and their unit.
pub(crate) async fn risk_buckets(
    state: &AppState,
    org_id: &str,
) -> Result<(Vec<RiskBucket>, &'static str), ApiError> {
    let now = OffsetDateTime::now_utc();
    let since = ids::format_ts(now - CHART_WINDOW);
    let Some(first_hour) = state.store.first_scan_hour(org_id, &since).await? else {
        return Ok((Vec::new(), BucketWidth::Day.unit()));
    };
    let span = OffsetDateTime::parse(
        &format!("{first_hour}:00:00Z"),
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| now - t)
    .unwrap_or(CHART_WINDOW);
    let width = bucket_width(span);
    Ok((
        state.store.risk_buckets(org_id, &since, width).await?,
        width.unit(),
    ))
}

async fn readiness_of(state: &AppState, session: &Session) -> Result<Readiness, ApiError> {
    let caller = &session.caller;
    let store = &state.store;
    let org = &caller.org_id;
    let (endpoints, pq) = store
        .targets_with_codes(org, &readiness::KX_CODES, &readiness::KX_PQ_CODES)
        .await?;
    let (certs, pq_certs) = store
        .targets_with_codes(org, &readiness::CERT_CODES, &readiness::CERT_PQ_CODES)
        .await?;
    let keys = if auth::permits::<auth::KeysRead>(caller) {
        let (all, hybrid) = store
            .key_tally(&caller.org_id, postq::hybrid::ALGORITHM)
            .await?;
        Some(Ratio::new(hybrid, all))
    } else {
        None
    };
    let rollovers = if auth::permits::<auth::RolloverRead>(caller) {
        let tally = store.rollover_tally(&caller.org_id).await?;
        let all = tally.iter().map(|(_, n)| n).sum();
        let done = tally
            .iter()
            .filter(|(s, _)| *s == RolloverStatus::Completed)
            .map(|(_, n)| n)
            .sum();
        Some(Ratio::new(done, all))
    } else {
        None
    };
    Ok(readiness::score(&Inputs {
        endpoints: Ratio::new(pq, endpoints),
        certificates: Ratio::new(pq_certs, certs),
        keys,
        rollovers,
    }))
}

/// `GET /` (`scans:read`). A key without it is sent to the first page it may read.
pub(crate) async fn page(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, ApiError> {
    if !auth::permits::<auth::ScansRead>(&session.caller) {
        let chrome = Chrome::new(&session, Section::Overview);
        if let Some(first) = chrome.nav.first() {
            return Ok(Redirect::to(first.href).into_response());
        }
    }
    let auth = authorize::<auth::ScansRead>(&session.caller)?;
    let store = &state.store;
    let (target_count, at_risk_count) = store.target_counts(&auth.org_id).await?;
    let at_risk = store
        .riskiest_targets(&auth.org_id, AT_RISK_SHOWN)
        .await?
        .iter()
        .map(TargetLine::of)
        .collect();
    let tallies = store.tally_open_findings(&auth.org_id).await?;
    let readiness = readiness_of(&state, &session).await?;

    let severities: Vec<SeverityCount> = SEVERITIES
        .iter()
        .map(|s| SeverityCount {
            name: severity_name(*s),
            class: severity_class(*s),
            count: tallies
                .iter()
                .filter(|t| t.severity == *s)
                .map(|t| t.findings)
                .sum(),
        })
        .collect();
    let mut codes: Vec<CodeLine> = Vec::new();
    for t in tallies.iter().filter(|t| t.code.is_some()) {
        let code = t.code.clone().unwrap_or_default();
        match codes.iter_mut().find(|c| c.code == code) {
            Some(c) => c.findings += t.findings,
            None => codes.push(CodeLine {
                code,
                findings: t.findings,
            }),
        }
    }
    codes.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.code.cmp(&b.code)));
    codes.truncate(CODES_SHOWN);

    let (buckets, unit) = risk_buckets(&state, &auth.org_id).await?;
    let chart_svg = if buckets.is_empty() {
        None
    } else {
        charts::risk_over_time(&buckets, "Mean risk score of submitted scans over time")
            .map_err(|e| tracing::error!(error = %e, "risk chart"))
            .ok()
    };
    let page = OverviewPage {
        chrome: Chrome::new(&session, Section::Overview),
        targets: target_count,
        open_findings: severities.iter().map(|s| s.count).sum(),
        severities,
        at_risk_count,
        at_risk,
        codes,
        score: readiness.score,
        components: readiness
            .components
            .iter()
            .map(|c| ComponentLine {
                name: c.name,
                weight: c.weight,
                value: match (c.percent, c.ratio) {
                    (Some(p), Some(r)) => format!("{p}% ({} of {})", r.good, r.of),
                    (_, None) => "not visible to this key".to_owned(),
                    (None, Some(_)) => "no data yet".to_owned(),
                },
                meaning: c.meaning,
            })
            .collect(),
        chart_svg,
        buckets: buckets
            .iter()
            .map(|b| BucketLine {
                bucket: b.bucket.replace('T', " "),
                scans: b.scans,
                mean: score((b.mean_risk * 10.0).round() / 10.0),
            })
            .collect(),
        bucket_unit: unit,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_widen_with_the_span() {
        assert_eq!(
            bucket_width(time::Duration::minutes(5)),
            BucketWidth::Minute
        );
        assert_eq!(bucket_width(time::Duration::hours(5)), BucketWidth::Hour);
        assert_eq!(bucket_width(time::Duration::days(30)), BucketWidth::Day);
    }
}
