//! `GET /audit`: the organisation's ledger rows (the API's list, with its filters and
//! cursor) and a verification badge computed by core's verifiers: the whole hash chain,
//! and the latest signed checkpoint (the API's, checked against the API's ledger key
//! and against the Merkle root of the rows themselves).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use postq::ledger::{ChainReport, LedgerEntry, MerkleTree, verify_complete_chain};

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

/// The latest checkpoint and what checking it found.
pub(crate) struct CheckpointView {
    pub(crate) origin: String,
    pub(crate) size: u64,
    pub(crate) root: String,
    pub(crate) note: String,
    /// Both signature lines (Ed25519 and ML-DSA-65) verify with the ledger key.
    pub(crate) signed: bool,
    /// The root is the Merkle root of the first `size` rows of the verified chain.
    pub(crate) matches_rows: bool,
    pub(crate) problem: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    report: ChainReport,
    checkpoint: CheckpointView,
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
    let auth = || authorize::<auth::AuditRead>(&session.caller);
    let org_id = auth()?.org_id.clone();
    let axum::Json(page) = api::list_audit(State(state.clone()), auth()?, ApiQuery(params)).await?;
    // The checkpoint first: the rows read next are at least as many as it covers.
    let axum::Json(signed) = api::checkpoint(State(state.clone()), auth()?).await?;
    let axum::Json(key) = api::ledger_key(State(state.clone()), auth()?).await?;
    let rows = whole_chain(&state, &org_id).await?;
    let report = verify_complete_chain(&rows);
    let verified = key.verify_checkpoint(&signed.checkpoint);
    let covered = usize::try_from(signed.tree_size).unwrap_or(usize::MAX);
    let matches_rows = report.ok
        && rows.len() >= covered
        && MerkleTree::from_entries(rows.iter().take(covered)).root() == signed.root_hash;
    let checkpoint = CheckpointView {
        signed: verified.is_ok(),
        matches_rows: matches_rows && verified.is_ok(),
        problem: verified.err().map(|e| e.to_string()),
        origin: signed.origin,
        size: signed.tree_size,
        root: signed.root_hash.to_string(),
        note: signed.checkpoint,
    };
    render(&AuditPage {
        chrome: Chrome::new(&session, Section::Audit),
        report,
        checkpoint,
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
