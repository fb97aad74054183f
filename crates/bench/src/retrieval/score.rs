//! Scoring what a method showed against a case's answers, and the BM25 baseline.
//!
//! An answer is *present* when the method showed its name or signature (an outline line of
//! that definition, or a body holding it) and *present with body* when a shown body holds the
//! answer's whole span. Spans are compared as lines of the parent tree, which every method
//! indexes, so a match is exact.

use std::collections::HashMap;

use smallcode_core::budget::tokens::count_tokens;

use super::Answer;

/// One definition a method showed: its file, 1-based lines, name, and whether its whole body
/// was shown (else one outline line).
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// Project-relative path.
    pub path: String,
    /// First line.
    pub start: u32,
    /// Last line.
    pub end: u32,
    /// Bare name.
    pub name: String,
    /// Whole body shown.
    pub body: bool,
}

/// Per answer: (present, present with body).
pub fn score(answers: &[Answer], shown: &[Shown]) -> Vec<(bool, bool)> {
    answers
        .iter()
        .map(|a| {
            let inside = |s: &&Shown| {
                s.body && s.path == a.path && s.start <= a.start_line && a.end_line <= s.end
            };
            let body = shown.iter().any(|s| inside(&s));
            let named = shown
                .iter()
                .any(|s| s.path == a.path && s.start == a.start_line && s.name == a.name);
            (body || named, body)
        })
        .collect()
}

/// Scores a text-only map (Aider's): an answer is present when a line of its file's section
/// contains its name as a word, with body when every non-blank line of its source appears in
/// that section in order. `sections` maps a path to the lines shown under it.
pub fn score_text(
    answers: &[Answer],
    sections: &HashMap<String, Vec<String>>,
    source: &dyn Fn(&Answer) -> Option<Vec<String>>,
) -> Vec<(bool, bool)> {
    answers
        .iter()
        .map(|a| {
            let Some(lines) = sections.get(&a.path) else {
                return (false, false);
            };
            let present = lines.iter().any(|l| has_word(l, &a.name));
            let body = present
                && source(a).is_some_and(|src| {
                    let mut want: Vec<&str> = src
                        .iter()
                        .map(|l| l.trim())
                        .filter(|l| !l.is_empty())
                        .collect();
                    // A map that stops before the closing `}` / `end` has shown the logic.
                    while want.last().is_some_and(|l| closes(l)) {
                        want.pop();
                    }
                    let mut it = lines.iter().map(|l| l.trim());
                    want.iter().all(|w| it.any(|got| got == *w))
                });
            (present, body)
        })
        .collect()
}

/// Whether `text` holds `word` as a whole identifier.
fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            !text[..i].chars().next_back().is_some_and(ident)
                && !text[i + word.len()..].chars().next().is_some_and(ident)
        })
}

/// A line that only closes a block.
fn closes(line: &str) -> bool {
    matches!(line, "end" | "end," | "end)") || line.chars().all(|c| "})];,".contains(c))
}

/// Splits a text map into sections: a line ending in `:` with no leading space that names a
/// known file starts one (Aider's and our walk's layout).
pub fn sections(text: &str, is_file: &dyn Fn(&str) -> bool) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        let head = line
            .strip_suffix(':')
            .filter(|h| !h.starts_with(char::is_whitespace) && !h.starts_with('│') && is_file(h));
        if let Some(h) = head {
            cur = Some(h.to_string());
            out.entry(h.to_string()).or_default();
            continue;
        }
        if let Some(c) = &cur {
            out.entry(c.clone())
                .or_default()
                .push(line.trim_start_matches(['│', '⋮']).to_string());
        }
    }
    out
}

/// Lucene's English stop words (the default `StopAnalyzer` set), dropped by the BM25 baseline.
const LUCENE_STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The baseline's analyser: lower-cased runs of letters, digits and `_`, Lucene's stop words
/// dropped. No identifier splitting, no stemming: plain BM25 as code-retrieval papers run it.
pub fn plain_tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| !LUCENE_STOP.contains(&w.as_str()))
}

/// A definition as a BM25 document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Project-relative path.
    pub path: String,
    /// Bare name.
    pub name: String,
    /// 1-based first line.
    pub start: u32,
    /// 1-based last line.
    pub end: u32,
    /// Its source lines.
    pub text: String,
}

/// Pyserini's BM25 defaults.
const K1: f64 = 0.9;
const B: f64 = 0.4;

/// Plain BM25 over definitions.
pub struct Bm25 {
    docs: Vec<Doc>,
    tf: Vec<HashMap<String, u32>>,
    len: Vec<f64>,
    df: HashMap<String, u32>,
    avg: f64,
}

impl Bm25 {
    /// Indexes `docs`.
    pub fn new(docs: Vec<Doc>) -> Bm25 {
        let mut tf = Vec::with_capacity(docs.len());
        let mut len = Vec::with_capacity(docs.len());
        let mut df: HashMap<String, u32> = HashMap::new();
        for d in &docs {
            let mut m: HashMap<String, u32> = HashMap::new();
            let mut n = 0;
            for t in plain_tokens(&d.text) {
                *m.entry(t).or_default() += 1;
                n += 1;
            }
            for t in m.keys() {
                *df.entry(t.clone()).or_default() += 1;
            }
            tf.push(m);
            len.push(n as f64);
        }
        let avg = len.iter().sum::<f64>() / len.len().max(1) as f64;
        Bm25 {
            docs,
            tf,
            len,
            df,
            avg,
        }
    }

    /// Document indexes with a positive score, best first (ties by position).
    pub fn rank(&self, query: &str) -> Vec<usize> {
        let mut q: Vec<String> = plain_tokens(query).collect();
        q.sort();
        q.dedup();
        let n = self.docs.len() as f64;
        let mut scores: Vec<(usize, f64)> = Vec::new();
        for (i, tf) in self.tf.iter().enumerate() {
            let mut s = 0.0;
            for t in &q {
                let Some(&f) = tf.get(t) else { continue };
                let df = self.df[t] as f64;
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                let f = f as f64;
                s += idf * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * self.len[i] / self.avg));
            }
            if s > 0.0 {
                scores.push((i, s));
            }
        }
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scores.into_iter().map(|x| x.0).collect()
    }

    /// The document at `i`.
    pub fn doc(&self, i: usize) -> &Doc {
        &self.docs[i]
    }
}

/// Packs whole definitions in rank order into `budget` tokens, in the walk's layout (a
/// `path:` line per file, `a-b:` then the source): one that does not fit is skipped, one
/// inside a body already shown is not repeated.
pub fn pack_bodies(docs: &[&Doc], budget: usize) -> Vec<Shown> {
    let mut used = 0;
    let mut files: Vec<&str> = Vec::new();
    let mut out: Vec<Shown> = Vec::new();
    for d in docs {
        if budget - used < 16 {
            break;
        }
        if out
            .iter()
            .any(|s| s.path == d.path && s.start <= d.start && d.end <= s.end)
        {
            continue;
        }
        let header = if files.contains(&d.path.as_str()) {
            0
        } else {
            count_tokens(&format!("{}:\n", d.path))
        };
        let cost = header + count_tokens(&format!("{}-{}:\n{}\n", d.start, d.end, d.text));
        if used + cost > budget {
            continue;
        }
        used += cost;
        if header > 0 {
            files.push(&d.path);
        }
        out.push(Shown {
            path: d.path.clone(),
            start: d.start,
            end: d.end,
            name: d.name.clone(),
            body: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(path: &str, name: &str, a: u32, b: u32) -> Answer {
        Answer {
            path: path.into(),
            name: name.into(),
            kind: "function".into(),
            start_line: a,
            end_line: b,
        }
    }

    fn shown(path: &str, name: &str, a: u32, b: u32, body: bool) -> Shown {
        Shown {
            path: path.into(),
            start: a,
            end: b,
            name: name.into(),
            body,
        }
    }

    #[test]
    fn an_answer_is_present_by_its_outline_and_whole_by_a_body_holding_it() {
        let answers = [
            answer("a.py", "f", 10, 20),
            answer("a.py", "g", 30, 40),
            answer("b.py", "h", 1, 5),
            answer("c.py", "k", 1, 9),
        ];
        let out = score(
            &answers,
            &[
                shown("a.py", "f", 10, 20, false), // outline of f
                shown("a.py", "C", 25, 50, true),  // a class body holding g
                shown("b.py", "h2", 1, 3, true),   // a body that does not hold h
                shown("c.py", "k", 2, 9, false),   // same name, other definition
            ],
        );
        assert_eq!(
            out,
            [(true, false), (true, true), (false, false), (false, false)]
        );
    }

    #[test]
    fn text_maps_are_scored_by_section() {
        let text = "a.py:\n⋮\n│def f(x):\n⋮\nb.rs:\n│fn g() {\n│    1\n⋮\n";
        let secs = sections(text, &|p| p.ends_with(".py") || p.ends_with(".rs"));
        let answers = [answer("a.py", "f", 1, 2), answer("b.rs", "g", 1, 3)];
        let src = |a: &Answer| {
            Some(match a.name.as_str() {
                "f" => vec!["def f(x):".into(), "    return x".into()],
                _ => vec!["fn g() {".into(), "    1".into(), "}".into()],
            })
        };
        // `f`'s body is elided; `g`'s is shown up to its closing brace.
        assert_eq!(
            score_text(&answers, &secs, &src),
            [(true, false), (true, true)]
        );
    }

    #[test]
    fn bm25_ranks_by_rare_shared_words_and_packs_whole_definitions() {
        let doc = |name: &str, a, b, text: &str| Doc {
            path: "m.py".into(),
            name: name.into(),
            start: a,
            end: b,
            text: text.into(),
        };
        let bm = Bm25::new(vec![
            doc("a", 1, 2, "def a():\n    return the_value"),
            doc("b", 4, 6, "def b():\n    shutdown pool\n    return"),
            doc("c", 8, 9, "def c():\n    return the pool"),
        ]);
        let order = bm.rank("the pool is shut down: shutdown panics");
        assert_eq!(order, [1, 2], "stop words score nothing");
        let docs: Vec<&Doc> = order.iter().map(|&i| bm.doc(i)).collect();
        let packed = pack_bodies(&docs, 20);
        assert_eq!(packed.len(), 1, "{packed:?}");
        assert_eq!(packed[0].name, "b");
    }
}
