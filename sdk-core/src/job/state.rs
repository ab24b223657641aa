//! What the client knows about a job, and how events and snapshots advance it.

use std::collections::VecDeque;

use animaforge_api::{JobEvent, JobEventType, JobStatus};

use super::JobUpdate;

/// Log lines kept per job (the server keeps the last 200 too).
const KEPT_LOGS: usize = 200;

#[derive(Debug, Clone)]
pub(crate) struct JobState {
    pub(crate) status: JobStatus,
    pub(crate) progress: u8,
    pub(crate) estimated_remaining: Option<u64>,
    pub(crate) last_sequence: Option<u64>,
    pub(crate) logs: VecDeque<String>,
}

impl JobState {
    pub(crate) fn new(status: JobStatus) -> JobState {
        JobState {
            status,
            progress: 0,
            estimated_remaining: None,
            last_sequence: None,
            logs: VecDeque::new(),
        }
    }

    fn push_log(&mut self, line: String) {
        if self.logs.len() == KEPT_LOGS {
            self.logs.pop_front();
        }
        self.logs.push_back(line);
    }

    /// Applies one SSE event; events at or before the last sequence are ignored.
    pub(crate) fn apply_event(&mut self, event: JobEvent) -> Vec<JobUpdate> {
        if self
            .last_sequence
            .is_some_and(|last| event.sequence <= last)
        {
            return Vec::new();
        }
        self.last_sequence = Some(event.sequence);
        let mut out = Vec::new();
        if let (JobEventType::Log, Some(message)) = (event.kind, event.message) {
            self.push_log(message.clone());
            out.push(JobUpdate::Log { message });
        }
        self.advance(
            event.status,
            event.progress,
            event.estimated_remaining,
            &mut out,
        );
        out
    }

    /// Applies a polled snapshot: new log lines, then progress, then status.
    pub(crate) fn apply_snapshot(&mut self, job: &animaforge_api::Job) -> Vec<JobUpdate> {
        let mut out = Vec::new();
        for line in new_lines(&self.logs, &job.logs) {
            self.push_log(line.clone());
            out.push(JobUpdate::Log { message: line });
        }
        self.advance(job.status, job.progress, job.estimated_remaining, &mut out);
        out
    }

    fn advance(
        &mut self,
        status: JobStatus,
        progress: u8,
        remaining: Option<u64>,
        out: &mut Vec<JobUpdate>,
    ) {
        self.estimated_remaining = remaining;
        if progress > self.progress {
            self.progress = progress.min(100);
            out.push(JobUpdate::Progress {
                progress: self.progress,
                estimated_remaining: remaining,
            });
        }
        if status != self.status && !self.status.is_terminal() {
            self.status = status;
            out.push(JobUpdate::Status {
                status,
                progress: self.progress,
            });
        }
    }
}

/// The lines of `current` (the server's window of the last lines, oldest first) that
/// come after what was already seen: the longest suffix of `seen` that is a prefix of
/// `current` marks the overlap.
fn new_lines(seen: &VecDeque<String>, current: &[String]) -> Vec<String> {
    let max = seen.len().min(current.len());
    for overlap in (1..=max).rev() {
        let tail = seen.iter().skip(seen.len() - overlap);
        if tail.zip(current.iter()).all(|(a, b)| a == b) {
            return current[overlap..].to_vec();
        }
    }
    current.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn only_unseen_log_lines_are_new() {
        let seen: VecDeque<String> = s(&["a", "b", "c"]).into();
        assert_eq!(new_lines(&seen, &s(&["a", "b", "c", "d"])), s(&["d"]));
        assert_eq!(new_lines(&seen, &s(&["b", "c", "d", "e"])), s(&["d", "e"]));
        assert_eq!(new_lines(&seen, &s(&["a", "b", "c"])), Vec::<String>::new());
        assert_eq!(new_lines(&VecDeque::new(), &s(&["x"])), s(&["x"]));
    }
}
