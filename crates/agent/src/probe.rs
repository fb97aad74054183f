//! Changes that pass the examples by breaking the function: run it on inputs near them.
//!
//! The example calls with their literal arguments perturbed ([`perturbed`]: a string emptied,
//! replaced, mirrored or reversed, a number moved or zeroed, a list shortened, negated, reversed
//! or filled, a flag flipped) go through the same request-check harness as the examples, with
//! the old code (once) and with each candidate that passes every check. Two outcomes mean the
//! pass is no evidence ([`judge`]):
//! - **it breaks what worked**: a perturbed call that returned a value with the old code raises,
//!   does not build or hangs with the new one (`avg([])` made to return 0.0 by a body that now
//!   fails on `avg([1, 2, 3])`);
//! - **one answer for everything**: all the examples want the same answer
//!   (`isPalindrome('Never odd or even')` is `true`), the new code returns it for every
//!   perturbed call (or every non-trivial one), and the old code's answers differed between
//!   those inputs — [`crate::overfit`]'s text rules miss such a body when it still reads its
//!   input (`for (const c of s) {} return true;`).
//!
//! - **a crash fix that changes other answers**: every example raised with the old code (the
//!   request is about that input), and a perturbed call the old code answered now answers
//!   differently (`avg([])` made to return 0.0 by a body for which `avg([1, 2, 3])` is 600).
//!
//! All compare with the old code, so a right fix is not refused for answers that happen to
//! coincide: a function whose right answers are alike on the perturbed inputs was alike there
//! before too, and an input the old code could not answer proves nothing.

/// At most this many perturbed calls per example (each one process run per candidate).
pub const MAX_PER_CALL: usize = 4;

/// One perturbed call.
#[derive(Debug, Clone, PartialEq)]
pub struct Perturbed {
    /// The call's text.
    pub call: String,
    /// An argument was emptied or zeroed: many functions answer such an input alike whatever
    /// they compute, so a constant answer is judged without these too.
    pub trivial: bool,
}

/// What one probe call did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It returned the answer the examples want (the check passed).
    Answer,
    /// It returned another value (as the harness shows it).
    Returned(String),
    /// It raised, did not build or timed out: the first line it printed.
    NoAnswer(String),
}

impl Outcome {
    /// The outcome of a probe check run.
    pub fn of(r: &crate::check::CheckResult) -> Outcome {
        if r.ok {
            return Outcome::Answer;
        }
        match returned(&r.output) {
            Some(v) => Outcome::Returned(v),
            None => Outcome::NoAnswer(failure(&r.output)),
        }
    }

    /// It gave an answer (any value), not an error.
    pub fn returned(&self) -> bool {
        !matches!(self, Outcome::NoAnswer(_))
    }
}

/// The gist of a probe call that gave no answer: its first line, without the harness's own
/// words (`request check: f(x) raised E: m (the request says …)` → `E: m`).
fn failure(output: &str) -> String {
    let line = output
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no output");
    let line = match line.strip_prefix("request check: ") {
        Some(rest) => rest
            .split_once(" raised ")
            .or_else(|| rest.split_once(" threw "))
            .map_or(rest, |(_, e)| e),
        None => line,
    };
    let line = line.split(" (the request says").next().unwrap_or(line);
    line.chars().take(160).collect()
}

/// Why the new code's outcomes `new` on the `perturbed` calls show a pass that fools the
/// examples of `callee`, given the old code's outcomes `old` (the `examples` example calls
/// first, then the same perturbed calls); `answer` is the examples' one answer when they agree.
/// `None` when nothing speaks against the change.
///
/// One answer for everything is judged twice: over all the perturbed calls, and over those
/// that are not [trivial](Perturbed::trivial) (a body that answers `true` for every non-empty
/// string and `false` for `''` is as wrong).
pub fn judge(
    callee: &str,
    answer: Option<&str>,
    perturbed: &[Perturbed],
    old: &[Outcome],
    examples: usize,
    new: &[Outcome],
) -> Option<String> {
    let old_perturbed = old.get(examples..).unwrap_or_default();
    let calls = perturbed.iter().map(|p| p.call.as_str());
    for ((call, o), n) in calls.zip(old_perturbed).zip(new) {
        if let (true, Outcome::NoAnswer(why)) = (o.returned(), n) {
            let was = match o {
                Outcome::Returned(v) => v.as_str(),
                _ => answer.unwrap_or("a value"),
            };
            return Some(format!(
                "`{call}` now fails ({why}) where the old code returned {was}: the change \
                 breaks inputs that worked. Fix the example without breaking them."
            ));
        }
    }
    // The request is about an input that raised (every example did, with the old code): the
    // answers the old code gave elsewhere stay (`avg([])` fixed by a body for which
    // `avg([1, 2, 3])` is 600).
    let crashed = examples > 0 && old.iter().take(examples).all(|o| !o.returned());
    if crashed {
        let calls = perturbed.iter().map(|p| p.call.as_str());
        for ((call, o), n) in calls.zip(old_perturbed).zip(new) {
            let (Outcome::Returned(was), true) = (o, n != o) else {
                continue;
            };
            let now = match n {
                Outcome::Returned(v) => v.as_str(),
                _ => answer.unwrap_or("the example's answer"),
            };
            return Some(format!(
                "`{call}` now returns {now} where the old code returned {was}: the request \
                 is about the input that raised. Fix it without changing the other answers."
            ));
        }
    }
    let answer = answer?;
    let alike = |keep: &dyn Fn(&Perturbed) -> bool| -> Option<Vec<&str>> {
        let picked: Vec<usize> = (0..perturbed.len().min(new.len()))
            .filter(|&k| keep(&perturbed[k]))
            .collect();
        if picked.len() < 2 || picked.iter().any(|&k| new[k] != Outcome::Answer) {
            return None;
        }
        let mut seen: Vec<&Outcome> = Vec::new();
        let considered = old
            .iter()
            .take(examples)
            .chain(picked.iter().filter_map(|&k| old.get(examples + k)));
        for o in considered.filter(|o| o.returned()) {
            if !seen.contains(&o) {
                seen.push(o);
            }
        }
        (seen.len() >= 2).then(|| picked.iter().map(|&k| perturbed[k].call.as_str()).collect())
    };
    let tried = alike(&|_| true).or_else(|| alike(&|p| !p.trivial))?;
    Some(format!(
        "`{callee}` returns {answer} for every input tried (`{}`), where the old code's \
         answers differed: it passes the example without computing the answer. Make it right \
         for every input, not only the example.",
        tried.join("`, `")
    ))
}

/// The call `call` (`f(a, b)`) with its literal arguments perturbed, one argument at a time,
/// round-robin over the arguments, at most `max` calls, none equal to `call`. Arguments that
/// are not literals (names, expressions) are kept; a call with no literal argument gives none.
pub fn perturbed_calls(call: &str, max: usize) -> Vec<String> {
    perturbed(call, max).into_iter().map(|p| p.call).collect()
}

/// [`perturbed_calls`], each marked trivial or not.
pub fn perturbed(call: &str, max: usize) -> Vec<Perturbed> {
    let call = call.trim();
    let (Some(open), true) = (call.find('('), call.ends_with(')')) else {
        return Vec::new();
    };
    let inner = &call[open + 1..call.len() - 1];
    let args = split_top(inner, ',');
    let variants: Vec<Vec<String>> = args.iter().map(|a| variants(a.trim())).collect();
    let mut out: Vec<Perturbed> = Vec::new();
    let rounds = variants.iter().map(Vec::len).max().unwrap_or(0);
    'outer: for k in 0..rounds {
        for (i, vs) in variants.iter().enumerate() {
            let Some(v) = vs.get(k) else { continue };
            let mut parts: Vec<String> = args.iter().map(|a| a.trim().to_string()).collect();
            parts[i] = v.clone();
            let c = format!("{}({})", &call[..open], parts.join(", "));
            if c != call && !out.iter().any(|p| p.call == c) {
                out.push(Perturbed {
                    call: c,
                    trivial: is_empty_literal(v),
                });
            }
            if out.len() >= max {
                break 'outer;
            }
        }
    }
    out
}

/// The value a request check's output says the call returned (`request check: f(x) returned
/// 3, expected 4` → `3`); `None` when the call did not return (it raised, did not build, timed
/// out): only returned values count as answers.
pub fn returned(output: &str) -> Option<String> {
    let line = output
        .lines()
        .find(|l| l.contains("request check: ") && l.contains(" returned "))?;
    let rest = &line[line.find(" returned ")? + " returned ".len()..];
    let value = match rest.rfind(", expected ") {
        Some(at) => &rest[..at],
        None => rest.split("; ").next().unwrap_or(rest),
    };
    Some(value.trim().to_string())
}

/// `''`, `""`, `0`, `0.0`, `[]`, `{}`: an input many functions answer alike.
fn is_empty_literal(v: &str) -> bool {
    matches!(v, "''" | "\"\"" | "0" | "0.0" | "[]" | "{}")
}

/// Literal variants of one argument, most telling first.
fn variants(arg: &str) -> Vec<String> {
    if let Some(v) = string_variants(arg) {
        return v;
    }
    match arg {
        "true" => return vec!["false".into()],
        "false" => return vec!["true".into()],
        "True" => return vec!["False".into()],
        "False" => return vec!["True".into()],
        _ => {}
    }
    if let Some(v) = number_variants(arg) {
        return v;
    }
    if let Some(v) = list_variants(arg) {
        return v;
    }
    Vec::new()
}

/// A quoted string: emptied, an unrelated word, mirrored (the text and its reverse: a
/// palindrome), reversed with a letter more. A one-character single-quoted literal (a C, Rust
/// or Go `char`) becomes another character.
fn string_variants(arg: &str) -> Option<Vec<String>> {
    let q = arg.chars().next()?;
    if !matches!(q, '\'' | '"') || arg.len() < 2 || !arg.ends_with(q) || arg.contains('\\') {
        return None;
    }
    let body = &arg[1..arg.len() - 1];
    if body.contains(q) {
        return None;
    }
    if q == '\'' && body.chars().count() == 1 {
        let other = if body == "q" { "z" } else { "q" };
        return Some(vec![format!("'{other}'"), "'e'".into()]);
    }
    let reversed: String = body.chars().rev().collect();
    let word = if body == "xq" { "qx" } else { "xq" };
    let mut out = vec![
        format!("{q}{q}"),
        format!("{q}{word}{q}"),
        format!("{q}{body}{reversed}{q}"),
        format!("{q}{reversed}z{q}"),
    ];
    out.retain(|v| v != arg);
    Some(out)
}

/// An integer or decimal literal: one more, zero, doubled plus three (decimals keep a point, so
/// typed languages still see a float).
fn number_variants(arg: &str) -> Option<Vec<String>> {
    let digits = arg.strip_prefix('-').unwrap_or(arg);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if !digits.starts_with(|c: char| c.is_ascii_digit()) || digits.matches('.').count() > 1 {
        return None;
    }
    let out: Vec<String> = if digits.contains('.') {
        let n: f64 = arg.parse().ok()?;
        let show = |x: f64| {
            let s = format!("{x}");
            if s.contains('.') {
                s
            } else {
                format!("{s}.0")
            }
        };
        vec![show(n + 1.5), show(0.0), show(n * 2.0 + 3.0)]
    } else {
        let n: i64 = arg.parse().ok()?;
        vec![
            n.checked_add(1)?.to_string(),
            "0".to_string(),
            n.checked_mul(2)?.checked_add(3)?.to_string(),
        ]
    };
    Some(out.into_iter().filter(|v| v != arg).collect())
}

/// A list / array / table literal (`[..]`, `{..}`, Go's `[]int{..}`, Rust's `vec![..]` or
/// `&[..]`): the last element dropped, numbers negated, the order reversed; an empty one gets
/// three small numbers (where its elements are not numbers, old and new code both fail on it,
/// which proves nothing).
fn list_variants(arg: &str) -> Option<Vec<String>> {
    let close = arg.chars().last()?;
    let open = match close {
        ']' => '[',
        '}' => '{',
        _ => return None,
    };
    let at = arg.find(open)?;
    let prefix = &arg[..at];
    let typeish = |c: char| c.is_ascii_alphanumeric() || "_&![]:<>".contains(c);
    if !prefix.chars().all(typeish) || (!prefix.is_empty() && !prefix.contains(['[', '&', '!'])) {
        return None;
    }
    let inner = &arg[at + 1..arg.len() - 1];
    let items: Vec<&str> = split_top(inner, ',')
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let join = |xs: &[String]| format!("{prefix}{open}{}{close}", xs.join(", "));
    if items.is_empty() {
        return Some(vec![join(&["1".into(), "2".into(), "3".into()])]);
    }
    // `{a = 1}` tables and `{"k": v}` objects are not sequences.
    if items.iter().any(|s| top_level_has(s, &['=', ':'])) {
        return None;
    }
    let owned: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    let mut out = vec![join(&owned[..owned.len() - 1])];
    let ints: Option<Vec<i64>> = items.iter().map(|s| s.parse().ok()).collect();
    if let Some(ints) = ints.filter(|v| v.iter().any(|&n| n != 0)) {
        let neg: Vec<String> = ints.iter().map(|n| (-n).to_string()).collect();
        out.push(join(&neg));
    }
    let rev: Vec<String> = owned.iter().rev().cloned().collect();
    if rev != owned {
        out.push(join(&rev));
    }
    Some(out)
}

/// `s` split at `sep` outside quotes and brackets (nothing for a blank `s`).
pub(crate) fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in crate::expect::outside_quotes(s, &['\'', '"', '`']) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if !s[start..].trim().is_empty() || !out.is_empty() {
        out.push(&s[start..]);
    }
    out
}

/// Whether `s` has one of `chars` outside quotes and brackets (`a = 1`, `"k": v`).
fn top_level_has(s: &str, chars: &[char]) -> bool {
    chars.iter().any(|&c| split_top(s, c).len() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_emptied_changed_mirrored_and_reversed() {
        assert_eq!(
            perturbed_calls("isPalindrome('Never odd or even')", 4),
            [
                "isPalindrome('')",
                "isPalindrome('xq')",
                "isPalindrome('Never odd or evenneve ro ddo reveN')",
                "isPalindrome('neve ro ddo reveNz')"
            ]
        );
    }

    #[test]
    fn arguments_are_perturbed_one_at_a_time_round_robin() {
        assert_eq!(
            perturbed_calls("count_char(\"hello\", 'l')", 3),
            [
                "count_char(\"\", 'l')",
                "count_char(\"hello\", 'q')",
                "count_char(\"xq\", 'l')"
            ]
        );
        assert_eq!(
            perturbed_calls("clamp(15, 0, 10)", 4),
            [
                "clamp(16, 0, 10)",
                "clamp(15, 1, 10)",
                "clamp(15, 0, 11)",
                "clamp(0, 0, 10)"
            ]
        );
    }

    #[test]
    fn numbers_lists_and_flags_have_variants_names_do_not() {
        assert_eq!(
            perturbed_calls("is_leap(1900)", 3),
            ["is_leap(1901)", "is_leap(0)", "is_leap(3803)"]
        );
        assert_eq!(
            perturbed_calls("avg([1.5, 2, 3])", 3),
            ["avg([1.5, 2])", "avg([3, 2, 1.5])"]
        );
        assert_eq!(perturbed_calls("f(2.5)", 1), ["f(4.0)"]);
        assert_eq!(perturbed_calls("f(true)", 3), ["f(false)"]);
        assert!(perturbed_calls("f(x, y + 1)", 3).is_empty());
        assert!(perturbed_calls("f({a = 1})", 3).is_empty());
        assert!(perturbed_calls("f(x[0])", 3).is_empty());
        assert!(perturbed_calls("not a call", 3).is_empty());
    }

    fn ret(v: &str) -> Outcome {
        Outcome::Returned(v.into())
    }

    #[test]
    fn a_change_that_raises_where_the_old_code_returned_is_judged() {
        // avg([]) → 0.0 fixed by a body that fails on every other list.
        let old = [Outcome::NoAnswer("ZeroDivisionError".into()), ret("2.0")];
        let new = [Outcome::NoAnswer("TypeError: no len()".into())];
        let p = |c: &str| Perturbed {
            call: c.into(),
            trivial: false,
        };
        let why = judge("avg", Some("0.0"), &[p("avg([1, 2, 3])")], &old, 1, &new);
        assert!(why.unwrap().contains(
            "`avg([1, 2, 3])` now fails (TypeError: no len()) where the old code returned 2.0"
        ));
        // Failing where the old code failed too proves nothing.
        let old = [
            ret("0"),
            Outcome::NoAnswer("error: mismatched types".into()),
        ];
        let new = [Outcome::NoAnswer("error: mismatched types".into())];
        assert_eq!(judge("f", Some("1"), &[p("f(\"x\")")], &old, 1, &new), None);
    }

    #[test]
    fn a_crash_fix_that_changes_the_answers_that_were_there_is_judged() {
        let avg = |old: &[Outcome], new: &str| {
            let call = Perturbed {
                call: "avg([1, 2, 3])".into(),
                trivial: false,
            };
            judge("avg", Some("0.0"), &[call], old, 1, &[ret(new)])
        };
        let raised = [Outcome::NoAnswer("ZeroDivisionError".into()), ret("2.0")];
        assert!(avg(&raised, "600")
            .unwrap()
            .contains("`avg([1, 2, 3])` now returns 600 where the old code returned 2.0"));
        // The same answer as before passes; so does any change when the example did not raise.
        assert_eq!(avg(&raised, "2.0"), None);
        assert_eq!(avg(&[ret("1"), ret("2.0")], "600"), None);
    }

    #[test]
    fn one_answer_for_every_input_is_judged_only_where_the_old_answers_varied() {
        let calls = [
            Perturbed {
                call: "p('')".into(),
                trivial: true,
            },
            Perturbed {
                call: "p('xq')".into(),
                trivial: false,
            },
            Perturbed {
                call: "p('abba')".into(),
                trivial: false,
            },
        ];
        let new = [Outcome::Answer, Outcome::Answer, Outcome::Answer];
        let varied = [ret("false"), Outcome::Answer, ret("false"), ret("false")];
        let why = judge("p", Some("true"), &calls, &varied, 1, &new).unwrap();
        assert!(
            why.contains(
                "`p` returns true for every input tried (`p('')`, `p('xq')`, `p('abba')`)"
            ),
            "{why}"
        );
        // The old answers were alike too: a right fix may be alike as well.
        let alike = [ret("false"), ret("false"), ret("false"), ret("false")];
        assert_eq!(judge("p", Some("true"), &calls, &alike, 1, &new), None);
        // Examples wanting different answers, or a new answer that differs: nothing to say.
        assert_eq!(judge("p", None, &calls, &varied, 1, &new), None);
        let differs = [Outcome::Answer, ret("false"), Outcome::Answer];
        assert_eq!(judge("p", Some("true"), &calls, &varied, 1, &differs), None);
        // True for every non-empty string, false for '': judged without the emptied input,
        // where the old answers still differ (its true for the palindrome 'abba').
        let nonempty = [ret("false"), Outcome::Answer, Outcome::Answer];
        let old = [ret("false"), Outcome::Answer, ret("false"), Outcome::Answer];
        let why = judge("p", Some("true"), &calls, &old, 1, &nonempty).unwrap();
        assert!(why.contains("(`p('xq')`, `p('abba')`)"), "{why}");
    }

    #[test]
    fn a_failure_is_told_without_the_harness_words() {
        assert_eq!(
            failure("request check: avg([1]) raised TypeError: no len() (the request says it should return 0.0)\n"),
            "TypeError: no len()"
        );
        assert_eq!(
            failure("\nerror[E0308]: mismatched types\n"),
            "error[E0308]: mismatched types"
        );
    }

    #[test]
    fn the_returned_value_is_read_from_every_harness_line() {
        assert_eq!(
            returned("request check: f('a') returned 'b', expected 'c'").as_deref(),
            Some("'b'")
        );
        assert_eq!(
            returned("x\n--- FAIL\n    request check: f(1) returned 3, expected 4\nFAIL")
                .as_deref(),
            Some("3")
        );
        assert_eq!(
            returned("request check: f(1) returned None; the request says it should raise")
                .as_deref(),
            Some("None")
        );
        assert_eq!(returned("request check: f(1) raised ValueError: no"), None);
        assert_eq!(returned("error: expected `;`"), None);
    }
}
