//! The AnimaForge reference server: the whole public API, backed by SQLite or
//! PostgreSQL, local or S3-compatible storage, and real Manim rendering.
//!
//! Layout: [`config`] (command line and environment), [`app`] (state and router),
//! [`http`] (envelope, errors, extractors, auth, rate limits, request ids),
//! [`routes`] (one module per tag of the spec), [`store`] (persistence on both engines),
//! [`storage`] (files and signed URLs), [`media`] (MP4 checks, probing, thumbnails),
//! [`server`] (serving with graceful shutdown) and [`cli`] (the subcommands).

pub mod analytics_hooks;
pub mod app;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod generate;
pub mod health_hooks;
pub mod http;
pub mod jobs;
pub mod media;
pub mod payments;
pub mod routes;
pub mod server;
pub mod storage;
pub mod store;
pub mod webhook_hooks;
pub mod webhooks;

pub use app::{AppState, app};
pub use config::{Cli, Command, Config};
