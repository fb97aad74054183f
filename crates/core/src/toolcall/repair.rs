//! Lenient JSON: turns what small models write into a [`serde_json::Value`], or says precisely
//! why it cannot.
//!
//! Strict `serde_json` is tried first; only if it fails does the lenient parser run, and then the
//! result is marked repaired. The lenient parser accepts, beyond JSON: Markdown fences, single and
//! triple quotes, raw newlines and control characters in strings, unknown escapes (`\d` stays
//! `\d`), unescaped quotes inside a string that pair up (`"print("hi")"`) or sit inside a word
//! (`'it's'`), Python `True/False/None`, bare keys, `=` for `:`, `//`, `/* */` and `#` comments,
//! trailing, doubled and missing commas, and prose before and after the value.
//!
//! Invariant: a reading that is not unambiguous is refused with a [`RepairError`] naming the
//! place and what a reading needed there. In particular:
//! - a truncated reply is closed only after a complete member or element; text that ends inside
//!   a string, a number, a key or after `:` is refused, because a half-written edit must never be
//!   applied;
//! - a quote inside a string ends it when what follows is what the document needs next (`,` and a
//!   key, or `}`, after a member; `,` or `]` after an element; a key or an element on the same
//!   line is a missing comma). Any other quote is kept only as one of a pair of inner quotes whose
//!   first one does not look like the end of a word (`"b" note]` is refused, not read on across
//!   the `]` that follows), and a string whose inner quotes are unpaired where the document could
//!   go on is refused: that reading would run across structure;
//! - text after the value may be prose or another value, but not more of the same document: a
//!   `,` and a key (an object closed early), a quote, a `:`, or a line that ends in a quote and
//!   more closing brackets than it opens (an unescaped quote ended a string early). Extra closing
//!   brackets at the end are dropped only when every choice of which bracket was extra reads the
//!   same.
//!
//! Time is linear in the input: whitespace and comments are skipped through a table built once,
//! right to left, and every other lookahead scans text between two quotes that no other lookahead
//! scans again.

use super::error::{RepairError, RepairErrorKind};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted; deeper input is refused instead of risking the stack.
const MAX_DEPTH: usize = 96;

/// The longest text one call is read from, on every path (native arguments and calls in reply
/// text): far beyond any call a small model writes (≈64k tokens), and it keeps every read of a
/// huge reply bounded. A call that does not end within it is refused.
pub(crate) const MAX_CALL_BYTES: usize = 256 * 1024;

/// Longest snippet of the input quoted in an error, in characters.
const MAX_FOUND: usize = 40;

/// What a value may be, for errors.
const A_VALUE: &str = "a value (string, number, object, list, true, false or null)";

/// Parses `text` as JSON, repairing it if needed. Returns the value and whether repair was
/// needed, or why no reading is unambiguous.
pub fn repair_json(text: &str) -> Result<(Value, bool), RepairError> {
    let (body, fenced) = strip_fence(text.trim());
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        return Ok((v, fenced));
    }
    let first = body.trim_start();
    let start = if first.starts_with(['{', '[', '"', '\'']) {
        body.len() - first.len()
    } else {
        // Prose before the value: start at the first bracket.
        body.find(['{', '['])
            .ok_or_else(|| Lenient::new(body, 0).error(0, RepairErrorKind::NoValue, OBJECT))?
    };
    let base = body.as_ptr() as usize - text.as_ptr() as usize + start;
    let mut p = Lenient::new(&body[start..], base);
    let v = p.top()?;
    Ok((v, true))
}

/// What the tool-call readers look for.
const OBJECT: &str = "a JSON object or list";

/// Reads the first JSON value at the start of `text` (after any leading non-JSON text), ignoring
/// prose or other values after it. Returns the value, whether it needed repair, and the byte
/// offset just past it, so a scanner can continue after it; or why it could not be read, with the
/// byte offset where reading stopped.
pub(crate) fn parse_prefix(text: &str) -> Result<(Value, bool, usize), RepairError> {
    let Some(start) = text.find(['{', '[']) else {
        return Err(Lenient::new(text, 0).error(0, RepairErrorKind::NoValue, OBJECT));
    };
    let rest = &text[start..];
    let mut strict = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    if let Some(Ok(v)) = strict.next() {
        let end = strict.byte_offset();
        if plain_after(&rest[end..]) {
            return Ok((v, false, start + end));
        }
        // Text after the value that could continue it: the lenient reading decides (same value).
        Lenient::new(rest, start).top()?;
        return Ok((v, false, start + end));
    }
    let mut p = Lenient::new(rest, start);
    let v = p.top()?;
    Ok((v, true, p.byte_offset(p.end)))
}

/// The lenient parser alone, without the strict first try: property tests check that it reads
/// valid JSON as `serde_json` does.
#[cfg(test)]
pub(super) fn lenient_only(text: &str) -> Result<Value, RepairError> {
    Lenient::new(text, 0).top()
}

/// Whether the text after a strictly read value starts with nothing that could continue it, so
/// the lenient check can be skipped.
fn plain_after(rest: &str) -> bool {
    !rest
        .trim_start()
        .starts_with([',', '}', ']', '"', '\'', ':', '=', '/', '#'])
        && !recloses(rest)
}

/// Whether the rest of the value's line ends in a quote and more closing brackets than it
/// opens (`{"a":""}}a"}}`): the document closed again after a quote, so an unescaped quote
/// ended a string early and the value read so far is not the one meant. Prose or another value
/// after it (`and {"b": "x"}`) opens what it closes. The same holds for a line that ends in a
/// closing bracket after an odd number of double quotes (`{"a":""}{","k":[]}`): the first of them
/// ended a string early, whatever the brackets count.
fn recloses(rest: &str) -> bool {
    let line = rest.split('\n').next().unwrap_or("").trim_end();
    let mut quotes = 0usize;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => quotes += 1,
            _ => {}
        }
    }
    if quotes % 2 == 1 && line.ends_with(['}', ']']) {
        return true;
    }
    let body = line.trim_end_matches(['}', ']', ' ', '\t']);
    let closes = line[body.len()..]
        .chars()
        .filter(|c| matches!(c, '}' | ']'))
        .count();
    let opens = body.chars().filter(|c| matches!(c, '{' | '[')).count();
    let inner_closes = body.chars().filter(|c| matches!(c, '}' | ']')).count();
    closes > 0 && body.ends_with(['"', '\'']) && opens < closes + inner_closes
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

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '-')
}

/// Where a string sits, which decides whether a quote inside it can end it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    Key,
    ObjValue,
    ArrayElem,
}

/// The parser over one text. Positions are char indices into `s`.
struct Lenient {
    s: Vec<char>,
    /// `skip[i]`: the first position at or after `i` that is neither whitespace nor inside a
    /// comment. Built once, so a lookahead past a long comment costs one lookup, not a rescan.
    skip: Vec<u32>,
    /// `newline[i]`: the first line break at or after `i` (`s.len()` if none).
    newline: Vec<u32>,
    pos: usize,
    depth: usize,
    /// Byte offset of `s[0]` in the text the caller gave, for [`RepairError::offset`].
    base: usize,
    /// Where the top value ended (char index).
    end: usize,
    /// Whether an object was followed by another member of an object (`[0]`), or a list by
    /// another element of a list (`[1]`): an extra `}` (`]`) at the end could then have been meant
    /// to close either, which moves members between objects.
    reopenable: [bool; 2],
}

impl Lenient {
    fn new(text: &str, base: usize) -> Lenient {
        let s: Vec<char> = text.chars().collect();
        let (skip, newline) = skip_table(&s);
        Lenient {
            s,
            skip,
            newline,
            pos: 0,
            depth: 0,
            base,
            end: 0,
            reopenable: [false; 2],
        }
    }

    /// The top value, then a check of what follows it.
    fn top(&mut self) -> Result<Value, RepairError> {
        let v = self.value(Ctx::Top)?;
        self.end = self.pos;
        self.check_trailing()?;
        Ok(v)
    }

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

    fn ws_from(&self, i: usize) -> usize {
        self.skip.get(i).map_or(self.s.len(), |&j| j as usize)
    }

    /// Byte offset of char index `i` in the caller's text.
    fn byte_offset(&self, i: usize) -> usize {
        self.base
            + self.s[..i.min(self.s.len())]
                .iter()
                .map(|c| c.len_utf8())
                .sum::<usize>()
    }

    /// A refusal at char index `at`, quoting the text found there.
    fn error(&self, at: usize, kind: RepairErrorKind, expected: &str) -> RepairError {
        let found = self.found(at);
        self.error_found(at, kind, expected, found)
    }

    fn error_found(
        &self,
        at: usize,
        kind: RepairErrorKind,
        expected: &str,
        found: String,
    ) -> RepairError {
        let (line, column) = self.line_col(at);
        RepairError {
            kind,
            offset: self.byte_offset(at),
            line,
            column,
            expected: expected.to_string(),
            found,
        }
    }

    /// The text at `at` for an error: backquoted, cut at a line end or [`MAX_FOUND`] chars.
    fn found(&self, at: usize) -> String {
        let rest = self.s.get(at..).unwrap_or_default();
        if rest.is_empty() {
            return "the end of the text".into();
        }
        let mut out: String = rest
            .iter()
            .take(MAX_FOUND)
            .take_while(|&&c| c != '\n')
            .collect();
        if out.is_empty() {
            out.push_str("\\n");
        }
        if out.chars().count() < rest.len() {
            out.push('…');
        }
        format!("`{out}`")
    }

    /// 1-based line and column of char index `at`.
    fn line_col(&self, at: usize) -> (usize, usize) {
        let before = &self.s[..at.min(self.s.len())];
        let line = 1 + before.iter().filter(|&&c| c == '\n').count();
        let column = 1 + before.iter().rev().take_while(|&&c| c != '\n').count();
        (line, column)
    }

    fn truncated(&self, expected: &str) -> RepairError {
        self.error(self.s.len(), RepairErrorKind::Truncated, expected)
    }

    fn value(&mut self, ctx: Ctx) -> Result<Value, RepairError> {
        self.skip_ws();
        match self.peek() {
            None => Err(self.truncated(A_VALUE)),
            Some('{') => self.object(),
            Some('[') => self.array(),
            Some('"' | '\'') => self.string(ctx).map(Value::String),
            Some(c) if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_alphabetic() || c == '_' => self.literal(),
            Some(_) => Err(self.error(self.pos, RepairErrorKind::Unexpected, A_VALUE)),
        }
    }

    fn enter(&mut self) -> Result<(), RepairError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let expected = format!("at most {MAX_DEPTH} levels of nesting");
            return Err(self.error_found(
                self.pos,
                RepairErrorKind::TooDeep,
                &expected,
                "deeper nesting".into(),
            ));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, RepairError> {
        self.enter()?;
        self.pos += 1; // '{'
        let mut map = Map::new();
        let mut after_object = false;
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
            self.reopenable[0] |= after_object;
            let key = self.key()?;
            self.skip_ws();
            match self.peek() {
                Some(':' | '=') => self.pos += 1,
                None => return Err(self.truncated(&format!("\":\" after the key {}", show(&key)))),
                Some(_) => {
                    let expected = format!("\":\" after the key {}", show(&key));
                    return Err(self.error(self.pos, RepairErrorKind::Unexpected, &expected));
                }
            }
            self.skip_ws();
            if self.eof() {
                return Err(self.truncated(&format!("a value for the key {}", show(&key))));
            }
            let v = self.value(Ctx::ObjValue)?;
            after_object = v.is_object();
            self.skip_ws();
            match self.peek() {
                None | Some(',' | '}') => {}
                // A missing comma before the next key.
                Some('"' | '\'') => {}
                Some(c) if c.is_alphabetic() || c == '_' => {}
                Some(_) => {
                    let expected = format!("\",\" or \"}}\" after the value of {}", show(&key));
                    return Err(self.error(self.pos, RepairErrorKind::Unexpected, &expected));
                }
            }
            map.insert(key, v);
        }
        self.depth -= 1;
        Ok(Value::Object(map))
    }

    fn key(&mut self) -> Result<String, RepairError> {
        match self.peek() {
            Some('"' | '\'') => self.string(Ctx::Key),
            Some(c) if c.is_alphabetic() || c == '_' || c == '$' => {
                let start = self.pos;
                while self.peek().is_some_and(is_key_char) {
                    self.pos += 1;
                }
                Ok(self.s[start..self.pos].iter().collect())
            }
            _ => Err(self.error(self.pos, RepairErrorKind::Unexpected, "a key or \"}\"")),
        }
    }

    fn array(&mut self) -> Result<Value, RepairError> {
        self.enter()?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        let mut after_array = false;
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
            self.reopenable[1] |= after_array;
            let v = self.value(Ctx::ArrayElem)?;
            after_array = v.is_array();
            items.push(v);
            self.skip_ws();
            match self.peek() {
                None | Some(',' | ']') => {}
                Some(c) if starts_value(c) => {} // missing comma
                Some(_) => {
                    return Err(self.error(
                        self.pos,
                        RepairErrorKind::Unexpected,
                        "\",\" or \"]\" after an element",
                    ))
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    fn literal(&mut self) -> Result<Value, RepairError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        let word: String = self.s[start..self.pos].iter().collect();
        match word.as_str() {
            "true" | "True" | "TRUE" => Ok(Value::Bool(true)),
            "false" | "False" | "FALSE" => Ok(Value::Bool(false)),
            "null" | "None" | "NULL" | "Null" | "nil" | "undefined" => Ok(Value::Null),
            _ => Err(self.error(start, RepairErrorKind::Unexpected, A_VALUE)),
        }
    }

    fn number(&mut self) -> Result<Value, RepairError> {
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
            return Err(self.truncated("the rest of the number"));
        }
        let text: String = self.s[start..self.pos]
            .iter()
            .filter(|&&c| c != '_' && c != '+')
            .collect();
        if !float {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::from(i));
            }
            if let Ok(u) = text.parse::<u64>() {
                return Ok(Value::from(u));
            }
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| self.error(start, RepairErrorKind::Unexpected, "a finite number"))
    }

    /// A string opened by `"`, `'`, `"""` or `'''` at `self.pos`.
    fn string(&mut self, ctx: Ctx) -> Result<String, RepairError> {
        let open = self.pos;
        let q = self.s[open];
        let triple = self.at(open + 1) == Some(q) && self.at(open + 2) == Some(q);
        self.pos += if triple { 3 } else { 1 };
        let mut out = String::new();
        // An unescaped inner quote opened a quoted part that has not closed yet.
        let mut inner_open = false;
        loop {
            let Some(c) = self.peek() else {
                // The end of the text inside a string: truncated, refuse.
                let (line, column) = self.line_col(open);
                let expected = format!(
                    "the closing quote of the string that opens at line {line}, column {column}"
                );
                return Err(self.truncated(&expected));
            };
            self.pos += 1;
            if c == q {
                if triple {
                    if self.peek() == Some(q) && self.at(self.pos + 1) == Some(q) {
                        self.pos += 2;
                        return Ok(out);
                    }
                    out.push(c);
                    continue;
                }
                let at = self.pos - 1;
                let ends = self.string_ends(ctx);
                if ends && !inner_open {
                    return Ok(out);
                }
                let closing = at == open + 1 || self.looks_closing(at);
                if ends || (!self.inside_word(at) && !inner_open && closing) {
                    // Either the string really ends here and its inner quotes are unpaired, or
                    // it goes on and a quote that reads as its end is followed by something
                    // that cannot follow a string: no reading is safe.
                    return Err(self.quote_error(ctx, at, &out));
                }
                if !self.inside_word(at) {
                    inner_open = !inner_open;
                }
                out.push(c);
                continue;
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek() else {
                return Err(self.truncated("an escaped character after \"\\\""));
            };
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

    /// The refusal of a quote at `at` inside a string read so far as `read`.
    fn quote_error(&self, ctx: Ctx, at: usize, read: &str) -> RepairError {
        let next = match ctx {
            Ctx::ArrayElem => "\",\" or \"]\"",
            _ => "\",\" and a key, or \"}\",",
        };
        let shown = show(read);
        let expected = format!(
            "{next} after the string {shown} (a quote inside a string must be escaped as \\\")"
        );
        self.error(self.ws_from(at + 1), RepairErrorKind::Quote, &expected)
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
        let digits = self.s.get(at..at + 4)?;
        if !digits.iter().all(char::is_ascii_hexdigit) {
            return None;
        }
        let digits: String = digits.iter().collect();
        u32::from_str_radix(&digits, 16).ok()
    }

    /// After a closing quote at `self.pos - 1`: is that where the document needs the string to
    /// end? Decided by what a well-formed document would need next.
    fn string_ends(&self, ctx: Ctx) -> bool {
        let j = self.ws_from(self.pos);
        let Some(next) = self.at(j) else { return true };
        match ctx {
            Ctx::Top | Ctx::Key => true,
            Ctx::ArrayElem => match next {
                ',' | ']' => true,
                // A missing comma before the next string element, or before any element on the
                // next line.
                '"' | '\'' => self.element_at(j) || self.line_break(self.pos, j),
                c => starts_value(c) && self.line_break(self.pos, j),
            },
            Ctx::ObjValue => match next {
                '}' => true,
                ',' => self.key_follows(j + 1),
                // A missing comma before the next key.
                '"' | '\'' => self.key_at(j, false),
                _ => false,
            },
        }
    }

    /// Whether a line break lies in `from..to`.
    fn line_break(&self, from: usize, to: usize) -> bool {
        self.newline.get(from).is_some_and(|&nl| (nl as usize) < to)
    }

    /// Whether the quote at `at` sits inside a word (`it's`): letters or digits on both sides.
    fn inside_word(&self, at: usize) -> bool {
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        at > 0 && word(self.at(at - 1)) && word(self.at(at + 1))
    }

    /// Whether the quote at `at` reads as the end of a quoted word: a word character or closing
    /// punctuation before it, and a space, the end of the line or text, or punctuation that ends
    /// a phrase (`,` `:` `;` or a closing bracket) after it.
    fn looks_closing(&self, at: usize) -> bool {
        let before = at.checked_sub(1).and_then(|i| self.at(i));
        let word_before = before.is_some_and(|c| {
            c.is_alphanumeric() || matches!(c, '_' | ')' | ']' | '}' | '.' | '!' | '?')
        });
        let end_after = self
            .at(at + 1)
            .is_none_or(|c| c.is_whitespace() || matches!(c, ',' | ':' | ';' | ')' | ']' | '}'));
        word_before && end_after
    }

    /// Whether a `key:` (or the end of the object, or of the text) starts at `i`, after any
    /// whitespace.
    fn key_follows(&self, i: usize) -> bool {
        let i = self.ws_from(i);
        match self.at(i) {
            None | Some('}') => true,
            _ => self.key_at(i, true),
        }
    }

    /// Whether a key and its `:` (or `=`) start at `i`; a bare key counts only if `bare`.
    fn key_at(&self, i: usize, bare: bool) -> bool {
        match self.at(i) {
            Some(q @ ('"' | '\'')) => self
                .quoted_end(i, q)
                .is_some_and(|k| matches!(self.at(self.ws_from(k + 1)), Some(':' | '='))),
            Some(c) if bare && (c.is_alphabetic() || c == '_' || c == '$') => {
                let mut k = i;
                while self.at(k).is_some_and(is_key_char) {
                    k += 1;
                }
                matches!(self.at(self.ws_from(k)), Some(':' | '='))
            }
            _ => false,
        }
    }

    /// Whether a string element starts at `i` and is followed by `,`, `]` or the end.
    fn element_at(&self, i: usize) -> bool {
        let Some(q) = self.at(i) else { return false };
        self.quoted_end(i, q)
            .is_some_and(|k| matches!(self.at(self.ws_from(k + 1)), None | Some(',' | ']')))
    }

    /// The closing quote of a one-line string opened by `q` at `i`, if it closes on its line.
    fn quoted_end(&self, i: usize, q: char) -> Option<usize> {
        let mut k = i + 1;
        while let Some(c) = self.at(k) {
            match c {
                '\\' => k += 2,
                '\n' => return None,
                c if c == q => return Some(k),
                _ => k += 1,
            }
        }
        None
    }

    /// After the top value: refuses text that continues the same document, and extra closing
    /// brackets whose place changes the meaning.
    fn check_trailing(&self) -> Result<(), RepairError> {
        let mut i = self.ws_from(self.end);
        while let Some(c @ ('}' | ']')) = self.at(i) {
            if self.reopenable[usize::from(c == ']')] {
                let (kind, other) = if c == '}' {
                    ("object", "another object")
                } else {
                    ("list", "another list")
                };
                let expected = format!(
                    "no \"{c}\" here: one is extra, and whether the values before it belong to \
                     this {kind} or to {other} depends on which"
                );
                return Err(self.error(i, RepairErrorKind::ExtraClose, &expected));
            }
            i = self.ws_from(i + 1);
        }
        let closed_early = match self.at(i) {
            Some(',') => self.key_at(self.ws_from(i + 1), true),
            Some('"' | '\'') => self.key_at(i, false),
            _ => false,
        };
        let line_end = self
            .newline
            .get(self.end)
            .map_or(self.s.len(), |&n| n as usize);
        let rest: String = self
            .s
            .get(self.end..line_end)
            .unwrap_or_default()
            .iter()
            .collect();
        let reclosed = recloses(&rest);
        if !closed_early && !reclosed && !matches!(self.at(i), Some('"' | '\'' | ':' | '=')) {
            return Ok(());
        }
        let (line, column) = self.line_col(self.end.saturating_sub(1));
        if closed_early {
            let expected = format!(
                "nothing after the value that closes at line {line}, column {column} (more \
                 members follow it: one closing bracket too many?)"
            );
            return Err(self.error(i, RepairErrorKind::ClosedEarly, &expected));
        }
        let expected = format!("nothing after the value that ends at line {line}, column {column}");
        Err(self.error(i, RepairErrorKind::Unexpected, &expected))
    }
}

/// `s` quoted for an error, cut to a readable length.
fn show(s: &str) -> String {
    let cut: String = s.chars().take(MAX_FOUND).collect();
    let tail = if cut.len() < s.len() { "…" } else { "" };
    format!("{:?}{tail}", cut)
}

/// `skip[i]` and `newline[i]` for every `i` (see [`Lenient`]), computed right to left in one pass:
/// whitespace, `//` and `#` to the end of the line, `/* … */`. A comment that would run to the end
/// of the text is not one: it would hide the closing brackets after it (`[""#"]}`), and the
/// reply would then be closed as if truncated.
fn skip_table(s: &[char]) -> (Vec<u32>, Vec<u32>) {
    let n = s.len();
    let mut skip = vec![0u32; n + 1];
    let mut newlines = vec![n as u32; n + 1];
    skip[n] = n as u32;
    // First `*/` at or after i + 1 and i + 2, and the first newline after i.
    let (mut close1, mut close2, mut newline) = (n, n, n);
    for i in (0..n).rev() {
        let next = s.get(i + 1).copied();
        skip[i] = match s[i] {
            c if c.is_whitespace() => skip[i + 1],
            '#' if newline < n => skip[newline],
            '/' if next == Some('/') && newline < n => skip[newline],
            '/' if next == Some('*') && close2 < n => skip[close2 + 2],
            _ => i as u32,
        };
        let here = if s[i] == '*' && next == Some('/') {
            i
        } else {
            close1
        };
        close2 = close1;
        close1 = here;
        if s[i] == '\n' {
            newline = i;
        }
        newlines[i] = newline as u32;
    }
    (skip, newlines)
}

#[cfg(test)]
mod tests;
