//! Colour words and light/dark shades, resolved to Manim colour expressions.

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
