/// Number of whitespace-separated words.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

use std::collections::HashMap;

fn normalize(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()
}

/// The n most frequent words: lowercased, punctuation trimmed from both ends,
/// sorted by count (descending) and then alphabetically.
pub fn top_words(text: &str, n: usize) -> Vec<(String, usize)> {
    top_words_excluding_impl(text, n, &[])
}

fn top_words_excluding_impl(text: &str, n: usize, stop: &[&str]) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for w in text.split_whitespace() {
        let w = normalize(w);
        if w.is_empty() || stop.iter().any(|s| s.to_lowercase() == w) {
            continue;
        }
        *counts.entry(w).or_insert(0) += 1;
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}
