#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| postq_server::fuzzing::route_body(data));
