//! The OpenAI-style SSE stream parser (crates/llm/src/sse.rs) on random bytes cut at random
//! places: never panics, and how the bytes are cut never changes what is read.
#![no_main]

#[path = "../common/mod.rs"]
mod common;

use smallcode_llm::sse::SseParser;

/// Events as comparable text (the error type is not `PartialEq`).
fn read(pieces: &[&[u8]]) -> Vec<String> {
    let mut p = SseParser::default();
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(p.push(piece));
    }
    out.extend(p.finish());
    let _ = p.is_done();
    out.iter()
        .map(|r| match r {
            Ok(e) => format!("{e:?}"),
            Err(e) => format!("error: {e}"),
        })
        .collect()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (pieces, whole) = common::pieces(data);
    assert_eq!(
        read(&pieces),
        read(&[whole]),
        "cutting the stream changed it"
    );
});
