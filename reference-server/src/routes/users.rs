//! Routes of `users`.

use axum::Router;

use crate::app::AppState;

/// The routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
}
