//! `postq.h` is generated from this crate by cbindgen; this test regenerates it and
//! fails when the committed header differs (a changed signature without a new header).
//! `POSTQ_BLESS_HEADER=1 cargo test -p postq-ffi --test header` rewrites it.

use std::path::PathBuf;

#[test]
fn the_committed_header_is_what_cbindgen_generates() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .unwrap_or_else(|e| panic!("cbindgen.toml: {e}"));
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen: {e}"))
        .write(&mut generated);
    let path = crate_dir.join("postq.h");
    if std::env::var_os("POSTQ_BLESS_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("write postq.h: {e}"));
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "bindings-dotnet/ffi/postq.h is stale: run `POSTQ_BLESS_HEADER=1 cargo test -p postq-ffi --test header`\n--- generated ---\n{}",
        String::from_utf8_lossy(&generated)
    );
}
