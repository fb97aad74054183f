//! Tags extraction (syntax + graph/extract.rs) on random text as tsx, then the record through
//! the database codec.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::tags("tsx", data));
