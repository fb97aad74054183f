pub struct Rect {
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub fn area(&self) -> u32 {
        self.w * self.h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_of_3_by_4() {
        assert_eq!(Rect { w: 3, h: 4 }.area(), 12);
    }
}
