//! Changes that pass the request's examples without fixing anything.
//!
//! A small model asked to make `isPalindrome('Never odd or even')` return true often writes
//! `return true;`, or `if (s === 'Never odd or even') return true;`: the example check passes
//! and the change is wrong for every other input. Two shapes give it away without running
//! anything, in any language:
//! - the changed definition spells out a value of the example (an argument or the expected
//!   result as a string literal, a distinctive number) that its old text did not contain;
//! - the changed definition no longer reads one of its inputs (a name of its first line that
//!   the old body used and the new body does not).
//!
//! Either one turns the passing example check into a failing one with a sentence the model can
//! act on ([`suspicion`]), so the harness samples again instead of landing it as verified.

use crate::coverage;
use crate::expect::Expectation;

/// Why the change to `rel` (`before` → `after`) looks like it passes `examples` without fixing
/// the logic, if it does. `None` for an ordinary change.
pub fn suspicion(
    rel: &str,
    before: &str,
    after: &str,
    examples: &[Expectation],
    test_strings: &[String],
) -> Option<String> {
    let mut literals: Vec<Literal> = examples.iter().flat_map(literals).collect();
    literals.extend(
        test_strings
            .iter()
            .filter(|s| s.trim().chars().count() >= 3)
            .map(|s| Literal {
                shown: format!("'{s}'"),
                text: s.clone(),
                string: true,
                returned: true,
            }),
    );
    for (c, new, old) in coverage::changed_texts(rel, before, after) {
        let old = old.unwrap_or_default();
        if let Some(l) = literals
            .iter()
            .find(|l| l.occurs_in(&new) && !l.occurs_in(&old))
        {
            return Some(format!(
                "`{}` spells out the check's value {}: that passes the check without fixing the \
                 logic. Make it right for every input, not only the example.",
                c.name, l.shown
            ));
        }
        if let Some(input) = dropped_input(&old, &new) {
            return Some(format!(
                "`{}` no longer uses its input `{input}`: it passes the example without computing \
                 the answer. Make it right for every input, not only the example.",
                c.name
            ));
        }
    }
    None
}

/// A value of an example, as the code would spell it.
#[derive(Debug, Clone, PartialEq)]
struct Literal {
    /// The value without quotes (`Never odd or even`, `1900`).
    text: String,
    /// A string (matched inside quotes) or a number (matched as a whole token).
    string: bool,
    /// As shown to the model (`'hi-there'`, `1900`).
    shown: String,
    /// Counts only on a line that returns it (a test's strings: a fix may raise a test's
    /// expected message, but returning its expected value is echoing it).
    returned: bool,
}

impl Literal {
    fn occurs_in(&self, code: &str) -> bool {
        if self.returned {
            let plain = Literal {
                returned: false,
                ..self.clone()
            };
            return code.lines().any(|l| {
                l.contains("return")
                    && !["raise", "throw", "Error", "panic"]
                        .iter()
                        .any(|w| l.contains(w))
                    && plain.occurs_in(l)
            });
        }
        if self.string {
            ['"', '\'', '`']
                .iter()
                .any(|q| code.contains(&format!("{q}{}{q}", self.text)))
        } else {
            code.match_indices(&self.text).any(|(at, _)| {
                let before = code[..at].chars().next_back();
                let after = code[at + self.text.len()..].chars().next();
                let part = |c: Option<char>| {
                    c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                };
                !part(before) && !part(after)
            })
        }
    }
}

/// The distinctive values of an example: string literals of 3+ characters (arguments, the
/// expected value, expected output) and numbers that no ordinary code contains by accident
/// (see [`numbers`]).
fn literals(e: &Expectation) -> Vec<Literal> {
    let mut out = Vec::new();
    let mut add = |text: &str| {
        for s in quoted(text) {
            if s.trim().chars().count() >= 3 {
                out.push(Literal {
                    shown: format!("'{s}'"),
                    text: s,
                    string: true,
                    returned: false,
                });
            }
        }
        for n in numbers(text) {
            out.push(Literal {
                shown: n.clone(),
                text: n,
                string: false,
                returned: false,
            });
        }
    };
    match e {
        Expectation::Value { call, expected } => {
            add(call);
            add(expected);
        }
        Expectation::Raises { call, .. } | Expectation::NoRaise { call } => add(call),
        Expectation::Output { output, .. } => {
            let o = output.trim();
            if o.chars().count() >= 3 && !o.contains('\n') {
                out.push(Literal {
                    shown: format!("'{o}'"),
                    text: o.to_string(),
                    string: true,
                    returned: false,
                });
            }
        }
    }
    out
}

/// The contents of the quoted strings in `text` (single, double or back quotes).
pub fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '"' | '\'' | '`') {
            if let Some(end) = text[i + 1..].find(c) {
                out.push(text[i + 1..i + 1 + end].to_string());
                for _ in 0..text[i + 1..i + 2 + end].chars().count() {
                    chars.next();
                }
            }
        }
    }
    out
}

/// Numbers in `text` outside quotes worth noticing in code: 4+ digits (`1900`, `360000`), 3+
/// significant digits (`125`, not `100`), or a fraction other than `.0` (`12.5`).
fn numbers(text: &str) -> Vec<String> {
    let mut unquoted = text.to_string();
    for q in quoted(text) {
        unquoted = unquoted.replace(&q, " ");
    }
    unquoted
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .filter(|t| {
            let (int, frac) = t.split_once('.').unwrap_or((t, ""));
            let frac = frac.trim_end_matches('0');
            let int = int.trim_start_matches('0');
            !frac.is_empty() || int.len() >= 4 || int.trim_end_matches('0').len() >= 3
        })
        .map(str::to_string)
        .collect()
}

/// A name of the new definition's first line (its signature) that the old body used after its
/// first line and the new body does not use at all after it.
fn dropped_input(old: &str, new: &str) -> Option<String> {
    let (new_head, new_body) = new.split_once('\n')?;
    let (_, old_body) = old.split_once('\n')?;
    let used = |body: &str, name: &str| coverage::identifiers(body).contains(name);
    // The parameter list: the first parenthesised group of the signature.
    let open = new_head.find('(')?;
    let close = open + new_head[open..].find(')')?;
    coverage::identifiers(&new_head[open + 1..close])
        .into_iter()
        .filter(|n| !n.starts_with('_') && !TYPE_WORDS.contains(&n.as_str()))
        .find(|n| used(old_body, n) && !used(new_body, n))
}

/// Words of a parameter list that name types or modifiers, not inputs.
const TYPE_WORDS: &[&str] = &[
    "self",
    "this",
    "cls",
    "mut",
    "const",
    "unsigned",
    "signed",
    "int",
    "long",
    "short",
    "char",
    "float",
    "double",
    "bool",
    "void",
    "size_t",
    "str",
    "String",
    "string",
    "usize",
    "isize",
    "i8",
    "i16",
    "i32",
    "i64",
    "u8",
    "u16",
    "u32",
    "u64",
    "f32",
    "f64",
    "Vec",
    "Option",
    "dyn",
    "impl",
    "struct",
    "list",
    "dict",
    "int64",
    "float64",
    "byte",
    "rune",
    "error",
    "interface",
];

#[cfg(test)]
mod typed_tests {
    use super::*;

    #[test]
    fn only_parameters_count_as_inputs() {
        // Rust: the types of the signature are not inputs.
        let old = "fn f(xs: &[i32]) -> i32 {\n    xs.iter().map(|x| *x as i32).sum()\n}\n";
        let new = "fn f(xs: &[i32]) -> i32 {\n    xs.iter().sum()\n}\n";
        assert_eq!(dropped_input(old, new), None);
        let new = "fn f(xs: &[i32]) -> i32 {\n    6\n}\n";
        assert_eq!(dropped_input(old, new).as_deref(), Some("xs"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(call: &str, expected: &str) -> Expectation {
        Expectation::Value {
            call: call.into(),
            expected: expected.into(),
        }
    }

    const OLD_JS: &str = "function isPalindrome(s) {\n  const t = s.toLowerCase();\n  return t === t.split('').reverse().join('');\n}\n";

    #[test]
    fn a_change_that_returns_a_constant_is_suspect() {
        let ex = [value("isPalindrome('Never odd or even')", "true")];
        let new = "function isPalindrome(s) {\n  return true;\n}\n";
        let why = suspicion("w.js", OLD_JS, new, &ex, &[]).expect("suspect");
        assert!(why.contains("no longer uses its input `s`"), "{why}");
    }

    #[test]
    fn a_change_that_spells_out_the_example_is_suspect() {
        let ex = [value("isPalindrome('Never odd or even')", "true")];
        let new = "function isPalindrome(s) {\n  if (s === \"Never odd or even\") return true;\n  const t = s.toLowerCase();\n  return t === t.split('').reverse().join('');\n}\n";
        let why = suspicion("w.js", OLD_JS, new, &ex, &[]).expect("suspect");
        assert!(why.contains("'Never odd or even'"), "{why}");
        // A test's string spelled out: `return "London"` for `city({address: {city: "London"}})`.
        let old = "function city(u) {\n  return u.adress.city;\n}\n";
        let new = "function city(u) {\n  return u.address ? u.address.city : \"London\";\n}\n";
        let why = suspicion("p.js", old, new, &[], &["London".into()]);
        assert!(why.is_some_and(|w| w.contains("'London'")));
        // Raising a test's expected message is a fix, not an echo.
        let old = "def parse(s):\n    return int(s)\n";
        let new = "def parse(s):\n    if not s:\n        raise ValueError('empty input')\n    return int(s)\n";
        assert_eq!(
            suspicion("p.py", old, new, &[], &["empty input".into()]),
            None
        );
        let leap_old = "def is_leap(y):\n    return y % 4 == 0\n";
        let leap_new =
            "def is_leap(y):\n    if y == 1900:\n        return False\n    return y % 4 == 0\n";
        let why = suspicion(
            "l.py",
            leap_old,
            leap_new,
            &[value("is_leap(1900)", "False")],
            &[],
        );
        assert!(why.is_some_and(|w| w.contains("1900")));
    }

    #[test]
    fn an_ordinary_fix_is_not_suspect() {
        let ex = [value("isPalindrome('Never odd or even')", "true")];
        let new = "function isPalindrome(s) {\n  const t = s.toLowerCase().replace(/ /g, '');\n  return t === t.split('').reverse().join('');\n}\n";
        assert_eq!(suspicion("w.js", OLD_JS, new, &ex, &[]), None);
        // Short strings and round numbers are ordinary code.
        let old = "def pct(a, b):\n    return a / b\n";
        let new = "def pct(a, b):\n    return a * 100.0 / b\n";
        assert_eq!(
            suspicion("p.py", old, new, &[value("pct(1, 4)", "25.0")], &[]),
            None
        );
        let old = "def leap(y):\n    return y % 4 == 0\n";
        let new = "def leap(y):\n    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)\n";
        assert_eq!(
            suspicion("p.py", old, new, &[value("leap(1900)", "False")], &[]),
            None
        );
    }

    #[test]
    fn numbers_and_strings_of_an_example() {
        assert_eq!(numbers("f(1900, 2, 0.0, 12.5, 100)"), vec!["1900", "12.5"]);
        assert_eq!(
            quoted("slug('Hi There') == \"hi-there\""),
            vec!["Hi There", "hi-there"]
        );
        assert!(numbers("f('a1900')").is_empty());
    }
}
