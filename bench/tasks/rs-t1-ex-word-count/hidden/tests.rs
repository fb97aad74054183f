
#[cfg(test)]
mod bench_hidden {
    use super::*;
    #[test]
    fn counts() {
        assert_eq!(count_words("one  two three"), 3);
        assert_eq!(count_words(""), 0);
        assert_eq!(count_words("single"), 1);
        assert_eq!(count_words("  padded  "), 1);
        assert_eq!(count_words("a\tb\nc"), 3);
        assert_eq!(count_words("   "), 0);
        assert_eq!(longest_word("a bbb cc ddd"), Some("bbb"));
    }
}
