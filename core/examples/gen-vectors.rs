//! Writes `tests/vectors/*.json` from fixed seeds:
//! `cargo run -p postq --example gen-vectors`. The `vectors` test fails if the
//! committed files differ from what this produces.

#[path = "../tests/support/vectors.rs"]
#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
mod vectors;

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    std::fs::create_dir_all(&dir)?;
    for (name, value) in vectors::build_all() {
        let text = serde_json::to_string_pretty(&value)? + "\n";
        std::fs::write(dir.join(name), text)?;
        println!("wrote tests/vectors/{name}");
    }
    Ok(())
}
