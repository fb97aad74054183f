use crate::geometry::Vec2;

/// Format a path of points as "(x, y) -> (x, y) -> ...".
pub fn path(points: &[Vec2]) -> String {
    points
        .iter()
        .map(|p| format!("({}, {})", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Total length of the path.
pub fn path_length(points: &[Vec2]) -> f64 {
    points
        .windows(2)
        .map(|w| Vec2::new(w[1].x - w[0].x, w[1].y - w[0].y).length())
        .sum()
}
