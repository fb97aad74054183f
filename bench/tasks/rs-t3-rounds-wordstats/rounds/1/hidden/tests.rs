
#[cfg(test)]
mod bench_hidden {
    use super::*;
    #[test]
    fn counts() {
        assert_eq!(word_count("  a b\tc\n"), 3);
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count("one"), 1);
        assert_eq!(word_count("Hello, world! Hello."), 3);
    }
}
