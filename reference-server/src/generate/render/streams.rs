//! Reading Manim's stdout and stderr: frame progress, the encoding step and the
//! tail of stderr kept for error reports.

use std::collections::VecDeque;

use super::events::Reporter;
use crate::generate::progress::{FrameCounter, is_combining, split_segments};

/// Output parsing state of one Manim process.
pub(super) struct Streams {
    pub(super) counter: FrameCounter,
    pub(super) stdout: Vec<u8>,
    pub(super) stderr: Vec<u8>,
    pub(super) tail: Tail,
}

impl Streams {
    pub(super) async fn feed(&mut self, is_stdout: bool, bytes: &[u8], reporter: &mut Reporter) {
        let buf = if is_stdout {
            &mut self.stdout
        } else {
            &mut self.stderr
        };
        buf.extend_from_slice(bytes);
        for segment in split_segments(buf) {
            if is_stdout {
                if is_combining(&segment) {
                    reporter.log("Encoding video".into()).await;
                    reporter.progress(0.92).await;
                } else if let Some(p) = self.counter.feed_stdout(&segment) {
                    reporter.frames(p.done, p.total).await;
                }
            } else {
                self.tail.push(&segment);
                if let Some(p) = self.counter.feed_stderr(&segment) {
                    reporter.frames(p.done, p.total).await;
                }
            }
        }
    }
}

/// The last few kilobytes of a stream.
pub(super) struct Tail {
    text: VecDeque<String>,
    bytes: usize,
    cap: usize,
}

impl Tail {
    pub(super) fn new(cap: usize) -> Self {
        Self {
            text: VecDeque::new(),
            bytes: 0,
            cap,
        }
    }

    pub(super) fn push(&mut self, segment: &str) {
        // Progress-bar redraws are noise in an error report.
        if segment.trim().is_empty() || segment.contains("it/s]") || segment.contains("?it/s") {
            return;
        }
        self.bytes += segment.len();
        self.text.push_back(segment.to_string());
        while self.bytes > self.cap {
            match self.text.pop_front() {
                Some(old) => self.bytes -= old.len(),
                None => break,
            }
        }
    }

    pub(super) fn text(&self) -> String {
        self.text.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}
