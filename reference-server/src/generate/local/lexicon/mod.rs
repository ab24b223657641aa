//! The local compiler's vocabulary: shapes, functions, colours, verbs and numbers.
//!
//! Each submodule owns one word class and the lookup that recognises it:
//! [`shapes`] (shape nouns), [`functions`] (plotted functions and their axes),
//! [`colours`] (colour names and light/dark shades), [`numbers`] (digits and
//! number words), [`verbs`] (action verbs and their grammatical form) and
//! [`filler`] (words that carry no meaning for the compiler).

mod colours;
mod filler;
mod functions;
mod numbers;
mod shapes;
mod verbs;

pub(crate) use colours::{Shade, colour_word, shade_word};
pub(crate) use filler::is_filler;
pub(crate) use functions::{Function, function_word, is_plot_noun};
pub(crate) use numbers::number_word;
pub(crate) use shapes::{ShapeKind, shape_word};
pub(crate) use verbs::{Verb, VerbForm, verb_word};

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
