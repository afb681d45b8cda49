#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| postq::fuzzing::ledger_proof(data));
