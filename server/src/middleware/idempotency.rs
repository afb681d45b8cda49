//! `Idempotency-Key` on writes: a retried request replays the first answer instead of
//! writing twice.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use postq::error::ErrorCode;
use tracing::Instrument;

use crate::app::AppState;
use crate::auth::AuthContext;
use crate::error::{ApiError, REQUEST_ID, current_request_id};
use crate::store::{IdemState, StoredResponse, WriteUnit};

/// Set by a handler whose response must not be replayed as is from the idempotency
/// store (a one-shot secret): this error is stored and replayed instead.
#[derive(Debug, Clone)]
pub(crate) struct ReplayInstead(pub(crate) ApiError);

/// `Idempotency-Key` on a write: the first request runs and its response (unless 5xx) is
/// stored; the same key with the same method, path and body replays that response with
/// `Idempotent-Replayed: true` and writes nothing; the same key with another request is
/// a 409 `idempotency_key_reused`; while the first is still running, 409
/// `idempotency_in_progress`. Keys are per API key and kept 24 hours.
pub(crate) async fn idempotency(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.run(req).await);
    }
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(next.run(req).await);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            )
        })?;
    let Some(ctx) = req.extensions().get::<AuthContext>().cloned() else {
        return Ok(next.run(req).await);
    };
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| ApiError::internal())?;
    // Keyed with a KEK-derived key: the stored fingerprint of a body holding a secret
    // (a vault seal) reveals nothing without the KEK.
    let fingerprint = state.kek.keyed_fingerprint(&[
        parts.method.as_str().as_bytes(),
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("")
            .as_bytes(),
        &bytes,
    ]);

    match state
        .store
        .idem_acquire(&ctx.api_key_id, &key, &fingerprint)
        .await?
    {
        IdemState::Acquired => {}
        IdemState::Mismatch => {
            return Err(ApiError::conflict(
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was used with a different request.",
            ));
        }
        IdemState::InProgress => {
            return Err(ApiError::conflict(
                ErrorCode::IdempotencyInProgress,
                "A request with this Idempotency-Key is still in progress.",
            ));
        }
        IdemState::Done {
            status,
            content_type,
            body,
        } => {
            let mut resp =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return Ok(resp);
        }
    }

    // The handler runs in a task of its own: if the client goes away mid-request, the
    // write still completes and its response is stored, so the client's retry with the
    // same key replays it instead of finding a key stuck "in progress" or writing twice.
    // It runs in a write unit: what it writes commits together with the stored answer.
    let store = state.store.clone();
    let api_key_id = ctx.api_key_id.clone();
    let request = Request::from_parts(parts, Body::from(bytes));
    let work = async move {
        let unit = WriteUnit::default();
        let resp = unit.run(next.run(request)).await;
        let (rparts, rbody) = resp.into_parts();
        let rbytes = match axum::body::to_bytes(rbody, usize::MAX).await {
            Ok(bytes) if !unit.lost_writes() => bytes,
            outcome => {
                if outcome.is_ok() {
                    tracing::error!("a write of this request was rolled back after another");
                }
                unit.discard();
                store.idem_abandon(&api_key_id, &key).await?;
                return Err(ApiError::internal());
            }
        };
        if rparts.status.is_server_error() {
            // 5xx answers are not stored and nothing the request wrote is kept, so a
            // retry runs again.
            unit.discard();
            store.idem_abandon(&api_key_id, &key).await?;
            return Ok(Response::from_parts(rparts, Body::from(rbytes)));
        }
        let instead = rparts
            .extensions
            .get::<ReplayInstead>()
            .map(|ReplayInstead(err)| (err.status.as_u16(), err.body_bytes()));
        let stored = match &instead {
            Some((status, body)) => StoredResponse {
                status: *status,
                content_type: Some("application/json"),
                body,
            },
            None => StoredResponse {
                status: rparts.status.as_u16(),
                content_type: rparts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok()),
                body: &rbytes,
            },
        };
        if let Err(e) = store
            .idem_finish(unit.finish(), &api_key_id, &key, &stored)
            .await
        {
            // Neither the writes nor the answer were committed: release the key.
            store.idem_abandon(&api_key_id, &key).await?;
            return Err(e.into());
        }
        Ok(Response::from_parts(rparts, Body::from(rbytes)))
    };
    let task = REQUEST_ID.scope(
        current_request_id(),
        work.instrument(tracing::Span::current()),
    );
    tokio::spawn(task).await.map_err(|_| ApiError::internal())?
}
