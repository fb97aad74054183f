
#[cfg(test)]
mod bench_hidden {
    use super::*;
    #[test]
    fn initials_of_names() {
        assert_eq!(initials("ada lovelace"), "AL");
        assert_eq!(initials("Grace  Brewster Murray hopper "), "GBMH");
        assert_eq!(initials(""), "");
        assert_eq!(initials("x"), "X");
        assert_eq!(initials("\tjohn\nsmith"), "JS");
        assert_eq!(initials("émile zola"), "ÉZ");
        assert_eq!(sort_name("Ada", "Lovelace"), "Lovelace, Ada");
    }
}
