pub mod geometry;
pub mod render;

pub use geometry::Vec2;

/// Walk from the origin by the given steps.
pub fn walk(steps: &[Vec2]) -> Vec<Vec2> {
    let mut at = Vec2::new(0.0, 0.0);
    let mut out = vec![at];
    for s in steps {
        at = at.add(*s);
        out.push(at);
    }
    out
}
