//! Turns the pipeline's events into the job's event log, at a bounded rate.
//!
//! Progress is written when it has grown by a whole percent and at most every
//! [`MIN_INTERVAL`]; `Rendering frame N/M` lines at most every [`MIN_INTERVAL`] too
//! (the last one held back is written before the next other line). Progress stays
//! below 100 until the job completes, and never goes below what the job already
//! reported (a retried job keeps its progress). Every write is guarded by the lease:
//! when the claim is lost (cancelled, reaped) the recorder cancels the run.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Generation, estimate};
use crate::generate::RenderEvent;
use crate::store::Store;
use crate::store::jobs::{EventWrite, Guard};

/// Shortest time between two progress events, and between two frame log lines.
pub const MIN_INTERVAL: Duration = Duration::from_millis(250);

/// Records one claim's events.
#[derive(Debug)]
pub struct Recorder {
    store: Store,
    generation: Generation,
    job_id: String,
    lease: String,
    estimated: u64,
    started: Instant,
    progress: u8,
    written_progress: u8,
    last_progress_write: Option<Instant>,
    last_frame_write: Option<Instant>,
    held_frame_line: Option<String>,
    stop: CancellationToken,
}

impl Recorder {
    /// A recorder for the claim `lease` of `job_id`, starting at `progress`; `stop`
    /// is cancelled when the claim turns out lost.
    pub fn new(
        store: Store,
        generation: Generation,
        job_id: &str,
        lease: &str,
        estimated: u64,
        progress: u8,
        stop: CancellationToken,
    ) -> Recorder {
        Recorder {
            store,
            generation,
            job_id: job_id.to_owned(),
            lease: lease.to_owned(),
            estimated,
            started: Instant::now(),
            progress,
            written_progress: progress,
            last_progress_write: None,
            last_frame_write: None,
            held_frame_line: None,
            stop,
        }
    }

    /// The progress reached so far.
    pub fn progress(&self) -> u8 {
        self.progress
    }

    /// Consumes the pipeline's events until the pipeline drops its sender.
    pub async fn run(mut self, mut events: mpsc::Receiver<RenderEvent>) -> Recorder {
        while let Some(event) = events.recv().await {
            match event {
                RenderEvent::Progress { fraction } => self.on_progress(fraction).await,
                RenderEvent::Log(line) => self.on_log(line).await,
            }
        }
        self.flush_frame_line().await;
        self
    }

    async fn on_progress(&mut self, fraction: f64) {
        let percent = (fraction.clamp(0.0, 1.0) * 100.0).floor() as u8;
        self.progress = self.progress.max(percent.min(99));
        let due = self
            .last_progress_write
            .is_none_or(|at| at.elapsed() >= MIN_INTERVAL);
        if self.progress > self.written_progress && due {
            self.write("progress", None).await;
            self.written_progress = self.progress;
            self.last_progress_write = Some(Instant::now());
        }
    }

    async fn on_log(&mut self, line: String) {
        if line.starts_with("Rendering frame ") {
            let due = self
                .last_frame_write
                .is_none_or(|at| at.elapsed() >= MIN_INTERVAL);
            if due {
                self.held_frame_line = None;
                self.last_frame_write = Some(Instant::now());
                self.write("log", Some(&line)).await;
            } else {
                self.held_frame_line = Some(line);
            }
            return;
        }
        self.flush_frame_line().await;
        self.write("log", Some(&line)).await;
    }

    /// Writes a log line now (worker messages outside the pipeline).
    pub async fn log(&mut self, line: &str) {
        self.write("log", Some(line)).await;
    }

    async fn flush_frame_line(&mut self) {
        if let Some(line) = self.held_frame_line.take() {
            self.last_frame_write = Some(Instant::now());
            self.write("log", Some(&line)).await;
        }
    }

    async fn write(&mut self, kind: &str, message: Option<&str>) {
        let remaining = estimate::remaining(
            self.estimated,
            self.started.elapsed().as_secs_f64(),
            self.progress,
        );
        let event = EventWrite {
            kind,
            status: None,
            progress: i64::from(self.progress),
            message,
            estimated_remaining: Some(remaining as i64),
        };
        match self
            .store
            .record_job_event(&self.job_id, Guard::Lease(&self.lease), event)
            .await
        {
            Ok(Some(_)) => self.generation.job_event(),
            Ok(None) => {
                if !self.stop.is_cancelled() {
                    tracing::info!(job_id = %self.job_id, "claim lost; stopping the job");
                    self.stop.cancel();
                }
            }
            Err(err) => {
                tracing::warn!(job_id = %self.job_id, error = %err, "recording a job event failed");
            }
        }
    }
}
