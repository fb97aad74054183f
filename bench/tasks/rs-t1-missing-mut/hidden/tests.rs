
#[cfg(test)]
mod bench_hidden {
    use super::*;
    #[test]
    fn squares_work() {
        assert_eq!(squares(4), vec![1, 4, 9, 16]);
        assert_eq!(squares(0), Vec::<u32>::new());
        assert_eq!(squares(1), vec![1]);
    }
}
