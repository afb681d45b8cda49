//! `GET /audit`: the organisation's ledger rows (the API's list, with its filters and
//! cursor) and a verification badge computed by core's verifier over the whole chain.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use postq::ledger::{ChainReport, LedgerEntry, verify_complete_chain};

use crate::app::AppState;
use crate::auth;
use crate::dashboard::session::Session;
use crate::dashboard::view::{Chrome, Section, authorize, query_value, render, when};
use crate::error::ApiError;
use crate::routes::audit::{self as api, AuditParams};
use crate::routes::extract::ApiQuery;
use crate::store::AuditFilter;

/// Rows read per query while verifying the whole chain.
const VERIFY_BATCH: u32 = 1000;

pub(crate) struct EntryLine {
    pub(crate) seq: u64,
    pub(crate) event_type: String,
    pub(crate) actor: String,
    pub(crate) resource: String,
    pub(crate) at: String,
    pub(crate) details: String,
    pub(crate) hash: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    report: ChainReport,
    entries: Vec<EntryLine>,
    next_href: Option<String>,
}

/// Every row of the organisation's chain, oldest first.
async fn whole_chain(state: &AppState, org_id: &str) -> Result<Vec<LedgerEntry>, ApiError> {
    let mut all: Vec<LedgerEntry> = Vec::new();
    loop {
        let filter = AuditFilter {
            after_seq: all.last().map(|e| e.seq),
            ..AuditFilter::default()
        };
        let mut rows = state
            .store
            .list_ledger(org_id, &filter, VERIFY_BATCH)
            .await?;
        let more = rows.len() > VERIFY_BATCH as usize;
        rows.truncate(VERIFY_BATCH as usize);
        all.extend(rows);
        if !more {
            return Ok(all);
        }
    }
}

/// `GET /audit?cursor=…&eventType=…` (`audit:read`).
pub(crate) async fn page(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Response, ApiError> {
    let auth = authorize::<auth::AuditRead>(&session.caller)?;
    let org_id = auth.org_id.clone();
    let axum::Json(page) = api::list_audit(State(state.clone()), auth, ApiQuery(params)).await?;
    let report = verify_complete_chain(&whole_chain(&state, &org_id).await?);
    render(&AuditPage {
        chrome: Chrome::new(&session, Section::Audit),
        report,
        entries: page
            .data
            .iter()
            .map(|e| EntryLine {
                seq: e.seq,
                event_type: e.event_type.as_str().to_owned(),
                actor: e.actor.clone(),
                resource: e.resource_id.clone().unwrap_or_default(),
                at: when(&e.occurred_at),
                details: e
                    .details
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                hash: e.hash.chars().take(16).collect(),
            })
            .collect(),
        next_href: page
            .next_cursor
            .map(|c| format!("/audit?cursor={}", query_value(&c))),
    })
}
