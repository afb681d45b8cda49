//! Print the JSON Schema of every wire type and command (`schema/postq.schema.json`).
//!
//!     cargo run -p postq-bindings-common --features schema --bin postq-schema > schema/postq.schema.json

use std::io::Write as _;

fn main() -> std::process::ExitCode {
    let text = postq_bindings_common::schema::document_text();
    match std::io::stdout().write_all(text.as_bytes()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("postq-schema: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
