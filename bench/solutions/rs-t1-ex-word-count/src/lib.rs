/// Number of words in `s`; words are separated by any amount of whitespace.
pub fn count_words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// The longest word in `s` (the first one on a tie), if any.
pub fn longest_word(s: &str) -> Option<&str> {
    s.split_whitespace()
        .fold(None, |best: Option<&str>, w| match best {
            Some(b) if b.len() >= w.len() => Some(b),
            _ => Some(w),
        })
}
