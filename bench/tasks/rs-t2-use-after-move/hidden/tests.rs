
#[cfg(test)]
mod bench_hidden {
    use super::*;
    #[test]
    fn echoes() {
        assert_eq!(echo("hi"), "hi -> HI!");
        assert_eq!(echo(""), " -> !");
        let s = String::from("abc");
        assert_eq!(shout(&s), "ABC!");
        assert_eq!(shout("x y"), "X Y!");
    }
}
