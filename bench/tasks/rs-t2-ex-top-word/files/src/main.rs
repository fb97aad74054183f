use std::env;

// Usage: cargo run -- WORD...   prints the most frequent word and how often it occurs.
fn main() {
    let words: Vec<String> = env::args().skip(1).collect();
    // TODO
}
