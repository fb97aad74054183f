pub mod geometry;
pub mod render;

pub use geometry::Point;

/// Walk from the origin by the given steps.
pub fn walk(steps: &[Point]) -> Vec<Point> {
    let mut at = Point::new(0.0, 0.0);
    let mut out = vec![at];
    for s in steps {
        at = at.add(*s);
        out.push(at);
    }
    out
}
