//! Changes that answer every input the same way: the example's answer, disguised.
//!
//! When all of a request's examples for one function want the same answer
//! (`isPalindrome('Never odd or even')` is `true`), a body that returns that answer for every
//! input passes them — and [`crate::overfit`]'s text rules miss it when the body still reads its
//! input (`for (const c of s) {} return true;`). Running decides it: the example calls with their
//! arguments perturbed ([`perturbed_calls`]: a string emptied or changed, a number moved, a list
//! shortened, a flag flipped) go through the same request-check harness as the examples. If the
//! new code returns the example's answer for all of them while the old code's answers differed
//! from one input to another, the change stopped computing: the pass is not evidence, and the
//! model hears which inputs gave the same answer.
//!
//! The old code's variation is the guard against refusing a right fix: a function whose right
//! answer happens to be the same on the perturbed inputs was most likely input-dependent before
//! too, and then its new answers differ somewhere as well.

/// At most this many perturbed calls per example (each is one process run, twice).
pub const MAX_PER_CALL: usize = 3;

/// The call `call` (`f(a, b)`) with its literal arguments perturbed, one argument at a time,
/// round-robin over the arguments, at most `max` calls, none equal to `call`. Arguments that
/// are not literals (names, expressions) are kept; a call with no literal argument gives none.
pub fn perturbed_calls(call: &str, max: usize) -> Vec<String> {
    let call = call.trim();
    let (Some(open), true) = (call.find('('), call.ends_with(')')) else {
        return Vec::new();
    };
    let inner = &call[open + 1..call.len() - 1];
    let args = split_top(inner, ',');
    let variants: Vec<Vec<String>> = args.iter().map(|a| variants(a.trim())).collect();
    let mut out: Vec<String> = Vec::new();
    let rounds = variants.iter().map(Vec::len).max().unwrap_or(0);
    'outer: for k in 0..rounds {
        for (i, vs) in variants.iter().enumerate() {
            let Some(v) = vs.get(k) else { continue };
            let mut parts: Vec<String> = args.iter().map(|a| a.trim().to_string()).collect();
            parts[i] = v.clone();
            let c = format!("{}({})", &call[..open], parts.join(", "));
            if c != call && !out.contains(&c) {
                out.push(c);
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

/// A quoted string: emptied, an unrelated word, reversed with a letter more. A one-character
/// single-quoted literal (a C, Rust or Go `char`) becomes another character.
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

/// A list / array / table literal with elements: the last one dropped, the order reversed.
fn list_variants(arg: &str) -> Option<Vec<String>> {
    let (open, close) = match arg.chars().next()? {
        '[' => ('[', ']'),
        '{' => ('{', '}'),
        _ => return None,
    };
    if !arg.ends_with(close) {
        return None;
    }
    let inner = &arg[1..arg.len() - 1];
    let items: Vec<&str> = split_top(inner, ',')
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    // `{a = 1}` tables and `{"k": v}` objects are not sequences.
    if items.is_empty() || items.iter().any(|s| top_level_has(s, &['=', ':'])) {
        return None;
    }
    let join = |xs: &[&str]| format!("{open}{}{close}", xs.join(", "));
    let mut out = vec![join(&items[..items.len() - 1])];
    let rev: Vec<&str> = items.iter().rev().copied().collect();
    if rev != items {
        out.push(join(&rev));
    }
    Some(out)
}

/// `s` split at `sep` outside quotes and brackets.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
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
    fn strings_are_emptied_changed_and_reversed() {
        assert_eq!(
            perturbed_calls("isPalindrome('Never odd or even')", 3),
            [
                "isPalindrome('')",
                "isPalindrome('xq')",
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
        assert!(perturbed_calls("avg([])", 3).is_empty());
        assert!(perturbed_calls("f(x, y + 1)", 3).is_empty());
        assert!(perturbed_calls("f({a = 1})", 3).is_empty());
        assert!(perturbed_calls("not a call", 3).is_empty());
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
