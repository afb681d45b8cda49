//! One module per command group; each is a thin wrapper over a core call.

pub mod agent;
pub mod audit;
pub mod cert;
pub mod keys;
pub mod rollover;
pub mod scan;
pub mod scans;
#[cfg(feature = "server")]
pub mod server;
pub mod signing;
pub mod vault;

use std::future::Future;
use std::path::Path;

use futures_util::{Stream, TryStreamExt as _};
use postq::api::ListQuery;
use postq::client::Page;
use serde::Serialize;

use crate::args::ListArgs;
use crate::output::{Failure, Output, io_error};

/// `list` commands: one page (with the cursor for the next), or `--all` pages.
pub async fn emit_list<T, P, S>(
    args: ListArgs,
    out: &Output,
    line: impl Fn(&T) -> String,
    page: impl FnOnce(ListQuery) -> P,
    all: impl FnOnce(ListQuery) -> S,
) -> Result<(), Failure>
where
    T: Serialize,
    P: Future<Output = postq::Result<Page<T>>>,
    S: Stream<Item = postq::Result<T>>,
{
    let query = ListQuery {
        limit: args.limit,
        cursor: args.cursor,
        ..ListQuery::default()
    };
    if args.all {
        let items: Vec<T> = all(query).try_collect().await?;
        out.emit(&items, |items| {
            items.iter().map(&line).collect::<Vec<_>>().join("\n")
        });
    } else {
        let page = page(query).await?;
        out.emit(&page, |p| {
            let mut lines: Vec<String> = p.data.iter().map(&line).collect();
            if let Some(cursor) = &p.next_cursor {
                lines.push(format!("more: --cursor {cursor}"));
            }
            lines.join("\n")
        });
    }
    Ok(())
}

/// Read a file, or stdin for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| io_error("stdin", path, e))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| io_error("input file", path, e))
}

/// Read a text file and trim surrounding whitespace (signatures and keys saved by
/// editors gain a trailing newline; the core's parsers are strict).
pub fn read_text(path: &Path) -> Result<String, Failure> {
    let bytes = read_input(path)?;
    String::from_utf8(bytes)
        .map(|s| s.trim().to_owned())
        .map_err(|_| {
            Failure::Error(postq::Error::InvalidInput {
                what: "text file",
                reason: format!("{} is not UTF-8", path.display()),
            })
        })
}

pub fn write_file(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, contents).map_err(|e| io_error("output file", path, e))
}
