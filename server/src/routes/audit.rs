//! `GET /v1/audit`: the organisation's hash-chained ledger rows, ascending by `seq`.

use axum::Json;
use axum::extract::State;
use postq::api::ErrorEnvelope;
use postq::ledger::EventType;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::extract::ApiQuery;
use super::lists::AuditList;
use super::paging::{decode_cursor, finish_page, limit};
use crate::app::AppState;
use crate::auth::{self, Authorized};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::AuditFilter;

/// `GET /v1/audit` query, as the query string carries it (core's `AuditQuery` is the
/// same filter on the client side).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AuditParams {
    /// Only rows of this event type, e.g. `sign`.
    event_type: Option<String>,
    /// Only rows at or after this RFC 3339 time.
    since: Option<String>,
    /// Only rows before this RFC 3339 time.
    until: Option<String>,
    /// Page size, 1–100 (default 50).
    limit: Option<i64>,
    /// Opaque cursor from a previous `nextCursor`.
    cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct AuditCursor {
    seq: u64,
}

fn time(field: &str, value: Option<String>) -> ApiResult<Option<String>> {
    value
        .map(|s| {
            ids::parse_ts(&s)
                .ok_or_else(|| ApiError::validation(format!("{field} must be an RFC 3339 time.")))
        })
        .transpose()
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
pub(crate) async fn list_audit(
    State(state): State<AppState>,
    auth: Authorized<auth::AuditRead>,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<Json<AuditList>> {
    let limit = limit(params.limit)?;
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
        // Any type may be asked for: one this server does not write matches no row.
        event_type: params.event_type.as_deref().map(EventType::parse),
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
