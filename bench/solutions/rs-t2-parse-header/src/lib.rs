/// Parse "Name: value" into (lowercased name, trimmed value).
pub fn parse_header(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return None;
    }
    Some((name.to_lowercase(), value.trim().to_string()))
}
