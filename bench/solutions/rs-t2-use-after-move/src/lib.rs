/// Upper-case the text and add "!".
pub fn shout(text: &str) -> String {
    format!("{}!", text.to_uppercase())
}

/// Returns e.g. "hi -> HI!".
pub fn echo(text: &str) -> String {
    let owned = text.to_string();
    let loud = shout(&owned);
    format!("{} -> {}", owned, loud)
}
