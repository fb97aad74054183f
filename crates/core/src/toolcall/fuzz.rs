//! Property tests: no input, however broken, may panic the parser, and a repair is right or
//! refuses: broken versions of a known document read as that document or not at all.
//!
//! A failing case is saved to `proptest-regressions/toolcall.txt` (checked in) and replayed first
//! on every later run, so a failure found once is reproduced until fixed.

use super::cases::specs;
use super::repair::lenient_only;
use super::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::Value;

/// Where failing seeds are kept, relative to the crate (the directory `cargo test` runs in).
pub(crate) const REGRESSIONS: &str = "proptest-regressions/toolcall.txt";

/// `cases` per property, or more when `PROPTEST_CASES` asks for more: a long local hunt
/// (`PROPTEST_CASES=200000 cargo test -p smallcode-core --lib toolcall::fuzz`) before a change
/// lands, since CI draws new inputs on every run.
fn config(cases: u32) -> ProptestConfig {
    let asked = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0);
    ProptestConfig {
        cases: cases.max(asked),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        ..ProptestConfig::default()
    }
}

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

/// Text that code and prose put in strings, heavy on what the repair has to decide about.
fn text() -> impl Strategy<Value = String> {
    const BITS: &[&str] = &[
        "a", "b", "x1", " ", "\"", "'", ",", ":", "{", "}", "[", "]", "(", ")", "#", "/*", "*/",
        "//", "\n", "\\", "=", "it's", "é",
    ];
    prop::collection::vec(prop::sample::select(BITS), 0..8).prop_map(|v| v.concat())
}

/// JSON documents (objects at the top, as tool arguments are).
fn document() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        text().prop_map(Value::String),
        (-1000i64..1000).prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    let tree = leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map("[a-z]{1,3}", tree, 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// The repair of `broken` is `want` or a refusal, never a third value.
fn right_or_refused(broken: &str, want: &Value) -> Result<(), TestCaseError> {
    if let Ok((got, _)) = repair_json(broken) {
        prop_assert_eq!(&got, want, "{} read as another value", broken);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn lenient_reads_valid_json_as_serde_does(v in document(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) };
        let text = text.unwrap();
        prop_assert_eq!(lenient_only(&text).map_err(|e| e.to_string()), Ok(v));
    }

    #[test]
    fn an_unescaped_quote_reads_right_or_is_refused(v in document(), pick in any::<prop::sample::Index>()) {
        let text = serde_json::to_string(&v).unwrap();
        let escaped: Vec<usize> = text.match_indices("\\\"").map(|(i, _)| i).collect();
        if !escaped.is_empty() {
            let at = escaped[pick.index(escaped.len())];
            let broken = format!("{}{}", &text[..at], &text[at + 1..]);
            right_or_refused(&broken, &v)?;
        }
    }

    #[test]
    fn a_missing_comma_reads_right_or_is_refused(v in document(), pick in any::<prop::sample::Index>()) {
        let text = serde_json::to_string_pretty(&v).unwrap();
        let commas: Vec<usize> = text.match_indices(",\n").map(|(i, _)| i).collect();
        if !commas.is_empty() {
            let at = commas[pick.index(commas.len())];
            let broken = format!("{}{}", &text[..at], &text[at + 1..]);
            right_or_refused(&broken, &v)?;
        }
    }

    #[test]
    fn members_after_an_early_close_are_never_dropped(v in document()) {
        let text = serde_json::to_string(&v).unwrap();
        let broken = format!("{text}, \"zz\": 1}}");
        prop_assert!(repair_json(&broken).is_err(), "{} was read", broken);
    }
}

proptest! {
    #![proptest_config(config(2000))]

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
