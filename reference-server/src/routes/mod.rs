//! The API's routes, one module per tag of the spec. Each module exposes
//! `pub fn router() -> Router<AppState>` with paths relative to `/v1`; [`api`] merges
//! them. To add an area: fill in its module's `router()` (the empty ones below are
//! reserved), nothing else here needs to change.

pub mod analytics;
pub mod animations;
pub mod api_keys;
pub mod auth;
pub mod files;
pub mod jobs;
pub mod marketplace;
pub mod meta;
pub mod receipts;
pub mod search;
pub mod templates;
pub mod upload;
pub mod users;
pub mod validate;
pub mod views;
pub mod webhooks;

use axum::Router;

use crate::app::AppState;

/// Every route of the API, relative to `/v1`.
pub fn api() -> Router<AppState> {
    Router::new()
        // Accounts, catalogue, users, infrastructure.
        .merge(auth::router())
        .merge(api_keys::router())
        .merge(animations::router())
        .merge(users::router())
        .merge(meta::router())
        .merge(files::router())
        // Search, marketplace, analytics, webhooks.
        .merge(search::router())
        .merge(marketplace::router())
        .merge(analytics::router())
        .merge(webhooks::router())
        // Generation: jobs (`/animations/generate`, `/animations/jobs/...`) and templates.
        .merge(jobs::router())
        .merge(templates::router())
}
