//! Typo hints: a name the failing code uses once or twice, next to a near-identical name the
//! rest of the project uses as often or more.
//!
//! `user.adress.city` crashes with "reading 'city' of undefined"; a 135M model reads that line
//! and writes it back unchanged, because nothing in its view says that `adress` is wrong. The
//! project knows: the test and the other functions say `address`. One line naming both turns
//! an impossible task for the model into copying a word.

use std::collections::HashMap;

use super::workspace::Workspace;

/// At most this many files / bytes are scanned for the project's vocabulary.
const MAX_FILES: usize = 300;
const MAX_BYTES: usize = 2 << 20;

/// Hint lines (`` `adress` is used only here; elsewhere the project says `address`. ``) for the
/// identifiers in `text` (the task and the failing output) that look like typos of a name the
/// project uses. Empty when nothing looks wrong.
pub fn typo_hints(ws: &Workspace, text: &str) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut bytes = 0;
    for rel in ws.files(MAX_FILES) {
        let Ok(src) = ws.read(&ws.root().join(&rel)) else {
            continue;
        };
        bytes += src.len();
        if bytes > MAX_BYTES {
            break;
        }
        for w in words(&src) {
            *counts.entry(w.to_string()).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for w in words(text) {
        if w.len() < 4 || seen.contains(&w) {
            continue;
        }
        seen.push(w);
        // A name the code uses (prose words are not in the project) but rarely: the faulty
        // line itself, maybe once more.
        let used = counts.get(w).copied().unwrap_or(0);
        if !(1..=2).contains(&used) {
            continue;
        }
        let max = if w.len() < 7 { 1 } else { 2 };
        let best = counts
            .iter()
            .filter(|(v, n)| **n >= used && v.as_str() != w && v.len() >= 4)
            .filter(|(v, _)| v.len().abs_diff(w.len()) <= max)
            .map(|(v, n)| (distance(w, v), std::cmp::Reverse(*n), v))
            .filter(|(d, _, _)| *d <= max)
            .min();
        if let Some((_, _, v)) = best.filter(|(_, _, v)| !seen.contains(&v.as_str())) {
            out.push(format!(
                "`{w}` is used only here; elsewhere the project says `{v}`."
            ));
        }
        if out.len() == 2 {
            break;
        }
    }
    out
}

/// Identifier-like words (letters, digits, `_`; starting with a letter or `_`).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
}

/// Levenshtein distance (names are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> (crate::workspace::tempdir::TempTree, Workspace) {
        let t = crate::workspace::tempdir::TempTree::new("hints").unwrap();
        for (p, s) in files {
            std::fs::write(t.path().join(p), s).unwrap();
        }
        let ws = Workspace::new(t.path()).unwrap();
        (t, ws)
    }

    #[test]
    fn a_misspelled_property_is_named_with_the_project_s_spelling() {
        let (_t, ws) = project(&[
            (
                "profile.js",
                "function city(user) {\n  return user.adress.city;\n}\n",
            ),
            (
                "profile.test.js",
                "console.log(city({ name: 'Ada', address: { city: 'Oslo' } }));\n",
            ),
        ]);
        let hints = typo_hints(&ws, "TypeError at `return user.adress.city;`");
        assert_eq!(
            hints,
            ["`adress` is used only here; elsewhere the project says `address`."]
        );
    }

    #[test]
    fn real_names_and_short_words_get_no_hint() {
        let (_t, ws) = project(&[(
            "calc.py",
            "def total(items):\n    return sum(items)\n\ndef totals(rows):\n    return [total(r) for r in rows]\n",
        )]);
        assert!(typo_hints(&ws, "total(items) returns the wrong sum for rows").is_empty());
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("adress", "address"), 1);
        assert_eq!(distance("lenght", "length"), 2);
        assert_eq!(distance("same", "same"), 0);
    }
}
