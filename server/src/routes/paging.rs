//! List routes: the query string read into core's [`ListQuery`], and keyset paging.
//!
//! Cursors are opaque to clients: `b64url(compact JSON)` of the last row's sort key,
//! e.g. `{"id":"scan_01J…"}` or `{"seq":42}` (docs/server.md, pagination).

use base64::Engine;
use postq::api::{Include, ListQuery};
use postq::error::ErrorCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::ApiError;

/// `?limit&cursor&include` of every list route, as the query string carries them; read
/// into core's [`ListQuery`] by [`ListParams::into_query`].
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Page size, 1–100 (default 50).
    limit: Option<i64>,
    /// Opaque cursor from a previous `nextCursor`.
    cursor: Option<String>,
    /// Extra fields per item, comma-separated, or `all`: scans take `findings` and
    /// `metadata`, keys take `versions`; other lists take none.
    include: Option<String>,
}

/// The page size when none is given.
pub(crate) const DEFAULT_LIMIT: u32 = 50;

impl ListParams {
    /// The page asked for in an id-ordered list whose ids start `prefix_` (`scan`,
    /// `hk`, …) and which can hydrate `supported` fields.
    pub(crate) fn page(self, supported: &[Include], prefix: &str) -> Result<Paging, ApiError> {
        let query = self.into_query(supported)?;
        Ok(Paging {
            limit: query.limit.unwrap_or(DEFAULT_LIMIT),
            before: id_cursor(query.cursor.as_deref(), prefix)?,
            include: query.include,
        })
    }

    /// Core's query, checked by core's rules against the fields this list can hydrate.
    fn into_query(self, supported: &[Include]) -> Result<ListQuery, ApiError> {
        let query = ListQuery {
            limit: Some(limit(self.limit)?),
            cursor: self.cursor,
            include: parse_include(self.include.as_deref(), supported)?,
        };
        query
            .validate(supported)
            .map_err(|e| ApiError::from_rule(&e))?;
        Ok(query)
    }
}

/// `limit` of a list route: 1–100, default 50 (the range is core's rule).
pub(crate) fn limit(limit: Option<i64>) -> Result<u32, ApiError> {
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(n) => u32::try_from(n).unwrap_or(0),
    };
    postq::api::ListQuery::limit(limit)
        .validate(&[])
        .map_err(|e| ApiError::from_rule(&e))?;
    Ok(limit)
}

/// `?include=a,b` (QuantumAPI's opt-in field hydration); `all` selects every field the
/// list supports. A name that is no field at all is a 400 here; one this list does not
/// support is refused by core's rule.
fn parse_include(include: Option<&str>, supported: &[Include]) -> Result<Vec<Include>, ApiError> {
    let mut out = Vec::new();
    for token in include
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if token == "all" {
            return Ok(supported.to_vec());
        }
        let field = Include::from_token(token).ok_or_else(|| {
            let names: Vec<&str> = supported.iter().map(|i| i.as_str()).collect();
            ApiError::validation(format!(
                "include: unknown field `{token}` (supported: {}, all).",
                names.join(", ")
            ))
        })?;
        if !out.contains(&field) {
            out.push(field);
        }
    }
    Ok(out)
}

fn encode_cursor<T: Serialize>(key: &T) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(key).unwrap_or_default())
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request(
        ErrorCode::InvalidCursor,
        "The cursor is not valid for this list.",
    )
}

pub(crate) fn decode_cursor<T: DeserializeOwned>(cursor: &str) -> Result<T, ApiError> {
    if cursor.len() > 512 {
        return Err(invalid_cursor());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .map_err(|_| invalid_cursor())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid_cursor())
}

/// The sort key of the id-ordered lists (scans, keys, credentials, rollovers).
#[derive(Serialize, Deserialize)]
struct IdCursor {
    id: String,
}

/// The `before` id of a keyset page: the cursor decoded and checked to name a row of
/// this list (`prefix_…`), so a cursor from another list is a clear 400.
fn id_cursor(cursor: Option<&str>, prefix: &str) -> Result<Option<String>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let cur: IdCursor = decode_cursor(cursor)?;
    if !crate::ids::is_id(prefix, &cur.id) {
        return Err(invalid_cursor());
    }
    Ok(Some(cur.id))
}

/// Stores fetch `limit + 1` rows; keep `limit` and return the next cursor when the
/// extra row shows there is more.
pub(crate) fn finish_page<T, K: Serialize>(
    rows: &mut Vec<T>,
    limit: u32,
    key: impl Fn(&T) -> K,
) -> Option<String> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    if more {
        rows.last().map(|r| encode_cursor(&key(r)))
    } else {
        None
    }
}

/// [`finish_page`] for the id-ordered lists.
pub(crate) fn finish_id_page<T>(
    rows: &mut Vec<T>,
    limit: u32,
    id: impl Fn(&T) -> &str,
) -> Option<String> {
    finish_page(rows, limit, |r| IdCursor {
        id: id(r).to_owned(),
    })
}

/// The most JSON a page's items may add up to. A page ends early (with a
/// `nextCursor`) once the next item would pass it, so no list answer can grow to
/// hundreds of megabytes (100 scans with 1000 findings each): `limit` is an upper
/// bound, and a page always holds at least one item. One item is bounded by the
/// request body limit it was stored under.
pub(crate) const PAGE_BUDGET_BYTES: usize = 4 * 1024 * 1024;

/// Counts the bytes written through it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn json_len<T: Serialize>(item: &T) -> usize {
    let mut count = ByteCount(0);
    match serde_json::to_writer(&mut count, item) {
        Ok(()) => count.0,
        Err(_) => usize::MAX,
    }
}

/// Fill an id-ordered page from `rows` as a store returned them (up to `limit + 1`),
/// turning each into its wire item with `build`, until `limit` items or
/// [`PAGE_BUDGET_BYTES`] of JSON; returns the items and the next cursor.
pub(crate) async fn budgeted_id_page<R, T: Serialize, F: Future<Output = Result<T, ApiError>>>(
    mut rows: Vec<R>,
    limit: u32,
    id: impl Fn(&R) -> &str,
    mut build: impl FnMut(R) -> F,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let mut data = Vec::with_capacity(rows.len());
    let mut used = 0usize;
    let mut last_id: Option<String> = None;
    for row in rows {
        let row_id = id(&row).to_owned();
        let item = build(row).await?;
        let size = json_len(&item);
        if !data.is_empty() && used.saturating_add(size) > PAGE_BUDGET_BYTES {
            return Ok((data, last_id.map(|id| encode_cursor(&IdCursor { id }))));
        }
        used = used.saturating_add(size);
        data.push(item);
        last_id = Some(row_id);
    }
    let next = if more {
        last_id.map(|id| encode_cursor(&IdCursor { id }))
    } else {
        None
    };
    Ok((data, next))
}

/// What a list query asks for once read: the page size and where it starts.
pub(crate) struct Paging {
    pub(crate) limit: u32,
    pub(crate) before: Option<String>,
    pub(crate) include: Vec<Include>,
}
