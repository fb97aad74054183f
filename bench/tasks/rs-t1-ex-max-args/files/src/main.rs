use std::env;

// Usage: cargo run -- N...   prints the largest of the integers given.
fn main() {
    let nums: Vec<i64> = env::args().map(|a| a.parse().unwrap()).collect();
    match nums.iter().max() {
        Some(m) => println!("{m}"),
        None => println!("no numbers"),
    }
}
