//! Column auto-mapping on any header names (one per line): never a panic.
#![no_main]
use clvkit::ingest::mapping::auto_map;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let headers: Vec<&str> = input.split('\n').collect();
    let _ = auto_map(&headers, &[]);
});
