
#[cfg(test)]
mod bench_hidden {
    use super::*;
    fn w(v: &[(&str, usize)]) -> Vec<(String, usize)> {
        v.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    #[test]
    fn top() {
        assert_eq!(top_words("b a B c a b", 2), w(&[("b", 3), ("a", 2)]));
        assert_eq!(top_words("Hello, world! hello -- WORLD? hi", 5), w(&[("hello", 2), ("world", 2), ("hi", 1)]));
        assert_eq!(top_words("", 3), w(&[]));
        assert_eq!(top_words("z y x", 2), w(&[("x", 1), ("y", 1)]));
        assert_eq!(top_words("a a b", 0), w(&[]));
    }
}
