//! Progress on stderr: a live bar with the job's log lines printed above it on a
//! terminal, plain lines (every 10 %, every log line) otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use animaforge::{JobUpdate, TransferProgress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How a job's progress is shown.
#[derive(Debug)]
pub(crate) struct JobProgress {
    bar: Option<ProgressBar>,
    /// Plain mode: the last progress printed, and the last estimate seen.
    plain: Mutex<(u8, Option<u64>)>,
}

impl JobProgress {
    /// A bar on a terminal, plain lines otherwise.
    pub(crate) fn start(job_id: &str) -> JobProgress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner:.cyan} [{elapsed_precise}] [{bar:40.cyan/blue}] {pos:>3}% {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(format!("{job_id} queued"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        if bar.is_none() {
            errln!("waiting for {job_id}");
        }
        JobProgress {
            bar,
            plain: Mutex::new((0, None)),
        }
    }

    /// Shows one update.
    pub(crate) fn update(&self, update: &JobUpdate) {
        match (&self.bar, update) {
            (Some(bar), JobUpdate::Log { message }) => bar.println(format!("  | {message}")),
            (
                Some(bar),
                JobUpdate::Progress {
                    progress,
                    estimated_remaining,
                },
            ) => {
                bar.set_position(u64::from(*progress));
                bar.set_message(eta(*estimated_remaining));
            }
            (Some(bar), JobUpdate::Status { status, progress }) => {
                bar.set_position(u64::from(*progress));
                bar.set_message(status.to_string());
            }
            (None, JobUpdate::Log { message }) => errln!("  | {message}"),
            (
                None,
                JobUpdate::Progress {
                    progress,
                    estimated_remaining,
                },
            ) => {
                let mut last = self.plain.lock().unwrap_or_else(|p| p.into_inner());
                last.1 = *estimated_remaining;
                if *progress / 10 > last.0 / 10 || (*progress == 100 && last.0 < 100) {
                    last.0 = *progress;
                    errln!("  [{progress:>3}%] {}", eta(*estimated_remaining));
                }
            }
            (None, JobUpdate::Status { status, progress }) => {
                let mut last = self.plain.lock().unwrap_or_else(|p| p.into_inner());
                // One line at 100 %: the status only when no progress line said it.
                if *progress == 100 && last.0 == 100 {
                    return;
                }
                last.0 = last.0.max(*progress);
                errln!("  [{progress:>3}%] {status}");
            }
            _ => {}
        }
    }

    /// Ends the display with a last message.
    pub(crate) fn finish(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.finish_with_message(message.to_owned()),
            None => errln!("{message}"),
        }
    }

    /// Removes the bar without a message (errors print their own line).
    pub(crate) fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
    }
}

fn eta(remaining: Option<u64>) -> String {
    match remaining {
        Some(s) => format!("ETA {s}s"),
        None => "done".to_owned(),
    }
}

/// A byte bar for a download or upload on a terminal; nothing otherwise.
#[derive(Debug, Clone)]
pub(crate) struct ByteProgress {
    bar: Option<ProgressBar>,
}

impl ByteProgress {
    /// Starts a bar labelled `label`.
    pub(crate) fn start(label: &str) -> ByteProgress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{msg} [{bar:30.green/white}] {bytes}/{total_bytes} {binary_bytes_per_sec}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(label.to_owned());
            bar
        });
        ByteProgress { bar }
    }

    /// Shows bytes moved so far.
    pub(crate) fn update(&self, progress: TransferProgress) {
        if let Some(bar) = &self.bar {
            if let Some(total) = progress.total {
                bar.set_length(total);
            }
            bar.set_position(progress.bytes);
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
