//! Printing: the wire types as JSON for scripts, short tables for people.

use animaforge::{AnimationSummary, Money};
use serde::Serialize;

use crate::failure::Failure;

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::local(format!("cannot encode the output: {e}")))?;
    println!("{text}");
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
    println!(
        "{:<38} {:<40} {:<16} {:>6} {:>8} {:>6}",
        "ID", "TITLE", "CREATOR", "SECS", "PRICE", "LIKES"
    );
    for a in rows {
        println!(
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
