//! Checker output (crates/agent/src/check.rs `parse`: errorformat-style `file:line:col: msg`
//! lines and Python tracebacks) on random text: never panics, and every diagnostic names a file.
#![no_main]

use smallcode_agent::check::parse;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for d in parse(&text) {
        assert!(!d.file.is_empty(), "a diagnostic without a file: {d:?}");
        let _ = d.to_string();
    }
});
