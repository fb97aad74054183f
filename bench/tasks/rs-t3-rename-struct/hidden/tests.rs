
#[cfg(test)]
mod bench_hidden {
    use super::*;
    use crate::geometry;
    use crate::render::{path, path_length};

    #[test]
    fn renamed() {
        let v = geometry::Vec2::new(3.0, 4.0);
        assert_eq!(v.length(), 5.0);
        let w: Vec2 = v.add(Vec2::new(1.0, -1.0));
        assert_eq!(w, Vec2 { x: 4.0, y: 3.0 });
        let pts = walk(&[Vec2::new(3.0, 4.0), Vec2::new(0.0, 2.0)]);
        assert_eq!(path(&pts), "(0, 0) -> (3, 4) -> (3, 6)");
        assert_eq!(path_length(&pts), 7.0);
    }
}
