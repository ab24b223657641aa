//! Webhook subscriptions: `/webhooks`, `/webhooks/{id}`.

use axum::Router;

use crate::app::AppState;

/// The routes of this area (none yet).
pub fn router() -> Router<AppState> {
    Router::new()
}
