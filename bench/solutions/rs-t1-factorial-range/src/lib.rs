/// n! = 1 * 2 * ... * n, with 0! = 1.
pub fn factorial(n: u64) -> u64 {
    (1..=n).product()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five() {
        assert_eq!(factorial(5), 120);
    }
}
