//! The local compiler's vocabulary: shapes, functions, colours, verbs and numbers.

/// A function the compiler knows how to plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Sine,
    Cosine,
    Parabola,
    Cubic,
    Exponential,
    Logarithm,
    Linear,
    Absolute,
}

impl Function {
    /// Python expression of `x`, the axes' ranges and a readable label.
    pub(crate) fn spec(self) -> FunctionSpec {
        match self {
            Function::Sine => FunctionSpec::new("np.sin(x)", [-7.0, 7.0, 1.0], [-1.5, 1.5, 0.5])
                .label("y = sin(x)"),
            Function::Cosine => FunctionSpec::new("np.cos(x)", [-7.0, 7.0, 1.0], [-1.5, 1.5, 0.5])
                .label("y = cos(x)"),
            Function::Parabola => {
                FunctionSpec::new("x ** 2", [-3.0, 3.0, 1.0], [-1.0, 9.0, 1.0]).label("y = x²")
            }
            Function::Cubic => {
                FunctionSpec::new("x ** 3", [-2.2, 2.2, 1.0], [-10.0, 10.0, 2.0]).label("y = x³")
            }
            Function::Exponential => {
                FunctionSpec::new("np.exp(x)", [-3.0, 2.4, 1.0], [-1.0, 11.0, 2.0]).label("y = eˣ")
            }
            Function::Logarithm => {
                FunctionSpec::new("np.log(x)", [0.0, 10.0, 1.0], [-3.0, 3.0, 1.0])
                    .label("y = ln(x)")
                    .plot_from(0.05)
            }
            Function::Linear => {
                FunctionSpec::new("x", [-5.0, 5.0, 1.0], [-5.0, 5.0, 1.0]).label("y = x")
            }
            Function::Absolute => {
                FunctionSpec::new("np.abs(x)", [-4.0, 4.0, 1.0], [-1.0, 5.0, 1.0]).label("y = |x|")
            }
        }
    }
}

/// How to draw one function: expression, axes ranges and label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FunctionSpec {
    pub(crate) expression: &'static str,
    pub(crate) x_range: [f64; 3],
    pub(crate) y_range: [f64; 3],
    pub(crate) label: &'static str,
    pub(crate) plot_start: Option<f64>,
}

impl FunctionSpec {
    fn new(expression: &'static str, x_range: [f64; 3], y_range: [f64; 3]) -> Self {
        Self {
            expression,
            x_range,
            y_range,
            label: "",
            plot_start: None,
        }
    }

    fn label(mut self, label: &'static str) -> Self {
        self.label = label;
        self
    }

    fn plot_from(mut self, start: f64) -> Self {
        self.plot_start = Some(start);
        self
    }
}

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

/// Recognises a word naming a plotted function.
pub(crate) fn function_word(word: &str) -> Option<Function> {
    Some(match word {
        "sine" | "sin" | "sinusoid" | "sinusoidal" => Function::Sine,
        "cosine" | "cos" => Function::Cosine,
        "parabola" | "quadratic" | "parabolic" => Function::Parabola,
        "cubic" => Function::Cubic,
        "exponential" | "exp" => Function::Exponential,
        "logarithm" | "logarithmic" | "log" | "ln" => Function::Logarithm,
        "linear" => Function::Linear,
        "absolute" => Function::Absolute,
        _ => return None,
    })
}

/// Nouns that turn a function word into a plot ("sine wave", "parabola graph").
pub(crate) fn is_plot_noun(word: &str) -> bool {
    matches!(
        word,
        "wave" | "waves" | "graph" | "graphs" | "plot" | "plots" | "function" | "curve"
    )
}

/// Manim colour constants with shades `_A` (lightest) to `_E` (darkest).
const SHADED: &[&str] = &[
    "blue", "teal", "green", "yellow", "gold", "red", "maroon", "purple", "gray",
];

/// Resolves a colour word, with an optional light/dark modifier, to Python.
pub(crate) fn colour_word(word: &str, shade: Option<Shade>) -> Option<String> {
    let base = match word {
        "grey" => "gray",
        "violet" | "lilac" => "purple",
        "turquoise" | "aqua" => "teal",
        "crimson" | "scarlet" => "red",
        "golden" => "gold",
        "lime" => "green",
        "navy" => "darkblue",
        other => other,
    };
    if SHADED.contains(&base) {
        let upper = base.to_ascii_uppercase();
        return Some(match shade {
            Some(Shade::Light) => format!("{upper}_B"),
            Some(Shade::Dark) => format!("{upper}_E"),
            None => upper,
        });
    }
    let plain = match (base, shade) {
        ("white", _) => "WHITE",
        ("black", _) => "BLACK",
        ("orange", _) => "ORANGE",
        ("pink", Some(Shade::Light)) => "LIGHT_PINK",
        ("pink", _) => "PINK",
        ("brown", Some(Shade::Light)) => "LIGHT_BROWN",
        ("brown", _) => "DARK_BROWN",
        ("darkblue", _) => "DARK_BLUE",
        ("silver", _) => "LIGHT_GRAY",
        ("cyan", _) => "ManimColor(\"#00ffff\")",
        ("magenta", _) => "ManimColor(\"#ff00ff\")",
        ("indigo", _) => "ManimColor(\"#4b0082\")",
        _ => return None,
    };
    Some(plain.to_string())
}

/// A light or dark modifier in front of a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shade {
    Light,
    Dark,
}

/// Recognises a shade modifier.
pub(crate) fn shade_word(word: &str) -> Option<Shade> {
    match word {
        "light" | "pale" | "pastel" | "bright" => Some(Shade::Light),
        "dark" | "deep" => Some(Shade::Dark),
        _ => None,
    }
}

/// Parses digits or English number words up to twenty.
pub(crate) fn number_word(word: &str) -> Option<f64> {
    if let Ok(n) = word.parse::<f64>() {
        return n.is_finite().then_some(n);
    }
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(i) = WORDS.iter().position(|w| *w == word) {
        return Some(i as f64);
    }
    match word {
        "a" | "an" | "single" => Some(1.0),
        "pair" | "couple" | "twice" | "double" => Some(2.0),
        "thrice" | "triple" => Some(3.0),
        "half" => Some(0.5),
        _ => None,
    }
}

/// An action verb's meaning before its target is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Create,
    Write,
    FadeIn,
    FadeOut,
    Fade,
    Grow,
    Shrink,
    Scale,
    Rotate,
    Move,
    Orbit,
    Bounce,
    Morph,
    Turn,
    ChangeColour,
    Indicate,
    Flash,
    Wiggle,
    Circumscribe,
}

/// The grammatical form a verb was written in, used to find its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerbForm {
    /// Imperative "draw a circle": the object comes after.
    Base,
    /// "a circle rotates", "rotating", "being drawn": the subject came before.
    Subject,
}

/// Recognises an action verb and the form it is written in.
pub(crate) fn verb_word(word: &str) -> Option<(Verb, VerbForm)> {
    const STEMS: &[(&str, Verb)] = &[
        ("creat", Verb::Create),
        ("draw", Verb::Create),
        ("sketch", Verb::Create),
        ("trac", Verb::Create),
        ("construct", Verb::Create),
        ("writ", Verb::Write),
        ("wrote", Verb::Write),
        ("typ", Verb::Write),
        ("spell", Verb::Write),
        ("appear", Verb::FadeIn),
        ("emerg", Verb::FadeIn),
        ("disappear", Verb::FadeOut),
        ("vanish", Verb::FadeOut),
        ("fad", Verb::Fade),
        ("grow", Verb::Grow),
        ("grew", Verb::Grow),
        ("expand", Verb::Grow),
        ("enlarg", Verb::Grow),
        ("shrink", Verb::Shrink),
        ("shrunk", Verb::Shrink),
        ("shrank", Verb::Shrink),
        ("scal", Verb::Scale),
        ("resiz", Verb::Scale),
        ("rotat", Verb::Rotate),
        ("spin", Verb::Rotate),
        ("spun", Verb::Rotate),
        ("twirl", Verb::Rotate),
        ("revolv", Verb::Rotate),
        ("mov", Verb::Move),
        ("slid", Verb::Move),
        ("shift", Verb::Move),
        ("travel", Verb::Move),
        ("glid", Verb::Move),
        ("fly", Verb::Move),
        ("flies", Verb::Move),
        ("go", Verb::Move),
        ("orbit", Verb::Orbit),
        ("circl", Verb::Orbit),
        ("bounc", Verb::Bounce),
        ("jump", Verb::Bounce),
        ("hop", Verb::Bounce),
        ("morph", Verb::Morph),
        ("transform", Verb::Morph),
        ("becom", Verb::Turn),
        ("turn", Verb::Turn),
        ("chang", Verb::Turn),
        ("colou", Verb::ChangeColour),
        ("color", Verb::ChangeColour),
        ("recolo", Verb::ChangeColour),
        ("paint", Verb::ChangeColour),
        ("indicat", Verb::Indicate),
        ("highlight", Verb::Indicate),
        ("emphasi", Verb::Indicate),
        ("puls", Verb::Indicate),
        ("flash", Verb::Flash),
        ("blink", Verb::Flash),
        ("wiggl", Verb::Wiggle),
        ("wobbl", Verb::Wiggle),
        ("shak", Verb::Wiggle),
        ("circumscrib", Verb::Circumscribe),
    ];
    // Words that merely start like a verb.
    if matches!(
        word,
        "good"
            | "gone"
            | "circle"
            | "circles"
            | "scale"
            | "colour"
            | "color"
            | "colors"
            | "colours"
            | "gold"
            | "golden"
            | "goal"
            | "typical"
            | "turquoise"
            | "type"
    ) {
        return match word {
            "scale" => Some((Verb::Scale, VerbForm::Base)),
            "color" | "colour" => Some((Verb::ChangeColour, VerbForm::Base)),
            _ => None,
        };
    }
    let verb = STEMS
        .iter()
        .find(|(stem, _)| word.starts_with(stem) && word.len() <= stem.len() + 4)
        .map(|(_, verb)| *verb)?;
    let subject = word.ends_with("ing")
        || word.ends_with("ed")
        || word.ends_with('n') && !word.ends_with("turn") && !word.ends_with("spin")
        || (word.ends_with('s') && !word.ends_with("ss"))
        || matches!(word, "grew" | "shrank" | "spun" | "wrote" | "flew");
    let form = if subject {
        VerbForm::Subject
    } else {
        VerbForm::Base
    };
    Some((verb, form))
}

/// Words that carry no meaning for the compiler and are never reported as ignored.
pub(crate) fn is_filler(word: &str) -> bool {
    const FILLER: &[&str] = &[
        "a",
        "an",
        "the",
        "of",
        "to",
        "into",
        "in",
        "on",
        "at",
        "by",
        "with",
        "and",
        "or",
        "while",
        "as",
        "that",
        "which",
        "who",
        "is",
        "are",
        "be",
        "being",
        "been",
        "it",
        "its",
        "itself",
        "them",
        "they",
        "their",
        "this",
        "these",
        "those",
        "there",
        "here",
        "from",
        "for",
        "then",
        "some",
        "very",
        "so",
        "than",
        "until",
        "each",
        "other",
        "both",
        "all",
        "scene",
        "animation",
        "animate",
        "animated",
        "video",
        "please",
        "make",
        "show",
        "shows",
        "showing",
        "shown",
        "display",
        "displays",
        "displaying",
        "let",
        "lets",
        "s",
        "over",
        "across",
        "around",
        "along",
        "about",
        "onto",
        "toward",
        "towards",
        "next",
        "finally",
        "after",
        "afterwards",
        "afterward",
        "before",
        "once",
        "again",
        "same",
        "new",
        "another",
        "one",
        "has",
        "have",
        "having",
        "gets",
        "get",
        "getting",
        "got",
        "slowly",
        "quickly",
        "slow",
        "fast",
        "quick",
        "rapidly",
        "gently",
        "smoothly",
        "colored",
        "coloured",
        "shaped",
        "filled",
        "time",
        "times",
        "second",
        "seconds",
        "sec",
        "secs",
        "degree",
        "degrees",
        "turns",
        "full",
        "quarter",
        "whole",
        "complete",
        "clockwise",
        "counterclockwise",
        "anticlockwise",
        "edge",
        "corner",
        "side",
        "center",
        "centre",
        "middle",
        "origin",
        "screen",
        "frame",
        "big",
        "large",
        "huge",
        "small",
        "tiny",
        "little",
        "size",
        "bigger",
        "smaller",
        "larger",
        "up",
        "down",
        "left",
        "right",
        "top",
        "bottom",
        "upper",
        "lower",
        "way",
        "path",
        "arc",
        "wave",
        "graph",
        "plot",
        "function",
        "curve",
        "text",
        "title",
        "word",
        "words",
        "label",
        "saying",
        "says",
        "say",
        "reading",
        "reads",
        "equation",
        "formula",
        "we",
        "i",
        "you",
        "can",
        "will",
        "should",
        "my",
        "our",
        "me",
        "us",
        "like",
        "just",
        "also",
        "too",
        "when",
        "where",
        "what",
        "how",
        "x",
        "y",
        "in",
        "out",
        "away",
        "back",
        "forth",
        "eventually",
        "later",
        "first",
        "second",
        "third",
        "last",
        "followed",
        "rotation",
        "rotations",
        "revolution",
        "revolutions",
        "spins",
        "together",
        "simultaneously",
        "same",
        "sequence",
        "sequentially",
        "nice",
        "beautiful",
        "simple",
        "cool",
    ];
    FILLER.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(shape_word("circles"), Some(ShapeKind::Circle));
        assert_eq!(shape_word("boxes"), Some(ShapeKind::Rectangle));
        assert_eq!(shape_word("spheres"), Some(ShapeKind::Sphere));
        assert_eq!(shape_word("cow"), None);
        assert_eq!(
            colour_word("blue", Some(Shade::Dark)).as_deref(),
            Some("BLUE_E")
        );
        assert_eq!(colour_word("grey", None).as_deref(), Some("GRAY"));
        assert_eq!(colour_word("sparkly", None), None);
        assert_eq!(number_word("three"), Some(3.0));
        assert_eq!(number_word("2.5"), Some(2.5));
        assert_eq!(
            verb_word("rotating"),
            Some((Verb::Rotate, VerbForm::Subject))
        );
        assert_eq!(verb_word("rotate"), Some((Verb::Rotate, VerbForm::Base)));
        assert_eq!(verb_word("drawn"), Some((Verb::Create, VerbForm::Subject)));
        assert_eq!(
            verb_word("morphing"),
            Some((Verb::Morph, VerbForm::Subject))
        );
        assert_eq!(verb_word("circle"), None);
        assert_eq!(verb_word("gold"), None);
        assert_eq!(verb_word("golden"), None);
    }
}
