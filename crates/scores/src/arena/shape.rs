//! The `Arena`: square, equilateral triangle, regular hexagon, circle or any convex polygon,
//! centred at the origin with a given area (docs/design.md section 3).

use std::f64::consts::PI;

/// Which shape an arena has, as named in `task.arena`.
#[derive(Clone, Debug, PartialEq)]
pub enum ArenaShape {
    /// Side 2 at area 4, walls parallel to the axes.
    Square,
    /// Equilateral, base horizontal, apex up, centroid at the origin.
    Triangle,
    /// Regular, flat top and bottom.
    Hexagon,
    /// Radius 2/sqrt(pi) at area 4.
    Circle,
    /// A convex polygon given by its vertices (used as given: no rescaling).
    Polygon(Vec<[f64; 2]>),
}

/// One straight wall: the segment from `a` to `b`, with the inward unit normal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wall {
    /// First end.
    pub a: [f64; 2],
    /// Second end.
    pub b: [f64; 2],
    /// Unit normal pointing into the arena.
    pub normal: [f64; 2],
    /// Offset: a point p is inside this wall's half-plane when normal . p + offset >= 0.
    pub offset: f64,
}

/// A convex arena. Polygons are stored counter-clockwise; a circle has no straight walls and
/// is handled analytically.
#[derive(Clone, Debug, PartialEq)]
pub struct Arena {
    shape: ArenaShape,
    vertices: Vec<[f64; 2]>,
    walls: Vec<Wall>,
    radius: f64,
}

impl Arena {
    /// The named shape with the given area (docs/design.md section 3; area 4 by default).
    pub fn new(shape: ArenaShape, area: f64) -> Result<Arena, String> {
        if !(area.is_finite() && area > 0.0) {
            return Err(format!("arena area must be positive, got {area}"));
        }
        let vertices = match &shape {
            ArenaShape::Square => {
                let h = area.sqrt() / 2.0;
                vec![[-h, -h], [h, -h], [h, h], [-h, h]]
            }
            ArenaShape::Triangle => {
                // area = sqrt(3)/4 s^2; centroid at 1/3 of the height.
                let s = (4.0 * area / 3f64.sqrt()).sqrt();
                let h = s * 3f64.sqrt() / 2.0;
                vec![
                    [-s / 2.0, -h / 3.0],
                    [s / 2.0, -h / 3.0],
                    [0.0, 2.0 * h / 3.0],
                ]
            }
            ArenaShape::Hexagon => {
                // area = 3 sqrt(3)/2 r^2, vertices at 0, 60, ... degrees: flat top and bottom.
                let r = (2.0 * area / (3.0 * 3f64.sqrt())).sqrt();
                (0..6)
                    .map(|k| {
                        let a = k as f64 * PI / 3.0;
                        [r * a.cos(), r * a.sin()]
                    })
                    .collect()
            }
            ArenaShape::Circle => Vec::new(),
            ArenaShape::Polygon(v) => v.clone(),
        };
        let radius = (area / PI).sqrt();
        if matches!(shape, ArenaShape::Circle) {
            return Ok(Arena {
                shape,
                vertices,
                walls: Vec::new(),
                radius,
            });
        }
        Self::from_vertices(shape, vertices, radius)
    }

    /// A convex polygon from its vertices (either orientation).
    pub fn polygon(vertices: Vec<[f64; 2]>) -> Result<Arena, String> {
        Self::from_vertices(ArenaShape::Polygon(vertices.clone()), vertices, 0.0)
    }

    fn from_vertices(
        shape: ArenaShape,
        mut v: Vec<[f64; 2]>,
        radius: f64,
    ) -> Result<Arena, String> {
        if v.len() < 3 {
            return Err(format!(
                "a polygon arena needs at least 3 vertices, got {}",
                v.len()
            ));
        }
        if v.iter().flatten().any(|c| !c.is_finite()) {
            return Err("polygon vertices must be finite numbers".into());
        }
        let signed_area: f64 = (0..v.len())
            .map(|i| {
                let (p, q) = (v[i], v[(i + 1) % v.len()]);
                p[0] * q[1] - q[0] * p[1]
            })
            .sum::<f64>()
            / 2.0;
        if signed_area.abs() < 1e-12 {
            return Err("polygon vertices enclose no area".into());
        }
        if signed_area < 0.0 {
            v.reverse();
        }
        let n = v.len();
        let mut walls = Vec::with_capacity(n);
        for i in 0..n {
            let (a, b) = (v[i], v[(i + 1) % n]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len = (dx * dx + dy * dy).sqrt();
            if len < 1e-12 {
                return Err(format!("polygon vertices {i} and {} coincide", (i + 1) % n));
            }
            let normal = [-dy / len, dx / len];
            let offset = -(normal[0] * a[0] + normal[1] * a[1]);
            walls.push(Wall {
                a,
                b,
                normal,
                offset,
            });
        }
        for (i, w) in walls.iter().enumerate() {
            for (j, p) in v.iter().enumerate() {
                if w.normal[0] * p[0] + w.normal[1] * p[1] + w.offset < -1e-9 {
                    return Err(format!(
                        "polygon is not convex: vertex {j} lies outside wall {i}"
                    ));
                }
            }
        }
        Ok(Arena {
            shape,
            vertices: v,
            walls,
            radius,
        })
    }

    /// The shape this arena was built from.
    pub fn shape(&self) -> &ArenaShape {
        &self.shape
    }

    /// Counter-clockwise vertices (empty for a circle).
    pub fn vertices(&self) -> &[[f64; 2]] {
        &self.vertices
    }

    /// Straight walls (empty for a circle).
    pub fn walls(&self) -> &[Wall] {
        &self.walls
    }

    /// Radius of a circular arena (meaningless for polygons).
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// Signed clearance of p: the distance to the nearest wall, negative outside.
    pub fn clearance(&self, p: [f64; 2]) -> f64 {
        if self.walls.is_empty() {
            return self.radius - (p[0] * p[0] + p[1] * p[1]).sqrt();
        }
        self.walls
            .iter()
            .map(|w| w.normal[0] * p[0] + w.normal[1] * p[1] + w.offset)
            .fold(f64::INFINITY, f64::min)
    }

    /// Whether p lies inside the arena or on its boundary.
    pub fn contains(&self, p: [f64; 2]) -> bool {
        self.clearance(p) >= 0.0
    }

    /// Distance from p to each wall's line (for a circle: one value, to the circle).
    pub fn wall_distances(&self, p: [f64; 2]) -> Vec<f64> {
        if self.walls.is_empty() {
            return vec![self.clearance(p)];
        }
        self.walls
            .iter()
            .map(|w| w.normal[0] * p[0] + w.normal[1] * p[1] + w.offset)
            .collect()
    }

    /// Index of the nearest wall and the distance to it.
    pub fn nearest_wall(&self, p: [f64; 2]) -> (usize, f64) {
        self.wall_distances(p)
            .into_iter()
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |best, (i, d)| if d < best.1 { (i, d) } else { best },
            )
    }

    /// Radius of the largest inscribed circle (the apothem of a regular polygon, the radius of
    /// a circle). The circle touches three walls (or two parallel ones and a third), so every
    /// triple of walls is solved for the point equally far from all three and the largest
    /// radius that fits inside every wall wins.
    pub fn inradius(&self) -> f64 {
        if self.walls.is_empty() {
            return self.radius;
        }
        let ws = &self.walls;
        let mut best: f64 = 0.0;
        for i in 0..ws.len() {
            for j in i + 1..ws.len() {
                for k in j + 1..ws.len() {
                    // n . p + offset = r for the three walls: unknowns (x, y, r).
                    let rows =
                        [ws[i], ws[j], ws[k]].map(|w| [w.normal[0], w.normal[1], -1.0, -w.offset]);
                    let det3 = |m: [[f64; 3]; 3]| {
                        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
                    };
                    let col = |c: usize, rhs: bool| -> [[f64; 3]; 3] {
                        rows.map(|r| {
                            let mut m = [r[0], r[1], r[2]];
                            if rhs {
                                m[c] = r[3];
                            }
                            m
                        })
                    };
                    let d = det3(col(0, false));
                    if d.abs() < 1e-12 {
                        continue;
                    }
                    let p = [det3(col(0, true)) / d, det3(col(1, true)) / d];
                    let r = det3(col(2, true)) / d;
                    if r > best && self.clearance(p) >= r - 1e-9 * r.abs().max(1.0) {
                        best = r;
                    }
                }
            }
        }
        best
    }

    /// Bounding box as ([x_min, y_min], [x_max, y_max]).
    pub fn bounding_box(&self) -> ([f64; 2], [f64; 2]) {
        if self.walls.is_empty() {
            return ([-self.radius, -self.radius], [self.radius, self.radius]);
        }
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for v in &self.vertices {
            for k in 0..2 {
                lo[k] = lo[k].min(v[k]);
                hi[k] = hi[k].max(v[k]);
            }
        }
        (lo, hi)
    }

    /// Area of the arena.
    pub fn area(&self) -> f64 {
        if self.walls.is_empty() {
            return PI * self.radius * self.radius;
        }
        let v = &self.vertices;
        (0..v.len())
            .map(|i| {
                let (p, q) = (v[i], v[(i + 1) % v.len()]);
                p[0] * q[1] - q[0] * p[1]
            })
            .sum::<f64>()
            / 2.0
    }

    /// Vertices to store with trajectories (`arena_vertices`); a circle is written as a
    /// 256-gon so that readers without circle support still get its outline.
    pub fn outline(&self) -> Vec<[f64; 2]> {
        if self.walls.is_empty() {
            return (0..256)
                .map(|k| {
                    let a = 2.0 * PI * k as f64 / 256.0;
                    [self.radius * a.cos(), self.radius * a.sin()]
                })
                .collect();
        }
        self.vertices.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_shapes_have_the_requested_area_and_contain_the_origin() {
        for shape in [
            ArenaShape::Square,
            ArenaShape::Triangle,
            ArenaShape::Hexagon,
            ArenaShape::Circle,
        ] {
            let a = Arena::new(shape.clone(), 4.0).unwrap();
            assert!(
                (a.area() - 4.0).abs() < 1e-12,
                "{shape:?}: area {}",
                a.area()
            );
            assert!(a.contains([0.0, 0.0]));
        }
        let sq = Arena::new(ArenaShape::Square, 4.0).unwrap();
        assert_eq!(sq.bounding_box(), ([-1.0, -1.0], [1.0, 1.0]));
        assert!((sq.clearance([0.5, 0.9]) - 0.1).abs() < 1e-12);
        assert_eq!(sq.nearest_wall([0.5, 0.9]).0, 2);
        assert!(!sq.contains([1.01, 0.0]));
    }

    #[test]
    fn triangle_centroid_is_the_origin_and_hexagon_is_flat_topped() {
        let t = Arena::new(ArenaShape::Triangle, 4.0).unwrap();
        let c = t
            .vertices()
            .iter()
            .fold([0.0, 0.0], |s, v| [s[0] + v[0] / 3.0, s[1] + v[1] / 3.0]);
        assert!(c[0].abs() < 1e-12 && c[1].abs() < 1e-12);
        let h = Arena::new(ArenaShape::Hexagon, 4.0).unwrap();
        let (lo, hi) = h.bounding_box();
        let top: Vec<_> = h
            .vertices()
            .iter()
            .filter(|v| (v[1] - hi[1]).abs() < 1e-12)
            .collect();
        assert_eq!(top.len(), 2);
        assert!((lo[1] + hi[1]).abs() < 1e-12);
    }

    #[test]
    fn inradius_is_the_apothem() {
        let sq = Arena::new(ArenaShape::Square, 4.0).unwrap();
        assert!((sq.inradius() - 1.0).abs() < 1e-12);
        let tri = Arena::new(ArenaShape::Triangle, 4.0).unwrap();
        let side = (16.0 / 3f64.sqrt()).sqrt();
        assert!((tri.inradius() - side / (2.0 * 3f64.sqrt())).abs() < 1e-12);
        let rect = Arena::polygon(vec![[0.0, 0.0], [3.0, 0.0], [3.0, 1.0], [0.0, 1.0]]).unwrap();
        assert!((rect.inradius() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn polygons_are_checked_and_oriented() {
        assert!(Arena::polygon(vec![[0.0, 0.0], [1.0, 0.0]]).is_err());
        assert!(
            Arena::polygon(vec![
                [0.0, 0.0],
                [2.0, 0.0],
                [1.0, 0.2],
                [2.0, 2.0],
                [0.0, 2.0]
            ])
            .is_err()
        );
        let cw = Arena::polygon(vec![[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]]).unwrap();
        assert!((cw.area() - 4.0).abs() < 1e-12);
        assert!(cw.contains([0.0, 0.0]));
    }
}
