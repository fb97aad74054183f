/// The initials of a name.
pub fn initials(name: &str) -> String {
    todo!()
}

/// "Lovelace, Ada" for first = "Ada", last = "Lovelace".
pub fn sort_name(first: &str, last: &str) -> String {
    format!("{last}, {first}")
}
