//! Cursor pagination: one page, or every item as a stream that ends when the server
//! says so (`nextCursor: null`) — an empty page in the middle does not end it.

use std::future::Future;

use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};

use crate::Result;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// Pass back as `cursor` for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// Every item of every page, fetching lazily.
pub(crate) fn paginate<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T>>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    struct State<T> {
        buffer: std::vec::IntoIter<T>,
        cursor: Option<String>,
        done: bool,
    }
    let start = State {
        buffer: Vec::new().into_iter(),
        cursor: None,
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
            match fetch(state.cursor.take()).await {
                Ok(page) => {
                    state.done = page.next_cursor.is_none();
                    state.cursor = page.next_cursor;
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
