//! Normalising a prompt into tokens: words, quoted text, equations, hex colours and
//! clause breaks.

/// One unit of a normalised prompt.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// A word, lowercased, with its original spelling kept for text objects.
    Word { lower: String, original: String },
    /// Text in quotes, verbatim.
    Quoted(String),
    /// An equation such as `E = mc^2`, already prettified.
    Equation(String),
    /// A colour written as hex, normalised to `#rrggbb`.
    Hex(String),
    /// The end of a clause: a full stop or a sequencing word ("then", "after that").
    Break,
}

impl Token {
    pub(crate) fn word(&self) -> Option<&str> {
        match self {
            Token::Word { lower, .. } => Some(lower),
            _ => None,
        }
    }
}

/// Splits a prompt into tokens.
pub(crate) fn tokenize(prompt: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for segment in split_quotes(prompt) {
        match segment {
            Segment::Quoted(text) => tokens.push(Token::Quoted(text)),
            Segment::Plain(text) => tokenize_plain(&text, &mut tokens),
        }
    }
    merge_breaks(tokens)
}

enum Segment {
    Plain(String),
    Quoted(String),
}

fn split_quotes(prompt: &str) -> Vec<Segment> {
    let chars: Vec<char> = prompt.chars().collect();
    let mut segments = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let closing = match c {
            '"' => Some('"'),
            '\u{201c}' => Some('\u{201d}'),
            '\u{2018}' => Some('\u{2019}'),
            '\'' if i == 0 || !chars[i - 1].is_alphanumeric() => Some('\''),
            _ => None,
        };
        if let Some(close) = closing {
            let end = (i + 1..chars.len()).find(|&j| {
                chars[j] == close && (j + 1 == chars.len() || !chars[j + 1].is_alphanumeric())
            });
            if let Some(end) = end {
                let text: String = chars[i + 1..end].iter().collect();
                if !text.trim().is_empty() {
                    segments.push(Segment::Plain(std::mem::take(&mut plain)));
                    segments.push(Segment::Quoted(text.trim().to_string()));
                }
                i = end + 1;
                continue;
            }
        }
        plain.push(c);
        i += 1;
    }
    segments.push(Segment::Plain(plain));
    segments
}

fn is_mathy(raw: &str) -> bool {
    let raw = raw.trim_end_matches([',', '.', ';', '!', '?']);
    if raw.is_empty() {
        return false;
    }
    let symbols = raw.chars().any(|c| "=^+-*/()²³√π".contains(c));
    let single_letter = raw.chars().count() == 1 && raw.chars().all(|c| c.is_alphabetic());
    let number = raw.parse::<f64>().is_ok();
    let term = raw.chars().any(|c| c.is_ascii_digit())
        && raw.chars().any(|c| c.is_alphabetic())
        && raw.len() <= 6;
    let allowed = raw
        .chars()
        .all(|c| c.is_alphanumeric() || "=^+-*/()²³√π.".contains(c));
    allowed && (symbols || single_letter || number || term)
}

/// Renders `x^2` as `x²`, `*` as a middle dot and `sqrt` as a radical.
fn prettify_equation(raw: &str) -> String {
    let mut text = raw.trim_end_matches([',', '.', ';', '!', '?']).to_string();
    for (from, to) in [
        ("^2", "²"),
        ("^3", "³"),
        ("^n", "ⁿ"),
        ("^x", "ˣ"),
        ("sqrt", "√"),
        ("*", "·"),
        ("pi", "π"),
    ] {
        text = text.replace(from, to);
    }
    text
}

fn tokenize_plain(text: &str, tokens: &mut Vec<Token>) {
    let raw: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < raw.len() {
        // An equation is a run of math-like words containing an '='.
        if is_mathy(raw[i]) {
            let mut end = i;
            while end < raw.len() && is_mathy(raw[end]) {
                end += 1;
                if raw[end - 1].ends_with(['.', ';', '!', '?']) {
                    break;
                }
            }
            let run = &raw[i..end];
            let has_equals = run.iter().any(|w| w.contains('='));
            let wide_enough = run.len() >= 2 || run[0].trim_matches('=').len() > 1;
            if has_equals && wide_enough {
                let mut start = 0;
                if run.len() > 2
                    && matches!(run[0], "a" | "A" | "an" | "I")
                    && !run[1].contains(['+', '-', '*', '/', '='])
                {
                    start = 1;
                }
                for w in &run[..start] {
                    push_words(w, tokens);
                }
                tokens.push(Token::Equation(prettify_equation(&run[start..].join(" "))));
                if raw[end - 1].ends_with(['.', ';', '!', '?']) {
                    tokens.push(Token::Break);
                }
                i = end;
                continue;
            }
        }
        push_words(raw[i], tokens);
        i += 1;
    }
}

fn push_words(raw: &str, tokens: &mut Vec<Token>) {
    if let Some(hex) = raw.strip_prefix('#') {
        let hex = hex.trim_end_matches([',', '.', ';', '!', '?']);
        if let Some(colour) = crate::generate::normalise_hex_colour(hex) {
            tokens.push(Token::Hex(colour));
            if raw.ends_with(['.', ';', '!', '?']) {
                tokens.push(Token::Break);
            }
            return;
        }
    }
    let chars: Vec<char> = raw.chars().collect();
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<Token>| {
        if !word.is_empty() {
            tokens.push(Token::Word {
                lower: word.to_lowercase(),
                original: std::mem::take(word),
            });
        }
    };
    for (k, &c) in chars.iter().enumerate() {
        let between_digits = k > 0
            && k + 1 < chars.len()
            && chars[k - 1].is_ascii_digit()
            && chars[k + 1].is_ascii_digit();
        match c {
            '.' if between_digits => word.push(c),
            '.' | ';' | '!' | '?' | ':' => {
                flush(&mut word, tokens);
                tokens.push(Token::Break);
            }
            '°' => {
                flush(&mut word, tokens);
                tokens.push(Token::Word {
                    lower: "degrees".into(),
                    original: "degrees".into(),
                });
            }
            '\'' | '\u{2019}' => {
                // "it's" and "circle's": drop the possessive or contraction tail.
                flush(&mut word, tokens);
                break;
            }
            c if c.is_alphanumeric() => word.push(c),
            _ => flush(&mut word, tokens),
        }
    }
    flush(&mut word, tokens);
}

/// Turns sequencing words into clause breaks and drops repeated breaks.
fn merge_breaks(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let word = tokens[i].word();
        let next = tokens.get(i + 1).and_then(Token::word);
        let (is_break, skip) = match (word, next) {
            (Some("then" | "afterwards" | "afterward" | "finally" | "later" | "eventually"), _) => {
                (true, 1)
            }
            (Some("after"), Some("that" | "this" | "which")) => (true, 2),
            (Some("followed"), Some("by")) => (true, 2),
            (Some("and"), Some("then" | "finally" | "afterwards")) => (true, 2),
            (Some("next"), _) if matches!(out.last(), None | Some(Token::Break)) => (true, 1),
            _ => (matches!(tokens[i], Token::Break), 1),
        };
        if is_break {
            if !matches!(out.last(), None | Some(Token::Break)) {
                out.push(Token::Break);
            }
        } else {
            out.push(tokens[i].clone());
        }
        i += skip;
    }
    while matches!(out.last(), Some(Token::Break)) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(tokens: &[Token]) -> Vec<String> {
        tokens
            .iter()
            .map(|t| match t {
                Token::Word { lower, .. } => lower.clone(),
                Token::Quoted(q) => format!("\"{q}\""),
                Token::Equation(e) => format!("<{e}>"),
                Token::Hex(h) => h.clone(),
                Token::Break => "|".into(),
            })
            .collect()
    }

    #[test]
    fn quotes_equations_and_breaks() {
        let t = tokenize("Write \"Hello, World\" then show E = mc^2. A #FF8800 circle's edge");
        assert_eq!(
            words(&t),
            [
                "write",
                "\"Hello, World\"",
                "|",
                "show",
                "<E = mc²>",
                "|",
                "a",
                "#ff8800",
                "circle",
                "edge"
            ]
            .map(String::from)
        );
        let t = tokenize("the equation a^2 + b^2 = c^2 appears, and then it fades");
        assert_eq!(
            words(&t),
            [
                "the",
                "equation",
                "<a² + b² = c²>",
                "appears",
                "|",
                "it",
                "fades"
            ]
            .map(String::from)
        );
        let t = tokenize("rotate by 45° for 2.5 seconds; after that stop");
        assert_eq!(
            words(&t),
            [
                "rotate", "by", "45", "degrees", "for", "2.5", "seconds", "|", "stop"
            ]
            .map(String::from)
        );
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        let t = tokenize("it's a 'big' circle");
        assert_eq!(
            words(&t),
            ["it", "a", "\"big\"", "circle"].map(String::from)
        );
    }
}
