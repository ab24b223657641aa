//! Action verbs: their meaning and the grammatical form they are written in.

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
