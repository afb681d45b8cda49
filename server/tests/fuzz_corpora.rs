//! Replays every committed fuzz corpus (`fuzz/corpus/<target>/`) through the function
//! its cargo-fuzz target calls, so an input that once crashed, hung or broke an
//! invariant fails the ordinary test run. Fuzzing itself: `fuzz/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

type Target = fn(&[u8]);

/// Every fuzz target and the function it runs (the one definition is in
/// `postq::fuzzing` and `postq_server::fuzzing`).
const TARGETS: &[(&str, Target)] = &[
    ("signature_envelope", postq::fuzzing::signature_envelope),
    ("public_key", postq::fuzzing::public_key),
    ("sidecar", postq::fuzzing::sidecar),
    ("sealed_envelope", postq::fuzzing::sealed_envelope),
    ("ledger_chain", postq::fuzzing::ledger_chain),
    ("ledger_proof", postq::fuzzing::ledger_proof),
    ("route_body", postq_server::fuzzing::route_body),
    ("list_query", postq_server::fuzzing::list_query),
];

fn fuzz_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

#[test]
fn every_fuzz_target_has_a_replayed_corpus() {
    let mut declared: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.trim_end_matches(".rs").to_owned()
        })
        .collect();
    declared.sort();
    let mut known: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    known.sort();
    assert_eq!(
        declared, known,
        "fuzz/fuzz_targets and this table must agree"
    );
}

#[test]
fn replay_every_corpus() {
    let started = Instant::now();
    let mut total = 0;
    for (name, target) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(name);
        let entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        assert!(
            entries.len() >= 10,
            "{name}: a minimised corpus of at least 10 inputs is committed"
        );
        for path in entries {
            let data = std::fs::read(&path).unwrap();
            let t = Instant::now();
            target(&data);
            assert!(
                t.elapsed() < Duration::from_secs(2),
                "{}: took {:?}",
                path.display(),
                t.elapsed()
            );
            total += 1;
        }
    }
    eprintln!("replayed {total} corpus inputs in {:?}", started.elapsed());
}
