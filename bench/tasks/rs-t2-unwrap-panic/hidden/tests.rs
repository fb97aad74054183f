
#[cfg(test)]
mod bench_hidden {
    use super::*;
    #[test]
    fn parses_and_skips() {
        assert_eq!(parse_prices("1.5, abc, 2"), vec![1.5, 2.0]);
        assert_eq!(parse_prices(" 3.25 ,4"), vec![3.25, 4.0]);
        assert_eq!(parse_prices(""), Vec::<f64>::new());
        assert_eq!(parse_prices("x,y"), Vec::<f64>::new());
        assert_eq!(total("1, 2, oops, 3.5"), 6.5);
    }
}
