//! Query text to tokens, and highlights: what the user typed never reaches a query
//! language, and what is shown is HTML-escaped with matches in `<em>`.

/// At most this many tokens of a query are used.
pub(crate) const MAX_TOKENS: usize = 32;
/// Tokens are cut to this many characters.
pub(crate) const MAX_TOKEN_CHARS: usize = 64;
/// Description fragments are about this long.
const FRAGMENT_CHARS: usize = 200;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The distinct lower-case words of `text` (letters and digits), in order, bounded.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for word in text.split(|c: char| !is_word_char(c)) {
        if word.is_empty() {
            continue;
        }
        let token: String = word.to_lowercase().chars().take(MAX_TOKEN_CHARS).collect();
        if !out.contains(&token) {
            out.push(token);
            if out.len() == MAX_TOKENS {
                break;
            }
        }
    }
    out
}

/// `text` HTML-escaped.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// `text` HTML-escaped, with every word equal (case-insensitively) to a token in `<em>`.
pub(crate) fn highlight(text: &str, tokens: &[String]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while !rest.is_empty() {
        let word_len = rest
            .char_indices()
            .find(|(_, c)| !is_word_char(*c))
            .map_or(rest.len(), |(i, _)| i);
        if word_len > 0 {
            let (word, tail) = rest.split_at(word_len);
            let lower = word.to_lowercase();
            if tokens.contains(&lower) {
                out.push_str("<em>");
                escape_into(&mut out, word);
                out.push_str("</em>");
            } else {
                escape_into(&mut out, word);
            }
            rest = tail;
        } else {
            let gap_len = rest
                .char_indices()
                .find(|(_, c)| is_word_char(*c))
                .map_or(rest.len(), |(i, _)| i);
            let (gap, tail) = rest.split_at(gap_len);
            escape_into(&mut out, gap);
            rest = tail;
        }
    }
    out
}

/// A fragment of `text` of about 200 characters around its first match (the start
/// when none), cut at word boundaries, with `...` where text was left out, highlighted.
pub(crate) fn fragment(text: &str, tokens: &[String]) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.len() <= FRAGMENT_CHARS {
        return highlight(text, tokens);
    }
    // Character index of the first matching word.
    let mut first = 0;
    let mut i = 0;
    while i < chars.len() {
        if is_word_char(chars[i].1) {
            let start = i;
            while i < chars.len() && is_word_char(chars[i].1) {
                i += 1;
            }
            let end_byte = chars.get(i).map_or(text.len(), |c| c.0);
            let word = text[chars[start].0..end_byte].to_lowercase();
            if tokens.contains(&word) {
                first = start;
                break;
            }
        } else {
            i += 1;
        }
    }
    let mut start = first.saturating_sub(FRAGMENT_CHARS / 4);
    while start > 0 && is_word_char(chars[start - 1].1) {
        start -= 1;
    }
    let mut end = (start + FRAGMENT_CHARS).min(chars.len());
    while end < chars.len() && is_word_char(chars[end].1) {
        end += 1;
    }
    let start_byte = chars[start].0;
    let end_byte = chars.get(end).map_or(text.len(), |c| c.0);
    let mut out = String::new();
    if start > 0 {
        out.push_str("...");
    }
    out.push_str(&highlight(text[start_byte..end_byte].trim(), tokens));
    if end < chars.len() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_words_only() {
        assert_eq!(
            tokens(r#"Physics "AND" (sim*) NEAR/2 ^x:y -z"#),
            ["physics", "and", "sim", "near", "2", "x", "y", "z"]
        );
        assert!(tokens(r#""*^:()"#).is_empty());
        assert_eq!(tokens(&"a ".repeat(5000)), ["a"]);
        assert_eq!(tokens(&"word ".repeat(5000)).len(), 1);
        let many: String = (0..100).map(|i| format!("w{i} ")).collect();
        assert_eq!(tokens(&many).len(), MAX_TOKENS);
    }

    #[test]
    fn highlights_escape_then_mark() {
        assert_eq!(
            highlight("Physics <b>Sim</b> & physics", &["physics".into()]),
            "<em>Physics</em> &lt;b&gt;Sim&lt;/b&gt; &amp; <em>physics</em>"
        );
        assert_eq!(
            highlight("Émile ÉMILE", &["émile".into()]),
            "<em>Émile</em> <em>ÉMILE</em>"
        );
    }

    #[test]
    fn fragments_centre_on_the_first_match() {
        let text = format!("{} needle {}", "filler ".repeat(60), "tail ".repeat(60));
        let f = fragment(&text, &["needle".into()]);
        assert!(f.starts_with("...") && f.ends_with("..."), "{f}");
        assert!(f.contains("<em>needle</em>"));
        assert!(f.chars().count() < 260);
    }
}
