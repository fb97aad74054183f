//! The repair's cases: what it reads, and what it refuses with which error. The classes of the
//! issue-17 review (a string kept open across structure, an object closed early, two members
//! without a comma, `#` comments, quadratic comments) each have a test named after them.

use super::*;
use serde_json::json;

fn fixed(s: &str) -> Value {
    let (v, repaired) = repair_json(s).unwrap_or_else(|e| panic!("no repair for {s:?}: {e}"));
    assert!(repaired, "{s:?} should count as repaired");
    v
}

#[test]
fn valid_json_is_not_repaired() {
    assert_eq!(
        repair_json(r#"{"a": [1, "x"]}"#).ok(),
        Some((json!({"a": [1, "x"]}), false))
    );
}

#[test]
fn fences_quotes_commas_python_literals() {
    assert_eq!(fixed("```json\n{\"a\": 1}\n```"), json!({"a": 1}));
    assert_eq!(
        fixed("{'a': 'it\\'s', 'b': [1, 2,],}"),
        json!({"a": "it's", "b": [1, 2]})
    );
    assert_eq!(
        fixed("{\"t\": True, \"f\": False, \"n\": None}"),
        json!({"t": true, "f": false, "n": null})
    );
    assert_eq!(
        fixed("{path: \"a.rs\", n = 3}"),
        json!({"path": "a.rs", "n": 3})
    );
    assert_eq!(fixed("{\"a\": 1 \"b\": 2}"), json!({"a": 1, "b": 2}));
    assert_eq!(
        fixed("{\"a\": 1, // note\n \"b\": +2}"),
        json!({"a": 1, "b": 2})
    );
}

#[test]
fn strings_with_raw_control_chars_and_odd_escapes() {
    assert_eq!(
        fixed("{\"c\": \"fn x() {\n\tlet a = 1;\n}\"}"),
        json!({"c": "fn x() {\n\tlet a = 1;\n}"})
    );
    assert_eq!(fixed(r#"{"re": "\d+\s"}"#), json!({"re": "\\d+\\s"}));
    assert_eq!(
        fixed("{\"c\": \"\"\"a \"q\" b\"\"\"}"),
        json!({"c": "a \"q\" b"})
    );
    assert_eq!(
        fixed(r#"{"e": "\ud83d\ude00", "x": 1,}"#),
        json!({"e": "😀", "x": 1})
    );
}

#[test]
fn unescaped_inner_quotes_are_kept() {
    assert_eq!(
        fixed(r#"{"new": "print("hi")", "path": "a.py"}"#),
        json!({"new": "print(\"hi\")", "path": "a.py"})
    );
    assert_eq!(
        fixed(r#"{"new": "say "a", "b" now"}"#),
        json!({"new": "say \"a\", \"b\" now"})
    );
}

#[test]
fn truncation_closed_only_when_unambiguous() {
    assert_eq!(
        fixed(r#"{"name": "read", "arguments": {"path": "a.rs"}"#),
        json!({"name": "read", "arguments": {"path": "a.rs"}})
    );
    assert_eq!(fixed(r#"{"a": [1, 2,"#), json!({"a": [1, 2]}));
    assert_eq!(repair_json(r#"{"a": "half a str"#).ok(), None);
    assert_eq!(repair_json(r#"{"a": 4"#).ok(), None);
    assert_eq!(repair_json(r#"{"a":"#).ok(), None);
    assert_eq!(repair_json(r#"{"a""#).ok(), None);
}

#[test]
fn prose_before_and_after() {
    assert_eq!(fixed("Sure! {\"a\": 1} hope that helps"), json!({"a": 1}));
    assert_eq!(repair_json("no json here").ok(), None);
}

#[test]
fn deep_nesting_is_rejected_not_overflowed() {
    let deep = "[".repeat(10_000);
    assert_eq!(repair_json(&deep).ok(), None);
}

/// The refusal of `s`, which must not read.
fn refused(s: &str) -> RepairError {
    match repair_json(s) {
        Ok((v, _)) => panic!("{s:?} should be refused, read as {v}"),
        Err(e) => e,
    }
}

/// The line the model gets back when `args` arrive as a native `read` call's arguments.
fn native_error(args: &str) -> String {
    let specs = crate::toolcall::cases::specs();
    let mut stats = crate::toolcall::RepairStats::default();
    match crate::toolcall::parse("", "", &[("read".into(), args.into())], &specs, &mut stats) {
        crate::toolcall::Outcome::Invalid(e) => e.to_string(),
        other => panic!("{args:?} should be refused, got {other:?}"),
    }
}

// ---- class 1: the unescaped-quote rule must not keep a string open across structure

#[test]
fn quote_rule_does_not_run_across_structure() {
    let input = r#"{"tags": ["a", "b" note], "next": ["c"]}"#;
    let e = refused(input);
    assert_eq!(e.kind(), RepairErrorKind::Quote);
    assert_eq!(
        e.to_string(),
        r#"line 1, column 20: expected "," or "]" after the string "b" (a quote inside a string must be escaped as \"), found `note], "next": ["c"]}`"#
    );
    assert_eq!(
        native_error(input),
        r#"read: expected "," or "]" after the string "b" (a quote inside a string must be escaped as \") (JSON line 1, column 20), received `note], "next": ["c"]}`"#
    );
    // Glued to the next word it is no better: the pairs would run across `], "next": [`.
    assert_eq!(
        refused(r#"{"tags": ["a", "b"note], "next": ["c"]}"#).kind(),
        RepairErrorKind::Quote
    );
    // A member that reads as a list item of the string before it.
    assert_eq!(
        refused(r#"{"old": "a", "b", "new": "c"}"#).kind(),
        RepairErrorKind::Quote
    );
}

#[test]
fn inner_quotes_that_pair_up_are_kept() {
    assert_eq!(
        fixed(r#"{"new": "x = ["a", "b"]", "path": "a.py"}"#),
        json!({"new": "x = [\"a\", \"b\"]", "path": "a.py"})
    );
    assert_eq!(
        fixed(r#"{"cmd": "grep "foo" bar.txt"}"#),
        json!({"cmd": "grep \"foo\" bar.txt"})
    );
    assert_eq!(
        fixed(r#"{"new": "s.split(",")"}"#),
        json!({"new": "s.split(\",\")"})
    );
    assert_eq!(
        fixed("{'summary': 'it's done, don't worry'}"),
        json!({"summary": "it's done, don't worry"})
    );
}

#[test]
fn unpaired_inner_quotes_where_structure_could_go_on_are_refused() {
    // Ending at `"b"` leaves `"}` behind; going on pairs quotes across `}`: neither is safe.
    assert_eq!(
        refused(r#"{"new": "d = {"a": "b"}"}"#).kind(),
        RepairErrorKind::Quote
    );
    // A dict literal whose `", "k2": ` reads exactly like the next member.
    assert_eq!(
        refused(r#"{"new": "d = {"k": "v", "k2": 1}", "path": "a.py"}"#).kind(),
        RepairErrorKind::Quote
    );
    assert_eq!(
        refused(r#"{"summary": "Renamed foo" to bar"}"#).kind(),
        RepairErrorKind::Quote
    );
}

// ---- class 2: an object closed early must not drop its later members

#[test]
fn object_closed_early_is_refused() {
    let input = r#"{"k": "v"}, "k2": "v2"}"#;
    let e = refused(input);
    assert_eq!(e.kind(), RepairErrorKind::ClosedEarly);
    assert_eq!(
        e.to_string(),
        r#"line 1, column 11: expected nothing after the value that closes at line 1, column 10 (more members follow it: one closing bracket too many?), found `, "k2": "v2"}`"#
    );
    // The same with the comma missing, and after strict JSON read by the text scanner.
    assert_eq!(
        refused(r#"{"k": "v"} "k2": "v2"}"#).kind(),
        RepairErrorKind::ClosedEarly
    );
    assert_eq!(
        parse_prefix(r#"{"k": "v"}, "k2": "v2"}"#)
            .unwrap_err()
            .kind(),
        RepairErrorKind::ClosedEarly
    );
    // A bare call whose arguments closed one brace early: refused, never run without `start`.
    let specs = crate::toolcall::cases::specs();
    let mut stats = crate::toolcall::RepairStats::default();
    let reply = r#"{"name": "read", "arguments": {"path": "a.rs"}}, "start": 10}"#;
    let got = crate::toolcall::parse(reply, "", &[], &specs, &mut stats);
    assert!(
        matches!(&got, crate::toolcall::Outcome::Invalid(e) if e.to_string().contains("more members follow it")),
        "{got:?}"
    );
}

#[test]
fn extra_closing_brackets_are_dropped_only_when_their_place_does_not_matter() {
    // Which of `}}}` is extra reads the same.
    assert_eq!(
        fixed(r#"{"name": "read", "arguments": {"path": "a.rs"}}}"#),
        json!({"name": "read", "arguments": {"path": "a.rs"}})
    );
    // Here `start` belongs to the arguments or to the call, depending on which `}` is extra.
    let e = refused(r#"{"name": "read", "arguments": {"path": "a"}, "start": 10}}"#);
    assert_eq!(e.kind(), RepairErrorKind::ExtraClose);
    assert_eq!(
        refused("[[1], 2]]").kind(),
        RepairErrorKind::ExtraClose,
        "[[1, 2]] or [[1], 2]"
    );
}

#[test]
fn text_after_the_value_that_continues_it_is_refused() {
    // A top-level string followed by `:` is a key without its object, not a value.
    assert_eq!(
        refused(r#""path": "a.rs""#).kind(),
        RepairErrorKind::Unexpected
    );
    assert_eq!(fixed(r#"{"a": 1} and then {"b": 2}"#), json!({"a": 1}));
}

// ---- class 3: two members on one line without a comma

#[test]
fn members_without_a_comma_stay_two_members() {
    assert_eq!(
        fixed(r#"{"old": "a" "new": "b"}"#),
        json!({"old": "a", "new": "b"})
    );
    assert_eq!(
        fixed("{'path': 'a.rs' 'start': 3}"),
        json!({"path": "a.rs", "start": 3})
    );
    assert_eq!(fixed(r#"["a" "b", "c"]"#), json!(["a", "b", "c"]));
}

// ---- class 4: `#` comments

#[test]
fn hash_comments_are_comments() {
    assert_eq!(
        fixed("{\"path\": \"a.py\", # the file to read\n \"mode\": \"r\"}"),
        json!({"path": "a.py", "mode": "r"})
    );
    assert_eq!(
        fixed("{\"a\": 1 # one\n, \"b\": \"x # not a comment\"}"),
        json!({"a": 1, "b": "x # not a comment"})
    );
}

// ---- time: linear in the input

/// Quotes each followed by a `/*` that closes only at the end: every quote used to rescan the
/// whole comment (~9 s at 320 kB).
#[test]
fn quotes_before_one_long_comment_are_linear() {
    let mut s = String::from("{\"a\": \"x");
    while s.len() < 320 * 1024 {
        s.push_str("\" /* ");
    }
    s.push_str("*/\"}");
    let started = std::time::Instant::now();
    let _ = repair_json(&s);
    let _ = parse_prefix(&s);
    // Generous for a debug build on a shared machine; the quadratic version took seconds even in
    // release (`smallcode bench repair` has the release figures).
    assert!(
        started.elapsed().as_millis() < 1500,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn native_arguments_get_the_same_window_as_text() {
    let mut args = String::from("{\"path\": \"a.rs\", \"note\": \"");
    args.push_str(&"x".repeat(320 * 1024));
    args.push_str("\"}");
    assert_eq!(
        native_error(&args),
        format!(
            "read: expected a call of at most {MAX_CALL_BYTES} bytes, received {} bytes",
            args.len()
        )
    );
    // In text, a call running past the window is refused too, not closed at the cut.
    let specs = crate::toolcall::cases::specs();
    let mut stats = crate::toolcall::RepairStats::default();
    let reply = format!("<tool_call>{args}</tool_call>");
    let got = crate::toolcall::parse(&reply, "", &[], &specs, &mut stats);
    assert!(
        matches!(&got, crate::toolcall::Outcome::Invalid(e) if e.to_string().starts_with("expected a call of at most")),
        "{got:?}"
    );
}

// ---- found by the property tests (fuzz.rs; seeds in proptest-regressions/toolcall.txt)

/// A comment that runs to the end of the text would hide the closing brackets, and the reply would
/// be closed as if truncated: `{"a": ["\"#"]}` with the escape lost read as `{"a": [""]}`.
#[test]
fn a_comment_to_the_end_of_the_text_hides_nothing() {
    assert_ne!(
        repair_json(r##"{"a":[""#"]}"##).ok().map(|(v, _)| v),
        Some(json!({"a": [""]}))
    );
    assert_eq!(
        refused("{\"a\": 1, // more to come").kind(),
        RepairErrorKind::Unexpected
    );
}

/// An empty string followed by a missing comma and a value on the next line is two elements, not
/// one string running over the line break.
#[test]
fn an_empty_string_before_a_missing_comma_ends() {
    assert_eq!(fixed("[\n  \"\"\n  0,\n  \"\"\n]"), json!(["", 0, ""]));
    assert_eq!(fixed("[\"a\"\n 0]"), json!(["a", 0]));
}

/// The document closing again after a quote means an unescaped quote ended a string early:
/// `{"a":{"a":"\"}}a"}}` with the escape lost read as `{"a":{"a":""}}` (prose `a"}}` after it).
/// Prose or another value after a value still reads.
#[test]
fn a_document_that_closes_again_after_a_quote_is_refused() {
    assert!(repair_json(r#"{"a":{"a":""}}a"}}"#).is_err());
    assert!(repair_json("Call: {\"a\":{\"a\":\"\"}}a\"}}").is_err());
    // `{"a":"\"}{","k":[]}` with the escape lost: the brackets after it balance, but an odd
    // number of quotes before the line's closing bracket still says a string ended early.
    assert!(repair_json(r#"{"a":""}{","k":[]}"#).is_err());
    assert_eq!(fixed(r#"{"a": 1} {"b": "x"}"#), json!({"a": 1}));
    assert_eq!(fixed(r#"{"a": 1} and then {"b": "x"}"#), json!({"a": 1}));
    assert_eq!(fixed("{\"a\": 1}\nThat's \"it\"}"), json!({"a": 1}));
    assert_eq!(fixed(r#"{"a": "x"} (done)"#), json!({"a": "x"}));
}
