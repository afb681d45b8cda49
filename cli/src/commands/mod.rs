//! One module per command group; each is a thin wrapper over a core call.

pub mod audit;
pub mod cert;
pub mod keys;
pub mod rollover;
pub mod scans;
#[cfg(feature = "server")]
pub mod server;
pub mod signing;
pub mod vault;

use std::path::Path;

use crate::output::{Failure, io_error};

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
