//! Cleaning logs before a user or a model sees them: host paths and anything that
//! looks like a credential are replaced, and the text is truncated to its end.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// Longest error text kept, in characters (the end is kept).
pub(crate) const MAX_TAIL_CHARS: usize = 3000;
const MAX_TAIL_LINES: usize = 40;

static SECRETS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)\b(api[_-]?key|token|secret|password|passwd|authorization|bearer)\b(\s*[:=]\s*|\s+)\S+",
        r"\bsk-[A-Za-z0-9_-]{10,}",
        r"\bAIza[0-9A-Za-z_-]{20,}",
        r"\b(gh[pousr]_[A-Za-z0-9]{20,})",
        r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid redaction regex"))
    .collect()
});
static ANSI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").expect("valid ANSI regex"));

/// Redacts and truncates `text`: the job directory becomes `/job`, Python
/// environment paths become `<python>`, credentials become `[redacted]`.
pub(crate) fn redact_log(text: &str, job_dir: &Path, python_roots: &[PathBuf]) -> String {
    let mut out = ANSI.replace_all(text, "").into_owned();
    let job = job_dir.display().to_string();
    if job.len() > 1 {
        out = out.replace(&job, "/job");
    }
    for root in python_roots {
        let root = root.display().to_string();
        if root.len() > 1 {
            out = out.replace(&root, "<python>");
        }
    }
    out = redact_secrets(&out);
    truncate_tail(&out)
}

/// Replaces anything that looks like a credential.
pub(crate) fn redact_secrets(text: &str) -> String {
    let mut out = text.to_string();
    for re in SECRETS.iter() {
        out = re.replace_all(&out, "[redacted]").into_owned();
    }
    out
}

/// Keeps the last lines and characters of `text`.
pub(crate) fn truncate_tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(MAX_TAIL_LINES);
    let joined = lines[start..].join("\n");
    let count = joined.chars().count();
    if count <= MAX_TAIL_CHARS {
        return joined;
    }
    let kept: String = joined.chars().skip(count - MAX_TAIL_CHARS).collect();
    format!("...{kept}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_paths_and_secrets() {
        let text = "File \"/srv/jobs/42/scene.py\", line 3\n\
                    /root/.pyenv/versions/3.11/lib/x.py\n\
                    api_key=abc123 sk-ABCDEFGHIJKLMNOP AIzaSyABCDEFGHIJKLMNOPQRSTUV";
        let out = redact_log(
            text,
            Path::new("/srv/jobs/42"),
            &[PathBuf::from("/root/.pyenv/versions/3.11")],
        );
        assert!(out.contains("/job/scene.py"));
        assert!(out.contains("<python>/lib/x.py"));
        assert!(!out.contains("abc123"));
        assert!(!out.contains("sk-ABC"));
        assert!(!out.contains("AIza"));
    }

    #[test]
    fn keeps_the_end() {
        let long: String = (0..200).map(|i| format!("line {i}\n")).collect();
        let out = truncate_tail(&long);
        assert!(out.ends_with("line 199"));
        assert!(out.lines().count() <= MAX_TAIL_LINES);
    }
}
