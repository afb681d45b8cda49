//! Cursor pagination: one page, or every item as a stream that ends when the server
//! says so (`nextCursor: null`) — an empty page in the middle does not end it.

use std::future::Future;

use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::api::{AuditQuery, ListQuery};

/// A list query that carries a cursor.
pub(crate) trait Paged: Clone {
    fn set_cursor(&mut self, cursor: Option<String>);
}

impl Paged for ListQuery {
    fn set_cursor(&mut self, cursor: Option<String>) {
        self.cursor = cursor;
    }
}

impl Paged for AuditQuery {
    fn set_cursor(&mut self, cursor: Option<String>) {
        self.cursor = cursor;
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// Pass back as `cursor` for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// Every item of every page from `query.cursor` on, fetching lazily: `fetch` gets the
/// query with each page's cursor.
pub(crate) fn paginate<Q, T, F, Fut>(query: Q, fetch: F) -> impl Stream<Item = Result<T>>
where
    Q: Paged,
    F: Fn(Q) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    struct State<Q, T> {
        buffer: std::vec::IntoIter<T>,
        query: Q,
        done: bool,
    }
    let start = State {
        buffer: Vec::new().into_iter(),
        query,
        done: false,
    };
    stream::unfold((start, fetch), |(mut state, fetch)| async move {
        loop {
            if let Some(item) = state.buffer.next() {
                return Some((Ok(item), (state, fetch)));
            }
            if state.done {
                return None;
            }
            match fetch(state.query.clone()).await {
                Ok(page) => {
                    state.done = page.next_cursor.is_none();
                    state.query.set_cursor(page.next_cursor);
                    state.buffer = page.data.into_iter();
                }
                Err(e) => {
                    state.done = true;
                    return Some((Err(e), (state, fetch)));
                }
            }
        }
    })
}
