/// Parse a comma-separated list of prices like "1.50, 2, 3.25".
pub fn parse_prices(s: &str) -> Vec<f64> {
    s.split(',').map(|p| p.trim().parse::<f64>().unwrap()).collect()
}

pub fn total(s: &str) -> f64 {
    parse_prices(s).iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_junk() {
        assert_eq!(parse_prices("1.5, abc, 2"), vec![1.5, 2.0]);
    }
}
