//! Generation jobs: `/animations/generate`, `/animations/jobs/{job_id}` (status, cancel, events).

use axum::Router;

use crate::app::AppState;

/// The routes of this area (none yet).
pub fn router() -> Router<AppState> {
    Router::new()
}
