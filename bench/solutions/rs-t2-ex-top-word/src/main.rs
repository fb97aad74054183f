use std::collections::BTreeMap;
use std::env;

// Usage: cargo run -- WORD...   prints the most frequent word and how often it occurs.
fn main() {
    let words: Vec<String> = env::args().skip(1).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for w in &words {
        *counts.entry(w.as_str()).or_insert(0) += 1;
    }
    let mut best: Option<(&str, usize)> = None;
    for (w, n) in counts {
        if best.map_or(true, |(_, b)| n > b) {
            best = Some((w, n));
        }
    }
    match best {
        Some((w, n)) => println!("{w} {n}"),
        None => println!("none"),
    }
}
