//! `GET /v1/audit`: the organisation's hash-chained ledger rows, ascending by `seq`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use postq::ledger::LedgerEntry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiQuery, decode_cursor, finish_page, page_limit};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::ids;
use crate::ledger::AuditFilter;

/// One ledger row (docs/formats.md §6); `postq::ledger::verify_chain` checks a page.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct AuditEntry {
    /// Position in the organisation's chain, from 1.
    pub seq: u64,
    /// `evt_…`
    pub id: String,
    pub org_id: String,
    /// `sign`, `verify`, `key.create`, `key.rotate`, `key.update`, …
    pub event_type: String,
    /// `apikey:ak_…`
    pub actor: String,
    pub resource_id: Option<String>,
    /// RFC 3339 UTC with milliseconds.
    pub occurred_at: String,
    /// Flat string map; sign/verify rows hold `payloadSha256`, never the payload.
    pub details: BTreeMap<String, String>,
    /// Hash of the row with `seq - 1` (64 zeros for the first row).
    pub prev_hash: String,
    /// SHA-256 of the canonical row, hex.
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditList {
    #[schema(value_type = Vec<AuditEntry>)]
    pub data: Vec<LedgerEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditParams {
    /// Only rows of this event type, e.g. `sign`.
    pub event_type: Option<String>,
    /// Only rows at or after this RFC 3339 time.
    pub since: Option<String>,
    /// Only rows before this RFC 3339 time.
    pub until: Option<String>,
    /// Page size, 1–100 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from a previous `nextCursor`.
    pub cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct AuditCursor {
    seq: u64,
}

/// List ledger rows, oldest first, filtered by event type and time, with cursor paging.
#[utoipa::path(get, path = "/v1/audit", tag = "audit", params(AuditParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of ledger rows", body = AuditList),
        (status = 400, description = "Bad filter, limit or cursor", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing audit:read", body = ErrorEnvelope),
    ))]
pub async fn list_audit(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<Json<AuditList>> {
    auth.require("audit:read")?;
    let limit = page_limit(params.limit)?;
    let time = |field: &str, v: Option<String>| -> Result<Option<String>, ApiError> {
        v.map(|s| {
            ids::parse_ts(&s)
                .ok_or_else(|| ApiError::validation(format!("{field} must be an RFC 3339 time.")))
        })
        .transpose()
    };
    if params
        .event_type
        .as_ref()
        .is_some_and(|t| t.is_empty() || t.len() > 64)
    {
        return Err(ApiError::validation(
            "eventType must be 1 to 64 characters.",
        ));
    }
    let filter = AuditFilter {
        event_type: params.event_type,
        since: time("since", params.since)?,
        until: time("until", params.until)?,
        after_seq: params
            .cursor
            .as_deref()
            .map(decode_cursor::<AuditCursor>)
            .transpose()?
            .map(|c| c.seq),
    };
    let mut rows = state
        .store
        .list_ledger(&auth.org_id, &filter, limit)
        .await?;
    let next_cursor = finish_page(&mut rows, limit, |r| AuditCursor { seq: r.seq });
    Ok(Json(AuditList {
        data: rows,
        next_cursor,
    }))
}
