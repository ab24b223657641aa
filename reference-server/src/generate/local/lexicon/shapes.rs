//! Shape nouns and the kinds of object they name.

use super::functions::Function;

/// What kind of object a noun names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ShapeKind {
    Circle,
    Square,
    Rectangle,
    Triangle,
    Star,
    Ellipse,
    Polygon(u32),
    Arrow,
    Line,
    Dot,
    Sphere,
    Cube,
    Cone,
    Cylinder,
    Torus,
    Text(String),
    Equation(String),
    Plot(Function),
}

impl ShapeKind {
    /// Whether the object needs a three-dimensional scene.
    pub(crate) fn is_3d(&self) -> bool {
        matches!(
            self,
            ShapeKind::Sphere
                | ShapeKind::Cube
                | ShapeKind::Cone
                | ShapeKind::Cylinder
                | ShapeKind::Torus
        )
    }

    /// Whether the object is text, written rather than drawn.
    pub(crate) fn is_text(&self) -> bool {
        matches!(self, ShapeKind::Text(_) | ShapeKind::Equation(_))
    }

    /// A variable-name stem for the object.
    pub(crate) fn stem(&self) -> &'static str {
        match self {
            ShapeKind::Circle => "circle",
            ShapeKind::Square => "square",
            ShapeKind::Rectangle => "rectangle",
            ShapeKind::Triangle => "triangle",
            ShapeKind::Star => "star",
            ShapeKind::Ellipse => "ellipse",
            ShapeKind::Polygon(_) => "polygon",
            ShapeKind::Arrow => "arrow",
            ShapeKind::Line => "line",
            ShapeKind::Dot => "dot",
            ShapeKind::Sphere => "sphere",
            ShapeKind::Cube => "cube",
            ShapeKind::Cone => "cone",
            ShapeKind::Cylinder => "cylinder",
            ShapeKind::Torus => "torus",
            ShapeKind::Text(_) => "text",
            ShapeKind::Equation(_) => "equation",
            ShapeKind::Plot(_) => "plot",
        }
    }

    /// Whether two kinds name the same sort of thing (for "the circle" lookups).
    pub(crate) fn same_sort(&self, other: &ShapeKind) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// Recognises a shape noun (singular or plural).
pub(crate) fn shape_word(word: &str) -> Option<ShapeKind> {
    let singular = word
        .strip_suffix("es")
        .filter(|w| w.ends_with('x') || w.ends_with("ss"));
    let singular = singular.or_else(|| word.strip_suffix('s')).unwrap_or(word);
    let lookup = |w: &str| -> Option<ShapeKind> {
        Some(match w {
            "circle" | "ring" => ShapeKind::Circle,
            "square" => ShapeKind::Square,
            "rectangle" | "box" | "rect" => ShapeKind::Rectangle,
            "triangle" => ShapeKind::Triangle,
            "star" => ShapeKind::Star,
            "ellipse" | "oval" => ShapeKind::Ellipse,
            "pentagon" => ShapeKind::Polygon(5),
            "hexagon" => ShapeKind::Polygon(6),
            "heptagon" => ShapeKind::Polygon(7),
            "octagon" => ShapeKind::Polygon(8),
            "polygon" => ShapeKind::Polygon(6),
            "arrow" | "vector" => ShapeKind::Arrow,
            "line" | "segment" => ShapeKind::Line,
            "dot" | "point" | "particle" => ShapeKind::Dot,
            "sphere" | "ball" | "globe" | "orb" => ShapeKind::Sphere,
            "cube" | "dice" | "die" => ShapeKind::Cube,
            "cone" | "pyramid" => ShapeKind::Cone,
            "cylinder" | "tube" => ShapeKind::Cylinder,
            "torus" | "tori" | "donut" | "doughnut" => ShapeKind::Torus,
            _ => return None,
        })
    };
    lookup(word).or_else(|| lookup(singular))
}
