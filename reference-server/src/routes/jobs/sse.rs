//! `GET /animations/jobs/{job_id}/events`: the job's event log as server-sent events.
//!
//! The stream replays the log from the start (or after `Last-Event-ID`), then follows
//! it: it reads new rows whenever an event is recorded in this process and at least
//! every `events_poll_ms` (events recorded by other processes), sends a
//! `: keep-alive` comment every 15 s, and ends after the event that reports a
//! terminal status.

use std::convert::Infallible;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::http::{ApiError, ApiResult};
use crate::jobs::wire;

/// Interval of the keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Events read per query.
const BATCH: i64 = 200;

/// The `Last-Event-ID` header as a sequence number (0 when absent).
pub fn last_event_id(headers: &HeaderMap) -> ApiResult<i64> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(0);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .and_then(|v| v.parse::<u64>().ok())
        .and_then(|v| i64::try_from(v).ok())
        .ok_or_else(|| ApiError::validation("Last-Event-ID", "must be a non-negative integer"))
}

/// The event stream of `job_id` after sequence `after` (ownership already checked).
pub fn stream(state: AppState, job_id: String, after: i64) -> Response {
    let poll = state.generation.config().events_poll();
    let events = async_stream::stream! {
        let mut last = after;
        loop {
            // Registered before reading, so an event recorded meanwhile wakes us.
            let woken = state.generation.job_event_signal().notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let rows = match state.store.job_events_after(&job_id, last, BATCH).await {
                Ok(rows) => rows,
                Err(err) => {
                    tracing::warn!(%job_id, error = %err, "reading job events failed");
                    return;
                }
            };
            let full = rows.len() as i64 == BATCH;
            for row in rows {
                last = row.sequence;
                let event = wire::event(&row);
                let terminal = row.kind == "status" && event.status.is_terminal();
                let data = serde_json::to_string(&event).unwrap_or_default();
                yield Ok::<Event, Infallible>(
                    Event::default()
                        .id(row.sequence.to_string())
                        .event(row.kind.clone())
                        .data(data),
                );
                if terminal {
                    return;
                }
            }
            if full {
                continue;
            }
            // A client resuming after the terminal event gets an empty stream.
            match state.store.job(&job_id).await {
                Ok(Some(job)) if wire::status(&job.status).is_terminal() && job.event_seq <= last => {
                    return;
                }
                Ok(Some(_)) => {}
                Ok(None) => return,
                Err(err) => {
                    tracing::warn!(%job_id, error = %err, "reading a job failed");
                    return;
                }
            }
            tokio::select! {
                () = &mut woken => {}
                () = tokio::time::sleep(poll) => {}
                () = state.shutdown.cancelled() => return,
            }
        }
    };
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response()
}
