
#[cfg(test)]
mod bench_hidden {
    use super::*;
    fn p(name: &str, value: &str) -> Option<(String, String)> {
        Some((name.to_string(), value.to_string()))
    }

    #[test]
    fn parses() {
        assert_eq!(parse_header("Content-Type: text/html"), p("content-type", "text/html"));
        assert_eq!(parse_header("X-Empty:"), p("x-empty", ""));
        assert_eq!(parse_header("Host:  example.com:8080 "), p("host", "example.com:8080"));
        assert_eq!(parse_header("a:b"), p("a", "b"));
    }

    #[test]
    fn rejects() {
        assert_eq!(parse_header("no colon here"), None);
        assert_eq!(parse_header(": v"), None);
        assert_eq!(parse_header("Bad Name: v"), None);
        assert_eq!(parse_header(""), None);
    }
}
