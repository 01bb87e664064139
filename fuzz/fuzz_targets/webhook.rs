#![no_main]
//! Fuzz target `webhook`: see `mailops::fuzzing::webhook`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailops::fuzzing::webhook(data));
