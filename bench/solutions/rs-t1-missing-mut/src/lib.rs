/// The squares 1, 4, 9, ... of 1..=n.
pub fn squares(n: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for i in 1..=n {
        out.push(i * i);
    }
    out
}
