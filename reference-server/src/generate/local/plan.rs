//! The compiler's intermediate form: objects and the steps that animate them.

use super::lexicon::ShapeKind;

/// One object of the scene (possibly a row of identical copies).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Object {
    pub(crate) kind: ShapeKind,
    /// Python colour expression, if the prompt gave one.
    pub(crate) colour: Option<String>,
    pub(crate) count: u32,
    /// Size factor from words like "big" or "tiny".
    pub(crate) size: f64,
    /// Initial placement from words like "on the left".
    pub(crate) placement: Option<Direction>,
    /// Created by a morph rather than introduced on its own.
    pub(crate) morph_target: bool,
}

impl Object {
    pub(crate) fn new(kind: ShapeKind) -> Self {
        Self {
            kind,
            colour: None,
            count: 1,
            size: 1.0,
            placement: None,
            morph_target: false,
        }
    }
}

/// Where a move goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Direction {
    /// Shift by a Manim direction constant (`LEFT`, `UP`, ...).
    Shift(&'static str),
    /// `to_edge` with a direction constant.
    Edge(&'static str),
    /// `to_corner` with a diagonal constant (`UL`, `DR`, ...).
    Corner(&'static str),
    Centre,
}

/// The kind of path for "moves along a ...".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathKind {
    Circle,
    Arc,
}

/// How an object first appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intro {
    Create,
    Write,
    FadeIn,
    Grow,
}

/// Something that happens to an object already on screen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    FadeOut,
    Scale(f64),
    /// Angle in radians; positive is counter-clockwise.
    Rotate(f64),
    Move(Direction),
    MoveAlong(PathKind),
    Bounce(u32),
    /// Transform into the object with this index.
    Morph(usize),
    ChangeColour(String),
    Indicate,
    Flash,
    Wiggle,
    Circumscribe,
}

impl Action {
    /// Relative length before scaling to the requested duration.
    pub(crate) fn weight(&self) -> f64 {
        match self {
            Action::FadeOut | Action::Flash | Action::Indicate => 1.0,
            Action::Scale(_) | Action::Move(_) | Action::ChangeColour(_) => 1.0,
            Action::Rotate(angle) => (angle.abs() / std::f64::consts::TAU).clamp(0.75, 3.0) * 1.5,
            Action::MoveAlong(_) => 2.0,
            Action::Bounce(n) => 0.75 * f64::from((*n).clamp(1, 6)),
            Action::Morph(_) => 1.5,
            Action::Wiggle | Action::Circumscribe => 1.2,
        }
    }

    /// A short description for notes and step comments.
    pub(crate) fn describe(&self) -> String {
        match self {
            Action::FadeOut => "fade out".into(),
            Action::Scale(f) => format!("scale x{f}"),
            Action::Rotate(a) => format!("rotate {:.0} degrees", a.to_degrees()),
            Action::Move(_) => "move".into(),
            Action::MoveAlong(_) => "move along a path".into(),
            Action::Bounce(n) => format!("bounce x{n}"),
            Action::Morph(_) => "morph".into(),
            Action::ChangeColour(c) => format!("change colour to {c}"),
            Action::Indicate => "indicate".into(),
            Action::Flash => "flash".into(),
            Action::Wiggle => "wiggle".into(),
            Action::Circumscribe => "circumscribe".into(),
        }
    }
}

/// One `self.play` call: what runs at once, and how long relative to the others.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StepItem {
    Intro(usize, Intro),
    Act(usize, Action),
}

/// A group of simultaneous animations.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    pub(crate) items: Vec<StepItem>,
    /// Relative length (already including slowly/quickly).
    pub(crate) weight: f64,
    /// Seconds the prompt asked for ("for 3 seconds"), shared by its clause.
    pub(crate) seconds: Option<f64>,
}

/// The whole compiled prompt.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Plan {
    pub(crate) objects: Vec<Object>,
    pub(crate) steps: Vec<Step>,
    pub(crate) notes: Vec<String>,
    pub(crate) fallback: bool,
    /// Title text shown by the fallback scene.
    pub(crate) title: Option<String>,
}

impl Plan {
    pub(crate) fn is_3d(&self) -> bool {
        self.objects.iter().any(|o| o.kind.is_3d())
    }
}
