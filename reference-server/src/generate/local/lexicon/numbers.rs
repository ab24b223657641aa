//! Numbers written as digits or English words.

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
