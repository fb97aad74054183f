//! Text analysis for lexical relevance: how code and requests become terms.
//!
//! One analyser serves both sides, so a request's words meet a definition's words in the same
//! form: identifiers are split at `_`, case changes and digits (`getHTTPResponse2` → `get`,
//! `http`, `response`), lower-cased and lightly stemmed (`panics`, `panicked`, `panicking` →
//! `panic`), and an identifier of several parts also counts whole (`getHTTPResponse2` →
//! `gethttpresponse2`) so that naming it exactly beats sharing a part. English stop words and
//! the keywords every language repeats (`when`, `the`, `is`, `fn`, `return`, `self`) are no
//! terms at all: they can never decide a rank.

/// Words that are never terms: English function words, commit-message filler and keywords
/// common to the supported languages. Sorted, for binary search.
const STOP: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "cannot", "could", "def", "did", "do", "does", "doing", "done", "down",
    "during", "each", "elif", "else", "end", "etc", "few", "fixes", "fn", "for", "from", "func",
    "function", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him",
    "his", "how", "i", "ie", "if", "impl", "in", "into", "is", "isn", "it", "its", "itself",
    "just", "let", "local", "me", "more", "most", "must", "my", "no", "nor", "not", "now", "of",
    "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "pr", "pub",
    "return", "same", "self", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to",
    "too", "under", "until", "up", "us", "var", "very", "was", "way", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours",
];

/// Whether `w` (lower case) is a stop word. Called for every new word part of every file, so
/// the sorted list is searched only among words of the same length and first letter.
pub fn is_stop(w: &str) -> bool {
    let Some(&first) = w.as_bytes().first() else {
        return false;
    };
    if w.len() > STOP_MAX_LEN || !first.is_ascii_lowercase() {
        return false;
    }
    let lo = STOP.partition_point(|s| s.as_bytes()[0] < first);
    STOP[lo..]
        .iter()
        .take_while(|s| s.as_bytes()[0] == first)
        .any(|s| s.len() == w.len() && *s == w)
}

/// The longest stop word: anything longer is not one.
const STOP_MAX_LEN: usize = 8;

/// Bytes that continue an identifier-like word: ASCII letters, digits and `_`.
const WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_';
        c += 1;
    }
    t
};

/// Calls `f(byte offset, word)` for every identifier-like word of `text`: a run of ASCII
/// letters, digits and `_` that does not start with a digit.
pub fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(usize, &'t str)) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && WORD_BYTE[b[i] as usize] {
                i += 1;
            }
            f(start, &text[start..i]);
        } else if c.is_ascii_digit() {
            while i < b.len() && WORD_BYTE[b[i] as usize] {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
}

/// The parts of an identifier, lower-cased: split at `_`, at lower → upper changes, before the
/// last capital of a run of capitals followed by a lower-case letter (`HTTPServer` → `http`,
/// `server`), and between letters and digits. Parts shorter than two characters are dropped.
pub fn split_ident(word: &str, mut f: impl FnMut(&str)) {
    let b = word.as_bytes();
    let mut part = String::new();
    let mut flush = |part: &mut String| {
        if part.len() >= 2 {
            f(part);
        }
        part.clear();
    };
    for i in 0..b.len() {
        let c = b[i];
        if c == b'_' {
            flush(&mut part);
            continue;
        }
        if i > 0 && !part.is_empty() {
            let p = b[i - 1];
            let boundary = (p.is_ascii_lowercase() && c.is_ascii_uppercase())
                || (p.is_ascii_digit() != c.is_ascii_digit())
                || (p.is_ascii_uppercase()
                    && c.is_ascii_uppercase()
                    && b.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                flush(&mut part);
            }
        }
        part.push(c.to_ascii_lowercase() as char);
    }
    flush(&mut part);
}

/// A light English stemmer (plurals, `-ed`, `-ing`, a final `e`), enough for a request's
/// `panics` / `handled` / `closing` to meet code's `panic` / `handle` / `close`. Not Porter:
/// both sides go through the same function, so only consistency matters.
pub fn stem(w: &str) -> String {
    let mut s = w.to_string();
    let n = s.len();
    if n > 4 && s.ends_with("ies") {
        s.truncate(n - 3);
        s.push('y');
    } else if n > 4
        && s.ends_with("es")
        // `-sses` too: `classes` → `class`.
        && ["s", "x", "z", "ch", "sh"]
            .iter()
            .any(|e| s[..n - 2].ends_with(e))
    {
        s.truncate(n - 2);
    } else if n > 3 && s.ends_with('s') && !["ss", "us", "is"].iter().any(|e| s.ends_with(e)) {
        s.truncate(n - 1);
    }
    let n = s.len();
    if n > 5 && s.ends_with("ing") {
        s.truncate(n - 3);
        undouble(&mut s);
    } else if n > 4 && s.ends_with("ed") {
        s.truncate(n - 2);
        undouble(&mut s);
    }
    // -ization / -ion after t or s: `normalization` → `normaliz`, `insertion` → `insert`.
    let n = s.len();
    if n > 8 && s.ends_with("ization") {
        s.truncate(n - 5);
    } else if n > 6 && (s.ends_with("tion") || s.ends_with("sion")) {
        s.truncate(n - 3);
    }
    if s.len() > 3 && s.ends_with('e') {
        s.pop();
    }
    s
}

/// `stopp` → `stop`, `runn` → `run`; `ll`, `ss`, `zz` stay (`filled` → `fill`).
fn undouble(s: &mut String) {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 3 && b[n - 1] == b[n - 2] && !b"aeioulsz".contains(&b[n - 1]) {
        s.pop();
    }
}

/// Calls `f(term)` for the terms of one identifier-like word: its parts (stop words dropped,
/// stemmed) and, when it has several parts, the whole word lower-cased.
pub fn terms_of(word: &str, mut f: impl FnMut(&str)) {
    let mut parts = 0;
    split_ident(word, |p| {
        parts += 1;
        if !is_stop(p) && !p.bytes().all(|c| c.is_ascii_digit()) {
            f(&stem(p));
        }
    });
    if parts > 1 {
        let whole = compound(word);
        if whole.len() >= 3 {
            f(&whole);
        }
    }
}

/// An identifier's whole form as a term: lower case without `_`, so `spawn_blocking`,
/// `spawnBlocking` and a request's "spawn blocking" (see [`request_bigrams`]) meet.
pub fn compound(word: &str) -> String {
    word.bytes()
        .filter(|&c| c != b'_')
        .map(|c| c.to_ascii_lowercase() as char)
        .collect()
}

/// Two neighbouring plain words of a request joined as an identifier would be
/// (`bracketed paste` → `bracketedpaste`), when neither is a stop word.
pub fn request_bigrams(words: &[RequestWord<'_>], mut f: impl FnMut(&str, usize)) {
    for w in words.windows(2) {
        let (a, b) = (w[0].word, w[1].word);
        if w[0].line != w[1].line || a.len() < 3 || b.len() < 3 {
            continue;
        }
        let (la, lb) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        if is_stop(&la) || is_stop(&lb) {
            continue;
        }
        f(&format!("{}{}", compound(a), compound(b)), w[0].line);
    }
}

/// One word of a request, with whether it is marked as code: in backticks, followed by `(`,
/// `snake_case`, `camelCase` / `CamelCase` with an inner capital, or joined by `.` / `::` to
/// another word.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestWord<'a> {
    /// The word as written.
    pub word: &'a str,
    /// Marked as code.
    pub code: bool,
    /// 0-based line of the request it is on.
    pub line: usize,
}

/// The words of a request (see [`RequestWord`]).
pub fn request_words(text: &str) -> Vec<RequestWord<'_>> {
    let b = text.as_bytes();
    // Backtick spans: a word inside an odd-numbered span is code.
    let ticks: Vec<usize> = b
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'`')
        .map(|(i, _)| i)
        .collect();
    let in_ticks = |at: usize| ticks.iter().filter(|&&t| t < at).count() % 2 == 1;
    let mut lines = 0;
    let mut last = 0;
    let mut out = Vec::new();
    for_each_word(text, |at, word| {
        lines += b[last..at].iter().filter(|&&c| c == b'\n').count();
        last = at;
        let end = at + word.len();
        let inner = word.trim_matches('_');
        let camel = inner.bytes().skip(1).any(|c| c.is_ascii_uppercase())
            && inner.bytes().any(|c| c.is_ascii_lowercase());
        let joined = |s: &[u8]| {
            s.starts_with(b"::") || (s.len() > 1 && s[0] == b'.' && s[1].is_ascii_alphabetic())
        };
        let before = &b[..at];
        let joined_before = before.ends_with(b"::")
            || (before.ends_with(b".")
                && before.len() > 1
                && before[before.len() - 2].is_ascii_alphanumeric());
        let code = in_ticks(at)
            || b.get(end) == Some(&b'(')
            || inner.contains('_')
            || camel
            || joined(&b[end..])
            || joined_before;
        out.push(RequestWord {
            word,
            code,
            line: lines,
        });
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(w: &str) -> Vec<String> {
        let mut v = Vec::new();
        split_ident(w, |p| v.push(p.to_string()));
        v
    }

    fn terms(w: &str) -> Vec<String> {
        let mut v = Vec::new();
        terms_of(w, |p| v.push(p.to_string()));
        v
    }

    #[test]
    fn stop_words_are_sorted_and_found() {
        let mut sorted = STOP.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOP);
        assert_eq!(STOP.iter().map(|s| s.len()).max(), Some(STOP_MAX_LEN));
        for w in STOP {
            assert!(is_stop(w), "{w}");
        }
        assert!(!is_stop("") && !is_stop("whence") && !is_stop("Fn"));
        assert!(is_stop("when") && is_stop("the") && is_stop("is"));
        assert!(!is_stop("panic"));
    }

    #[test]
    fn identifiers_split_at_case_underscore_and_digits() {
        assert_eq!(parts("getHTTPResponse2"), ["get", "http", "response"]);
        assert_eq!(parts("spawn_blocking"), ["spawn", "blocking"]);
        assert_eq!(parts("__init__"), ["init"]);
        assert_eq!(parts("FuzzyMatchV2"), ["fuzzy", "match"]);
        assert_eq!(parts("utf8Len"), ["utf", "len"]);
        assert_eq!(terms("spawn_blocking"), ["spawn", "block", "spawnblocking"]);
        assert_eq!(terms("spawnBlocking"), ["spawn", "block", "spawnblocking"]);
        assert_eq!(terms("when"), Vec::<String>::new());
        assert_eq!(terms("is_empty"), ["empty", "isempty"]);
        let ws = request_words("the bracketed paste mode");
        let mut bi = Vec::new();
        request_bigrams(&ws, |t, _| bi.push(t.to_string()));
        assert_eq!(bi, ["bracketedpaste", "pastemode"]);
    }

    #[test]
    fn stems_meet_across_forms() {
        for (a, b) in [
            ("panics", "panic"),
            ("handled", "handle"),
            ("handling", "handles"),
            ("closing", "close"),
            ("stopped", "stop"),
            ("batches", "batch"),
            ("caches", "cache"),
            ("filled", "fill"),
            ("entries", "entry"),
            ("insertion", "insert"),
            ("normalization", "normalize"),
            ("validation", "validate"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(stem("process"), "process");
        assert_eq!(stem("status"), "status");
    }

    #[test]
    fn request_words_know_what_is_marked_as_code() {
        let ws =
            request_words("Fix `extend()` dropping the retry_limit\nwhen Loop.run() and a::b exit");
        let code: Vec<(&str, bool, usize)> = ws.iter().map(|w| (w.word, w.code, w.line)).collect();
        assert_eq!(
            code,
            [
                ("Fix", false, 0),
                ("extend", true, 0),
                ("dropping", false, 0),
                ("the", false, 0),
                ("retry_limit", true, 0),
                ("when", false, 1),
                ("Loop", true, 1),
                ("run", true, 1),
                ("and", false, 1),
                ("a", true, 1),
                ("b", true, 1),
                ("exit", false, 1),
            ]
        );
    }
}
