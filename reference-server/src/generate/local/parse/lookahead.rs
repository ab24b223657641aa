//! Look-ahead helpers over the token stream: directions, "n-sided", whether a
//! shape or colour follows, and the target of a morph.

use crate::generate::local::lexicon::{
    ShapeKind, colour_word, function_word, is_plot_noun, number_word, shade_word, shape_word,
};
use crate::generate::local::plan::Direction;
use crate::generate::local::tokens::Token;

pub(super) fn direction_word(word: &str) -> bool {
    matches!(
        word,
        "left"
            | "right"
            | "up"
            | "down"
            | "top"
            | "bottom"
            | "upper"
            | "lower"
            | "upward"
            | "upwards"
            | "downward"
            | "downwards"
            | "leftward"
            | "rightward"
            | "center"
            | "centre"
            | "middle"
            | "origin"
    )
}

/// Reads "upper left corner", "the top edge", "left", "to the center" and so on.
pub(super) fn read_direction(tokens: &[Token], i: usize) -> (Direction, usize) {
    let mut vertical = None;
    let mut horizontal = None;
    let mut edge = false;
    let mut centre = false;
    let mut k = i;
    while let Some(word) = tokens.get(k).and_then(Token::word) {
        match word {
            "up" | "upward" | "upwards" | "top" | "upper" => vertical = Some("U"),
            "down" | "downward" | "downwards" | "bottom" | "lower" => vertical = Some("D"),
            "left" | "leftward" => horizontal = Some("L"),
            "right" | "rightward" => horizontal = Some("R"),
            "center" | "centre" | "middle" | "origin" => centre = true,
            "edge" | "side" | "corner" | "border" => edge = true,
            "of" | "the" | "screen" | "frame" | "hand" | "and" => {}
            _ => break,
        }
        k += 1;
    }
    let edge = edge || matches!(tokens.get(i).and_then(Token::word), Some("top" | "bottom"));
    let direction = match (vertical, horizontal, centre) {
        (_, _, true) => Direction::Centre,
        (Some(v), Some(h), _) => Direction::Corner(match (v, h) {
            ("U", "L") => "UL",
            ("U", _) => "UR",
            (_, "L") => "DL",
            _ => "DR",
        }),
        (v, h, _) => {
            let name = match (v, h) {
                (Some("U"), _) => "UP",
                (Some(_), _) => "DOWN",
                (_, Some("L")) => "LEFT",
                _ => "RIGHT",
            };
            if edge {
                Direction::Edge(name)
            } else {
                Direction::Shift(name)
            }
        }
    };
    (direction, (k - i).max(1))
}

/// "six sided polygon", "8-sided polygon".
pub(super) fn sided(tokens: &[Token], i: usize) -> Option<u32> {
    let before: Vec<&str> = tokens[..i]
        .iter()
        .rev()
        .take(2)
        .filter_map(Token::word)
        .collect();
    match before.as_slice() {
        ["sided", n, ..] => number_word(n).map(|n| (n as u32).clamp(3, 12)),
        _ => None,
    }
}

pub(super) fn shape_ahead(tokens: &[Token], from: usize) -> bool {
    for token in tokens.iter().skip(from).take(4) {
        match token {
            Token::Quoted(_) | Token::Equation(_) => return true,
            Token::Word { lower, .. } => {
                let w = lower.as_str();
                if shape_word(w).is_some() || function_word(w).is_some() || is_plot_noun(w) {
                    return true;
                }
                let adjective = shade_word(w).is_some()
                    || colour_word(w, None).is_some()
                    || matches!(
                        w,
                        "big"
                            | "large"
                            | "small"
                            | "tiny"
                            | "huge"
                            | "little"
                            | "and"
                            | "colored"
                            | "coloured"
                            | "solid"
                            | "filled"
                            | "outlined"
                    );
                if !adjective {
                    return false;
                }
            }
            _ => return false,
        }
    }
    false
}

pub(super) fn colour_ahead(tokens: &[Token], from: usize) -> bool {
    for token in tokens.iter().skip(from).take(4) {
        match token {
            Token::Hex(_) => return true,
            Token::Word { lower, .. } => {
                if colour_word(lower, None).is_some() {
                    return true;
                }
                if !matches!(
                    lower.as_str(),
                    "to" | "color"
                        | "colour"
                        | "its"
                        | "the"
                        | "into"
                        | "in"
                        | "light"
                        | "dark"
                        | "bright"
                        | "deep"
                        | "pale"
                ) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    false
}

/// After "morph"/"turn"/"become": `into a red cube` gives the cube, its colour and
/// count, and how many tokens were read.
pub(super) fn morph_ahead(
    tokens: &[Token],
    from: usize,
) -> Option<(ShapeKind, Option<String>, u32, usize)> {
    let mut colour = None;
    let mut shade = None;
    let mut count = 1;
    for (k, token) in tokens.iter().enumerate().skip(from).take(6) {
        match token {
            Token::Quoted(text) => {
                return Some((ShapeKind::Text(text.clone()), colour, count, k - from + 1));
            }
            Token::Equation(text) => {
                return Some((
                    ShapeKind::Equation(text.clone()),
                    colour,
                    count,
                    k - from + 1,
                ));
            }
            Token::Hex(hex) => colour = Some(format!("ManimColor(\"{hex}\")")),
            Token::Word { lower, .. } => {
                let w = lower.as_str();
                if let Some(kind) = shape_word(w) {
                    return Some((kind, colour, count, k - from + 1));
                }
                if let Some(function) = function_word(w) {
                    let extra = usize::from(
                        tokens
                            .get(k + 1)
                            .and_then(Token::word)
                            .is_some_and(is_plot_noun),
                    );
                    return Some((
                        ShapeKind::Plot(function),
                        colour,
                        count,
                        k - from + 1 + extra,
                    ));
                }
                match w {
                    "into" | "to" | "in" | "a" | "an" | "the" | "itself" | "back" | "shape"
                    | "of" => {}
                    _ if shade_word(w).is_some() => shade = shade_word(w),
                    _ if colour_word(w, None).is_some() => colour = colour_word(w, shade),
                    _ if number_word(w).is_some() => {
                        count = number_word(w).unwrap_or(1.0).clamp(1.0, 12.0) as u32
                    }
                    _ if matches!(w, "big" | "large" | "small" | "tiny") => {}
                    _ => return None,
                }
            }
            Token::Break => return None,
        }
    }
    None
}
