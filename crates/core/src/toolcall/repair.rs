//! Lenient JSON: turns what small models write into a [`serde_json::Value`].
//!
//! Strict `serde_json` is tried first; only if it fails does the lenient parser run, and then the
//! result is marked repaired. The lenient parser accepts, beyond JSON: Markdown fences, single and
//! triple quotes, raw newlines and control characters in strings, unknown escapes (`\d` stays
//! `\d`), unescaped quotes inside a string when the next characters show the string has not ended
//! (`"print("hi")"`), Python `True/False/None`, bare keys, `=` for `:`, `//` and `/* */` comments,
//! trailing, doubled and missing commas, and trailing text after the value.
//!
//! Invariant: a truncated reply is closed only when that is unambiguous. Open brackets are closed at
//! the end of the text after a complete member or element; text that ends inside a string, a
//! number, a key or after `:` is rejected, because a half-written edit must never be applied.

use serde_json::{Map, Number, Value};

/// Deepest nesting accepted; deeper input is rejected instead of risking the stack.
const MAX_DEPTH: usize = 96;

/// Parses `text` as JSON, repairing it if needed. Returns the value and whether repair was
/// needed, or `None` when no reading is unambiguous.
pub fn repair_json(text: &str) -> Option<(Value, bool)> {
    let (body, fenced) = strip_fence(text.trim());
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        return Some((v, fenced));
    }
    let mut p = Lenient {
        s: body.chars().collect(),
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    if !matches!(p.peek(), Some('{' | '[' | '"' | '\'')) {
        // Prose before the value: start at the first bracket.
        p.pos = p.s.iter().position(|&c| c == '{' || c == '[')?;
    }
    let v = p.value(Ctx::Top)?;
    Some((v, true))
}

/// Reads the first JSON value at the start of `text` (after any leading non-JSON text), ignoring
/// whatever follows it. Returns the value, whether it needed repair, and the byte offset just
/// past it, so a scanner can continue after it; on failure, the byte offset where reading stopped.
pub(crate) fn parse_prefix(text: &str) -> Result<(Value, bool, usize), usize> {
    let start = text.find(['{', '[']).ok_or(0usize)?;
    let rest = &text[start..];
    let mut strict = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    if let Some(Ok(v)) = strict.next() {
        return Ok((v, false, start + strict.byte_offset()));
    }
    let mut p = Lenient {
        s: rest.chars().collect(),
        pos: 0,
        depth: 0,
    };
    let v = p.value(Ctx::Top);
    let consumed: usize = p.s[..p.pos.min(p.s.len())]
        .iter()
        .map(|c| c.len_utf8())
        .sum();
    match v {
        Some(v) => Ok((v, true, start + consumed)),
        None => Err(start + consumed),
    }
}

/// Removes one surrounding Markdown code fence (```json … ```), if present.
fn strip_fence(t: &str) -> (&str, bool) {
    let Some(rest) = t.strip_prefix("```") else {
        return (t, false);
    };
    let body = match rest.find('\n') {
        Some(nl) => &rest[nl + 1..],
        None => rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_'),
    };
    let body = body.trim_end();
    (body.strip_suffix("```").unwrap_or(body).trim(), true)
}

fn starts_value(c: char) -> bool {
    matches!(c, '{' | '[' | '"' | '\'' | '-' | '+' | '.') || c.is_alphanumeric() || c == '_'
}

/// Where a string sits, which decides whether a quote inside it can end it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    Key,
    ObjValue,
    ArrayElem,
}

struct Lenient {
    s: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Lenient {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn eof(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// Skips whitespace and comments.
    fn skip_ws(&mut self) {
        self.pos = self.ws_from(self.pos);
    }

    fn ws_from(&self, mut i: usize) -> usize {
        loop {
            match self.at(i) {
                Some(c) if c.is_whitespace() => i += 1,
                Some('/') if self.at(i + 1) == Some('/') => {
                    while self.at(i).is_some_and(|c| c != '\n') {
                        i += 1;
                    }
                }
                Some('/') if self.at(i + 1) == Some('*') => {
                    i += 2;
                    while i < self.s.len()
                        && !(self.at(i) == Some('*') && self.at(i + 1) == Some('/'))
                    {
                        i += 1;
                    }
                    i = (i + 2).min(self.s.len());
                }
                _ => return i,
            }
        }
    }

    fn value(&mut self, ctx: Ctx) -> Option<Value> {
        self.skip_ws();
        match self.peek()? {
            '{' => self.object(),
            '[' => self.array(),
            '"' | '\'' => self.string(ctx).map(Value::String),
            c if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            c if c.is_alphabetic() || c == '_' => self.literal(),
            _ => None,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn object(&mut self) -> Option<Value> {
        self.enter()?;
        self.pos += 1; // '{'
        let mut map = Map::new();
        loop {
            self.skip_ws();
            match self.peek() {
                // Truncated after `{`, a member or a comma: closing is unambiguous.
                None => break,
                Some('}') => {
                    self.pos += 1;
                    break;
                }
                Some(',') => {
                    self.pos += 1;
                    continue;
                }
                Some(_) => {}
            }
            let key = self.key()?;
            self.skip_ws();
            match self.peek()? {
                ':' | '=' => self.pos += 1,
                _ => return None,
            }
            self.skip_ws();
            if self.eof() {
                return None;
            }
            let v = self.value(Ctx::ObjValue)?;
            map.insert(key, v);
            self.skip_ws();
            match self.peek() {
                None | Some(',') | Some('}') => {}
                // A missing comma before the next key.
                Some('"') | Some('\'') => {}
                Some(c) if c.is_alphabetic() || c == '_' => {}
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        Some(Value::Object(map))
    }

    fn key(&mut self) -> Option<String> {
        match self.peek()? {
            '"' | '\'' => self.string(Ctx::Key),
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '-')
                {
                    self.pos += 1;
                }
                Some(self.s[start..self.pos].iter().collect())
            }
            _ => None,
        }
    }

    fn array(&mut self) -> Option<Value> {
        self.enter()?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => break,
                Some(']') => {
                    self.pos += 1;
                    break;
                }
                Some(',') => {
                    self.pos += 1;
                    continue;
                }
                Some(_) => {}
            }
            items.push(self.value(Ctx::ArrayElem)?);
            self.skip_ws();
            match self.peek() {
                None | Some(',') | Some(']') => {}
                Some(c) if starts_value(c) => {} // missing comma
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        Some(Value::Array(items))
    }

    fn literal(&mut self) -> Option<Value> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        let word: String = self.s[start..self.pos].iter().collect();
        match word.as_str() {
            "true" | "True" | "TRUE" => Some(Value::Bool(true)),
            "false" | "False" | "FALSE" => Some(Value::Bool(false)),
            "null" | "None" | "NULL" | "Null" | "nil" | "undefined" => Some(Value::Null),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.pos;
        if matches!(self.peek(), Some('-') | Some('+')) {
            self.pos += 1;
        }
        let mut float = false;
        while let Some(c) = self.peek() {
            match c {
                '0'..='9' | '_' => {}
                '.' | 'e' | 'E' => float = true,
                '-' | '+'
                    if self.pos > start && matches!(self.at(self.pos - 1), Some('e' | 'E')) => {}
                _ => break,
            }
            self.pos += 1;
        }
        // A number cut off by the end of the text may be missing digits.
        if self.eof() && self.depth > 0 {
            return None;
        }
        let text: String = self.s[start..self.pos]
            .iter()
            .filter(|&&c| c != '_' && c != '+')
            .collect();
        if !float {
            if let Ok(i) = text.parse::<i64>() {
                return Some(Value::from(i));
            }
        }
        let f: f64 = text.parse().ok()?;
        Number::from_f64(f).map(Value::Number)
    }

    /// A string opened by `"`, `'`, `"""` or `'''` at `self.pos`.
    fn string(&mut self, ctx: Ctx) -> Option<String> {
        let q = self.peek()?;
        let triple = self.at(self.pos + 1) == Some(q) && self.at(self.pos + 2) == Some(q);
        self.pos += if triple { 3 } else { 1 };
        let mut out = String::new();
        loop {
            let c = self.peek()?; // the end of the text inside a string: truncated, reject
            self.pos += 1;
            if c == q {
                if triple {
                    if self.peek() == Some(q) && self.at(self.pos + 1) == Some(q) {
                        self.pos += 2;
                        return Some(out);
                    }
                } else if self.string_ends(ctx) {
                    return Some(out);
                }
                out.push(c);
                continue;
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = self.peek()?;
            self.pos += 1;
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                '/' | '\\' | '"' | '\'' => out.push(e),
                '\n' => {} // a line continuation
                'u' => match self.unicode_escape() {
                    Some(ch) => out.push(ch),
                    None => out.push_str("\\u"),
                },
                _ => {
                    out.push('\\');
                    out.push(e);
                }
            }
        }
    }

    /// Reads the 4 hex digits after `\u` (and a low surrogate after a high one).
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4(self.pos)?;
        self.pos += 4;
        if (0xD800..0xDC00).contains(&hi)
            && self.at(self.pos) == Some('\\')
            && self.at(self.pos + 1) == Some('u')
        {
            if let Some(lo) = self
                .hex4(self.pos + 2)
                .filter(|lo| (0xDC00..0xE000).contains(lo))
            {
                self.pos += 6;
                return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
            }
        }
        Some(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits: String = self.s.get(at..at + 4)?.iter().collect();
        u32::from_str_radix(&digits, 16).ok()
    }

    /// After a closing quote at `self.pos - 1`: does the string really end here, or is this an
    /// unescaped quote inside it? Decided by what a well-formed document would need next.
    fn string_ends(&self, ctx: Ctx) -> bool {
        let j = self.ws_from(self.pos);
        let Some(next) = self.at(j) else { return true };
        match ctx {
            Ctx::Top | Ctx::Key => true,
            Ctx::ArrayElem => matches!(next, ',' | ']'),
            Ctx::ObjValue => match next {
                '}' => true,
                ',' => self.key_follows(j + 1),
                // A missing comma, but only across a line break (`"a"\n"b": 1`).
                '"' | '\'' => self.s[self.pos..j].contains(&'\n') && self.key_follows(j),
                _ => false,
            },
        }
    }

    /// Whether a `key:` (or the end of the object, or of the text) starts at `i`.
    fn key_follows(&self, i: usize) -> bool {
        let i = self.ws_from(i);
        match self.at(i) {
            None | Some('}') => true,
            Some(q @ ('"' | '\'')) => {
                let mut k = i + 1;
                while let Some(c) = self.at(k) {
                    if c == '\\' {
                        k += 2;
                        continue;
                    }
                    if c == q {
                        break;
                    }
                    if c == '\n' {
                        return false;
                    }
                    k += 1;
                }
                matches!(self.at(self.ws_from(k + 1)), Some(':' | '='))
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let mut k = i;
                while self
                    .at(k)
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    k += 1;
                }
                matches!(self.at(self.ws_from(k)), Some(':' | '='))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixed(s: &str) -> Value {
        let (v, repaired) = repair_json(s).unwrap_or_else(|| panic!("no repair for {s:?}"));
        assert!(repaired, "{s:?} should count as repaired");
        v
    }

    #[test]
    fn valid_json_is_not_repaired() {
        assert_eq!(
            repair_json(r#"{"a": [1, "x"]}"#),
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
        assert_eq!(repair_json(r#"{"a": "half a str"#), None);
        assert_eq!(repair_json(r#"{"a": 4"#), None);
        assert_eq!(repair_json(r#"{"a":"#), None);
        assert_eq!(repair_json(r#"{"a""#), None);
    }

    #[test]
    fn prose_before_and_after() {
        assert_eq!(fixed("Sure! {\"a\": 1} hope that helps"), json!({"a": 1}));
        assert_eq!(repair_json("no json here"), None);
    }

    #[test]
    fn deep_nesting_is_rejected_not_overflowed() {
        let deep = "[".repeat(10_000);
        assert_eq!(repair_json(&deep), None);
    }
}
