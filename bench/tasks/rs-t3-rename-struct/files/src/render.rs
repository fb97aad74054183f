use crate::geometry::Point;

/// Format a path of points as "(x, y) -> (x, y) -> ...".
pub fn path(points: &[Point]) -> String {
    points
        .iter()
        .map(|p| format!("({}, {})", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Total length of the path.
pub fn path_length(points: &[Point]) -> f64 {
    points
        .windows(2)
        .map(|w| Point::new(w[1].x - w[0].x, w[1].y - w[0].y).length())
        .sum()
}
