/// Number of whitespace-separated words.
pub fn word_count(text: &str) -> usize {
    todo!()
}
