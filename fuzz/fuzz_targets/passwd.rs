#![no_main]
//! Fuzz target `passwd`: see `mailops::fuzzing::passwd`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailops::fuzzing::passwd(data));
