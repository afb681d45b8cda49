//! `GET /v1/audit`: the organisation's hash-chained ledger rows, ascending by `seq`;
//! and the ledger's Merkle tree: signed checkpoints, inclusion and consistency proofs and
//! the ledger key (docs/formats.md §7).

use axum::Json;
use axum::extract::State;
use postq::api::{ErrorEnvelope, SignedCheckpoint};
use postq::ledger::{
    Checkpoint, ConsistencyProof, EventType, InclusionProof, LedgerKey, Origin, sign_checkpoint,
};
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

impl AuditParams {
    /// The filter and page size asked for, each checked.
    pub(crate) fn into_filter(self) -> ApiResult<(AuditFilter, u32)> {
        let limit = limit(self.limit)?;
        if self
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
            event_type: self.event_type.as_deref().map(EventType::parse),
            since: time("since", self.since)?,
            until: time("until", self.until)?,
            after_seq: self
                .cursor
                .as_deref()
                .map(decode_cursor::<AuditCursor>)
                .transpose()?
                .map(|c| c.seq),
        };
        Ok((filter, limit))
    }
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
    let (filter, limit) = params.into_filter()?;
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

// ---- the ledger's Merkle tree: checkpoints, proofs and the key (docs/formats.md §7) ----

fn origin_of(state: &AppState, org_id: &str) -> ApiResult<Origin> {
    Origin::for_org(&state.config.ledger_name, org_id).map_err(|e| {
        tracing::error!(error = %e, "no ledger origin for this organisation");
        ApiError::internal()
    })
}

/// Sign the organisation's tree at its current size.
#[utoipa::path(get, path = "/v1/audit/checkpoint", tag = "audit",
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The latest signed checkpoint of the caller's ledger", body = SignedCheckpoint),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing audit:read", body = ErrorEnvelope),
    ))]
pub(crate) async fn checkpoint(
    State(state): State<AppState>,
    auth: Authorized<auth::AuditRead>,
) -> ApiResult<Json<SignedCheckpoint>> {
    let origin = origin_of(&state, &auth.org_id)?;
    let size = state.store.ledger_size(&auth.org_id).await?;
    let root = state.store.ledger_root(&auth.org_id, size).await?;
    let checkpoint = Checkpoint {
        origin: origin.clone(),
        size,
        root,
    };
    let note = sign_checkpoint(&state.ledger_key, &checkpoint).map_err(|e| {
        tracing::error!(error = %e, "signing a checkpoint failed");
        ApiError::internal()
    })?;
    Ok(Json(SignedCheckpoint {
        checkpoint: note,
        origin: origin.to_string(),
        tree_size: size,
        root_hash: root,
    }))
}

/// The public key that signs this organisation's checkpoints: what clients pin.
#[utoipa::path(get, path = "/v1/audit/ledger-key", tag = "audit",
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The ledger key: origin and the two signed-note verifier keys", body = LedgerKey),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing audit:read", body = ErrorEnvelope),
    ))]
pub(crate) async fn ledger_key(
    State(state): State<AppState>,
    auth: Authorized<auth::AuditRead>,
) -> ApiResult<Json<LedgerKey>> {
    let origin = origin_of(&state, &auth.org_id)?;
    Ok(Json(LedgerKey::new(origin, state.ledger_key.public_key())))
}

/// `GET /v1/audit/proofs/inclusion` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct InclusionParams {
    /// The row's `seq` (its leaf index + 1).
    seq: u64,
    /// The tree size of the checkpoint to prove against (`seq` ≤ treeSize ≤ current size).
    tree_size: u64,
}

/// Prove that a row is in the tree of a given size.
#[utoipa::path(get, path = "/v1/audit/proofs/inclusion", tag = "audit", params(InclusionParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "RFC 9162 inclusion proof", body = InclusionProof),
        (status = 400, description = "seq or treeSize out of range", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing audit:read", body = ErrorEnvelope),
    ))]
pub(crate) async fn inclusion_proof(
    State(state): State<AppState>,
    auth: Authorized<auth::AuditRead>,
    ApiQuery(params): ApiQuery<InclusionParams>,
) -> ApiResult<Json<InclusionProof>> {
    let size = state.store.ledger_size(&auth.org_id).await?;
    if params.seq == 0 || params.seq > params.tree_size || params.tree_size > size {
        return Err(ApiError::validation(format!(
            "Need 1 <= seq <= treeSize <= {size} (the ledger's current size)."
        )));
    }
    let proof = state
        .store
        .ledger_inclusion_proof(&auth.org_id, params.seq, params.tree_size)
        .await?;
    Ok(Json(proof))
}

/// `GET /v1/audit/proofs/consistency` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsistencyParams {
    /// The older tree size.
    #[serde(rename = "treeSize1")]
    #[param(rename = "treeSize1")]
    tree_size_1: u64,
    /// The newer tree size (treeSize1 ≤ treeSize2 ≤ current size).
    #[serde(rename = "treeSize2")]
    #[param(rename = "treeSize2")]
    tree_size_2: u64,
}

/// Prove that the tree of one size is a prefix of the tree of a larger size.
#[utoipa::path(get, path = "/v1/audit/proofs/consistency", tag = "audit", params(ConsistencyParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "RFC 9162 consistency proof", body = ConsistencyProof),
        (status = 400, description = "Sizes out of range", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing audit:read", body = ErrorEnvelope),
    ))]
pub(crate) async fn consistency_proof(
    State(state): State<AppState>,
    auth: Authorized<auth::AuditRead>,
    ApiQuery(params): ApiQuery<ConsistencyParams>,
) -> ApiResult<Json<ConsistencyProof>> {
    let size = state.store.ledger_size(&auth.org_id).await?;
    if params.tree_size_1 > params.tree_size_2 || params.tree_size_2 > size {
        return Err(ApiError::validation(format!(
            "Need treeSize1 <= treeSize2 <= {size} (the ledger's current size)."
        )));
    }
    let proof = state
        .store
        .ledger_consistency_proof(&auth.org_id, params.tree_size_1, params.tree_size_2)
        .await?;
    Ok(Json(proof))
}
