#![no_main]
//! Fuzz target `manifest`: see `mailops::fuzzing::manifest`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailops::fuzzing::manifest(data));
