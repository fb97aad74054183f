
#[cfg(test)]
mod bench_hidden {
    use super::*;
    fn w(v: &[(&str, usize)]) -> Vec<(String, usize)> {
        v.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    #[test]
    fn excluding() {
        let text = "The cat and the dog. The END, and the cat!";
        assert_eq!(top_words_excluding(text, 2, &["the", "and"]), w(&[("cat", 2), ("dog", 1)]));
        assert_eq!(top_words_excluding(text, 10, &["THE", "And", "cat", "dog"]), w(&[("end", 1)]));
        assert_eq!(top_words_excluding(text, 1, &[]), w(&[("the", 4)]));
        assert_eq!(top_words(text, 1), w(&[("the", 4)]));
    }
}
