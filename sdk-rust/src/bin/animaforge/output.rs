//! Printing: the wire types as JSON for scripts, short tables for people.

use std::io::Write;

use animaforge::{AnimationSummary, Money};
use serde::Serialize;

use crate::failure::{self, Failure};

/// Writes to stdout (see [`outln!`]). A reader that went away ends the program quietly
/// with exit code 141, as a tool killed by SIGPIPE; any other failure to write ends it
/// with one error line and exit code 3.
pub(crate) fn write_stdout(text: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(text) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(i32::from(failure::EXIT_BROKEN_PIPE));
        }
        write_stderr(format_args!(
            "error: cannot write to standard output: {e}\n"
        ));
        std::process::exit(i32::from(failure::EXIT_LOCAL));
    }
}

/// Writes to stderr (see [`errln!`]); a failure to write is ignored.
pub(crate) fn write_stderr(text: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(text);
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::local(format!("cannot encode the output: {e}")))?;
    outln!("{text}");
    Ok(())
}

/// `text` cut to `width` characters, with `…` when cut.
pub(crate) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `free` or `9.99`.
pub(crate) fn price(money: Money) -> String {
    if money.is_zero() {
        "free".to_owned()
    } else {
        money.to_string()
    }
}

/// A table of animations: id, title, creator, length, price, likes.
pub(crate) fn animation_table<'a>(rows: impl IntoIterator<Item = &'a AnimationSummary>) {
    outln!(
        "{:<38} {:<40} {:<16} {:>6} {:>8} {:>6}",
        "ID",
        "TITLE",
        "CREATOR",
        "SECS",
        "PRICE",
        "LIKES"
    );
    for a in rows {
        outln!(
            "{:<38} {:<40} {:<16} {:>6} {:>8} {:>6}",
            a.id,
            fit(&a.title, 40),
            fit(&a.creator.username, 16),
            a.duration.map(|d| format!("{d:.1}")).unwrap_or_default(),
            price(a.price),
            a.stats.likes
        );
    }
}

/// `4.2 MB`.
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
