//! Progress and log events of a render, and the reporter that sends them.

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

/// Something that happened during a render, for job progress and logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RenderEvent {
    /// Overall completion from 0 to 1; never decreases within one render.
    Progress {
        /// Fraction done.
        fraction: f64,
    },
    /// A human-readable step, e.g. `Rendering frame 390/600` or `Encoding video`.
    Log(String),
}

/// Sends events with monotone progress and frame log lines every tenth.
pub(super) struct Reporter {
    events: mpsc::Sender<RenderEvent>,
    fraction: f64,
    frame_bucket: Option<u64>,
}

impl Reporter {
    pub(super) fn new(events: mpsc::Sender<RenderEvent>) -> Self {
        Self {
            events,
            fraction: 0.0,
            frame_bucket: None,
        }
    }

    pub(super) async fn log(&mut self, line: String) {
        let _ = self.events.send(RenderEvent::Log(line)).await;
    }

    pub(super) async fn progress(&mut self, fraction: f64) {
        let fraction = fraction.clamp(0.0, 1.0);
        if fraction > self.fraction {
            self.fraction = fraction;
            let _ = self.events.send(RenderEvent::Progress { fraction }).await;
        }
    }

    pub(super) async fn frames(&mut self, done: u64, total: u64) {
        let total = total.max(1);
        let bucket = done * 10 / total;
        if self.frame_bucket != Some(bucket) {
            self.frame_bucket = Some(bucket);
            self.log(format!("Rendering frame {done}/{total}")).await;
        }
        self.progress(0.9 * done as f64 / total as f64).await;
    }
}
