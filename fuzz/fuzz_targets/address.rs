#![no_main]
//! Fuzz target `address`: see `mailops::fuzzing::address`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailops::fuzzing::address(data));
