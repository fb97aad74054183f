/// Parse "Name: value" into (lowercased name, trimmed value).
pub fn parse_header(line: &str) -> Option<(String, String)> {
    todo!()
}
