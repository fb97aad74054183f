
#[cfg(test)]
mod bench_hidden {
    use super::*;
    #[test]
    fn areas() {
        assert_eq!(Rect { w: 3, h: 4 }.area(), 12);
        assert_eq!(Rect { w: 0, h: 9 }.area(), 0);
        assert_eq!(Rect { w: 1, h: 1 }.area(), 1);
        assert_eq!(Rect { w: 10, h: 7 }.area(), 70);
    }
}
