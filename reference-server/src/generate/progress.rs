//! Parsing Manim's progress output into frame counts.
//!
//! Manim prints one progress bar per `play` call to stderr, redrawn with carriage
//! returns: `Animation 3: Rotate(Sphere): 40%|####  | 6/15 [00:00<00:01, 9.1it/s]`.
//! Each bar's total is that animation's frame count. Stdout carries a line per
//! finished animation and a line when the partial files are combined.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

static BAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Animation (\d+)\s*:.*?(\d+)/(\d+)\s*\[").expect("valid progress regex")
});
static DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Animation (\d+)\s*:\s*Partial movie file written").expect("valid regex")
});

/// Counts rendered frames across all animations of one render.
#[derive(Debug, Clone)]
pub(crate) struct FrameCounter {
    expected: u64,
    /// Per animation: (frames done, frames total, finished).
    bars: BTreeMap<u64, (u64, u64, bool)>,
}

/// What changed after feeding output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameProgress {
    pub(crate) done: u64,
    pub(crate) total: u64,
}

impl FrameCounter {
    /// A counter expecting `expected` frames (the requested duration times fps).
    pub(crate) fn new(expected: u64) -> Self {
        Self {
            expected: expected.max(1),
            bars: BTreeMap::new(),
        }
    }

    /// Feeds one stderr segment (text between `\r` or `\n`).
    pub(crate) fn feed_stderr(&mut self, segment: &str) -> Option<FrameProgress> {
        let caps = BAR.captures(segment)?;
        let index: u64 = caps[1].parse().ok()?;
        let done: u64 = caps[2].parse().ok()?;
        let total: u64 = caps[3].parse().ok()?;
        // A new bar means every earlier one is finished.
        for (_, bar) in self.bars.range_mut(..index) {
            bar.0 = bar.1;
            bar.2 = true;
        }
        let entry = self.bars.entry(index).or_insert((0, total, false));
        entry.0 = entry.0.max(done.min(total));
        entry.1 = total;
        Some(self.progress())
    }

    /// Feeds one stdout line; recognises finished animations.
    pub(crate) fn feed_stdout(&mut self, line: &str) -> Option<FrameProgress> {
        let caps = DONE.captures(line)?;
        let index: u64 = caps[1].parse().ok()?;
        if let Some(bar) = self.bars.get_mut(&index) {
            bar.0 = bar.1;
            bar.2 = true;
        }
        Some(self.progress())
    }

    /// Frames done so far and the best estimate of the total.
    pub(crate) fn progress(&self) -> FrameProgress {
        let done: u64 = self.bars.values().map(|b| b.0).sum();
        let seen: u64 = self.bars.values().map(|b| b.1).sum();
        FrameProgress {
            done,
            total: self.expected.max(seen),
        }
    }
}

/// Whether a stdout line says the partial movies are being combined.
pub(crate) fn is_combining(line: &str) -> bool {
    line.contains("Combining to Movie file")
}

/// Splits a byte buffer on `\r` and `\n`, returning complete segments and leaving
/// the unfinished tail in `buffer`.
pub(crate) fn split_segments(buffer: &mut Vec<u8>) -> Vec<String> {
    let mut segments = Vec::new();
    let mut start = 0;
    for (i, &byte) in buffer.iter().enumerate() {
        if byte == b'\r' || byte == b'\n' {
            if i > start {
                segments.push(String::from_utf8_lossy(&buffer[start..i]).into_owned());
            }
            start = i + 1;
        }
    }
    buffer.drain(..start);
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_frames_across_bars() {
        let mut counter = FrameCounter::new(30);
        let p = counter
            .feed_stderr("Animation 0: Create(Circle):  40%|####      | 6/15 [00:00<00:01, 9it/s]")
            .unwrap();
        assert_eq!((p.done, p.total), (6, 30));
        let p = counter
            .feed_stderr("Animation 1: Rotate(Circle):   0%|          | 0/8 [00:00<?, ?it/s]")
            .unwrap();
        assert_eq!(p.done, 15);
        let p = counter
            .feed_stdout("INFO     Animation 1 : Partial movie file written in '/job/x.mp4'")
            .unwrap();
        assert_eq!(p.done, 23);
        assert!(counter.feed_stderr("something else").is_none());
    }

    #[test]
    fn splits_on_carriage_returns() {
        let mut buf = b"a\rb\nc\r\nd".to_vec();
        assert_eq!(split_segments(&mut buf), ["a", "b", "c"]);
        assert_eq!(buf, b"d");
    }
}
