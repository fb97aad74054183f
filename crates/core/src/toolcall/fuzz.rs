//! Property tests: no input, however broken, may panic the parser.

use super::cases::specs;
use super::*;
use proptest::prelude::*;

/// Fragments small models emit, so random mixes hit the interesting paths more often than
/// uniformly random text would.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    ":",
    ",",
    "\\",
    "\n",
    " ",
    "```",
    "```json\n",
    "<tool_call>",
    "</tool_call>",
    "<tool_use>",
    "</tool_use>",
    "<function=",
    "<parameter=",
    "</parameter>",
    ">",
    "</function>",
    "[TOOL_REQUEST]",
    "[END_TOOL_REQUEST]",
    "<think>",
    "</think>",
    "\"name\"",
    "\"arguments\"",
    "\"read\"",
    "\"path\"",
    "True",
    "None",
    "42",
    "-1e999",
    "\\u",
    "\\ud83d",
    "é",
    "😀",
    "\"\"\"",
    "/*",
    "//",
    "=",
    "edit",
    "null",
];

fn pieces() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
}

/// A long reply full of broken call starts must stay fast (the scan is capped, not quadratic).
#[test]
fn pathological_reply_is_linear() {
    let reply = "{\"name\": \"read\", \"arguments\": {\"path\": \"x".repeat(20_000);
    let fences = "```json\n{\"name\": \"read\", \"arguments\": {'".repeat(20_000);
    let started = std::time::Instant::now();
    for text in [&reply, &fences] {
        let mut stats = RepairStats::default();
        assert!(matches!(
            parse(text, "", &[], &specs(), &mut stats),
            Outcome::Invalid(_)
        ));
    }
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(s in any::<String>()) {
        let mut stats = RepairStats::default();
        let _ = parse(&s, &s, &[], &specs(), &mut stats);
        let _ = repair_json(&s);
    }

    #[test]
    fn model_like_fragments_never_panic(s in pieces(), r in pieces()) {
        let mut stats = RepairStats::default();
        let _ = parse(&s, &r, &[], &specs(), &mut stats);
        let _ = parse("", "", &[("read".into(), s.clone())], &specs(), &mut stats);
        let _ = repair_json(&s);
    }

    #[test]
    fn calls_are_never_empty(s in pieces()) {
        let mut stats = RepairStats::default();
        if let Outcome::Calls(calls) = parse(&s, "", &[], &specs(), &mut stats) {
            prop_assert!(!calls.is_empty());
        }
    }
}
