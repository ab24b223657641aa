//! The one loop that follows a job: the SSE stream, resumed with `Last-Event-ID`, and
//! polling where the stream is unavailable.

use std::time::Duration;

use animaforge_api::JobEvent;
use futures::StreamExt;
use futures::stream::BoxStream;
use http::HeaderValue;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::sse::SseParser;
use super::{Job, JobUpdate};
use crate::error::{Error, Result};
use crate::transport::{RequestSpec, bounded};

/// A stream that sends nothing for this long is treated as dropped and reopened.
const IDLE_TIMEOUT: Duration = Duration::from_secs(45);
/// Failed stream connections in a row after which the loop falls back to polling.
const MAX_STREAM_FAILURES: u32 = 4;
/// The shortest pause between polls.
const MIN_POLL: Duration = Duration::from_millis(250);
/// The first pause between polls.
const FIRST_POLL: Duration = Duration::from_secs(1);

/// How to follow a job.
#[derive(Debug, Clone)]
pub(crate) struct WatchConfig {
    pub(crate) deadline: Option<Instant>,
    pub(crate) cancel: Option<CancellationToken>,
    pub(crate) poll_interval_cap: Duration,
    pub(crate) use_events: bool,
}

enum Mode {
    Events,
    Polling,
}

/// Follows `job` until it reaches a terminal status, yielding each change once.
pub(crate) fn watch(job: Job, config: WatchConfig) -> BoxStream<'static, Result<JobUpdate>> {
    Box::pin(async_stream::try_stream! {
        let mut mode = if config.use_events { Mode::Events } else { Mode::Polling };
        let mut failures = 0u32;
        let mut poll_delay = FIRST_POLL;
        while !job.status().is_terminal() {
            match mode {
                Mode::Events => {
                    let mut spec = RequestSpec::get(&["animations", "jobs", job.id(), "events"]);
                    spec.stream_body = true;
                    spec.deadline = config.deadline;
                    spec.cancel = config.cancel.clone();
                    spec.headers.insert(http::header::ACCEPT, HeaderValue::from_static("text/event-stream"));
                    if let Some(last) = job.last_sequence() {
                        spec.headers.insert("last-event-id", HeaderValue::from(last));
                    }
                    let raw = match job.client.execute(spec).await {
                        Ok(raw) => raw,
                        Err(e) if matches!(e.status(), Some(404 | 405 | 406 | 501)) => {
                            tracing::debug!(job_id = job.id(), status = e.status(), "event stream unavailable; polling");
                            mode = Mode::Polling;
                            continue;
                        }
                        Err(e) if e.is_retryable() && !matches!(e, Error::Timeout { .. }) => {
                            failures += 1;
                            if failures >= MAX_STREAM_FAILURES {
                                mode = Mode::Polling;
                            } else {
                                pause(reconnect_delay(failures, None), &config).await?;
                            }
                            continue;
                        }
                        Err(e) => Err(e)?,
                    };
                    let is_sse = raw.headers.get(http::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.trim_start().starts_with("text/event-stream"));
                    let Some(response) = raw.response.filter(|_| is_sse) else {
                        tracing::debug!(job_id = job.id(), "not an event stream; polling");
                        mode = Mode::Polling;
                        continue;
                    };

                    let mut parser = SseParser::default();
                    let mut body = response.bytes_stream();
                    let mut progressed = false;
                    loop {
                        let next = bounded(tokio::time::timeout(IDLE_TIMEOUT, body.next()), config.deadline, config.cancel.as_ref()).await?;
                        let chunk = match next {
                            Ok(Some(Ok(chunk))) => chunk,
                            Ok(Some(Err(e))) => {
                                tracing::debug!(job_id = job.id(), error = %e, "event stream broke");
                                break;
                            }
                            Ok(None) => break,
                            Err(_) => {
                                tracing::debug!(job_id = job.id(), "event stream idle; reopening");
                                break;
                            }
                        };
                        for event in parser.push(&chunk) {
                            let parsed: JobEvent = match serde_json::from_str(&event.data) {
                                Ok(parsed) => parsed,
                                Err(e) => {
                                    tracing::debug!(job_id = job.id(), error = %e, "skipping an unreadable event");
                                    continue;
                                }
                            };
                            for update in job.apply(|state| state.apply_event(parsed)) {
                                progressed = true;
                                yield update;
                            }
                        }
                        if job.status().is_terminal() {
                            break;
                        }
                    }
                    if job.status().is_terminal() {
                        break;
                    }
                    failures = if progressed { 1 } else { failures + 1 };
                    if failures >= MAX_STREAM_FAILURES {
                        tracing::debug!(job_id = job.id(), "event stream keeps dropping; polling");
                        mode = Mode::Polling;
                    } else {
                        pause(reconnect_delay(failures, parser.retry_ms), &config).await?;
                    }
                }
                Mode::Polling => {
                    let mut spec = RequestSpec::get(&["animations", "jobs", job.id()]);
                    spec.deadline = config.deadline;
                    spec.cancel = config.cancel.clone();
                    let response = job.client.execute_json::<animaforge_api::Job>(spec).await?;
                    let snapshot = response.data;
                    let updates = job.apply(|state| state.apply_snapshot(&snapshot));
                    let changed = !updates.is_empty();
                    for update in updates {
                        yield update;
                    }
                    if job.status().is_terminal() {
                        break;
                    }
                    poll_delay = next_poll_delay(
                        poll_delay,
                        changed,
                        snapshot.estimated_remaining,
                        response.meta.retry_after,
                        config.poll_interval_cap,
                    );
                    pause(poll_delay, &config).await?;
                }
            }
        }
    })
}

/// The pause before the next poll: back to the first pause after a change, else 1.5
/// times the last; at least a quarter of the server's remaining-time estimate; capped;
/// never shorter than the server's `Retry-After`.
pub(crate) fn next_poll_delay(
    last: Duration,
    changed: bool,
    estimated_remaining: Option<u64>,
    retry_after: Option<Duration>,
    cap: Duration,
) -> Duration {
    let mut delay = if changed {
        FIRST_POLL
    } else {
        last.mul_f64(1.5)
    };
    if let Some(seconds) = estimated_remaining {
        delay = delay.max(Duration::from_secs(seconds) / 4);
    }
    delay = delay.clamp(MIN_POLL, cap.max(MIN_POLL));
    match retry_after {
        Some(wait) => delay.max(wait),
        None => delay,
    }
}

fn reconnect_delay(failures: u32, server_ms: Option<u64>) -> Duration {
    if let Some(ms) = server_ms {
        return Duration::from_millis(ms.min(30_000));
    }
    Duration::from_millis(250u64.saturating_mul(1 << failures.min(6))).min(Duration::from_secs(5))
}

/// Sleeps, bounded by the deadline (a pause that ends past it fails with `Timeout`) and
/// the cancellation token.
async fn pause(delay: Duration, config: &WatchConfig) -> Result<()> {
    if let Some(deadline) = config.deadline.filter(|d| Instant::now() + delay > *d) {
        bounded(
            tokio::time::sleep_until(deadline),
            None,
            config.cancel.as_ref(),
        )
        .await?;
        return Err(Error::Timeout {
            elapsed: Duration::ZERO,
            attempts: 0,
            origin: None,
        });
    }
    bounded(tokio::time::sleep(delay), None, config.cancel.as_ref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_backs_off_resets_and_honours_hints() {
        let cap = Duration::from_secs(5);
        let d = next_poll_delay(Duration::from_secs(1), false, None, None, cap);
        assert_eq!(d, Duration::from_millis(1500));
        assert_eq!(
            next_poll_delay(Duration::from_secs(4), false, None, None, cap),
            cap
        );
        assert_eq!(
            next_poll_delay(Duration::from_secs(4), true, None, None, cap),
            FIRST_POLL
        );
        assert_eq!(
            next_poll_delay(FIRST_POLL, true, Some(12), None, cap),
            Duration::from_secs(3)
        );
        assert_eq!(
            next_poll_delay(FIRST_POLL, true, None, Some(Duration::from_secs(9)), cap),
            Duration::from_secs(9)
        );
    }
}
