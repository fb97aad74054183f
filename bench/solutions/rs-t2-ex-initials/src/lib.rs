/// The initials of a name.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .flat_map(|c| c.to_uppercase())
        .collect()
}

/// "Lovelace, Ada" for first = "Ada", last = "Lovelace".
pub fn sort_name(first: &str, last: &str) -> String {
    format!("{last}, {first}")
}
