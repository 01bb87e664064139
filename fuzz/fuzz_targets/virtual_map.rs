#![no_main]
//! Fuzz target `virtual_map`: see `mailops::fuzzing::virtual_map`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailops::fuzzing::virtual_map(data));
