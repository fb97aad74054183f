//! Graph record decoding (crates/core/src/graph/codec.rs, the redb `files` values) on random
//! bytes: a damaged value is an error, never a panic, and whatever decodes encodes back to the
//! same record.
#![no_main]

use smallcode_core::graph::codec::{decode, encode};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(rec) = decode(data) {
        let again = decode(&encode(&rec)).expect("a record this build wrote decodes");
        assert_eq!(again, rec);
    }
});
