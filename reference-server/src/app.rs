//! The application: [`AppState`] shared by every handler and [`app`], the router with
//! its middleware.

use std::sync::Arc;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::catch_panic::CatchPanicLayer;

use crate::config::Config;
use crate::credentials::{PasswordHashing, Secrets};
use crate::http::{auth, fallback, rate_limit, request_id, spec_check};
use crate::storage::Storage;
use crate::store::Store;

/// Everything a handler needs. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// File storage.
    pub storage: Storage,
    /// Settings.
    pub config: Arc<Config>,
    /// Signing secrets.
    pub secrets: Arc<Secrets>,
    /// Password hashing with the configured costs.
    pub passwords: PasswordHashing,
    /// Public base URL for absolute links, without `/v1` (`http://127.0.0.1:8080`).
    pub public_base: Arc<str>,
    /// Background work (upload processing, ...); waited for on shutdown.
    pub tasks: TaskTracker,
    /// Cancelled when the server begins shutting down.
    pub shutdown: CancellationToken,
    /// Generation: renderer, backends and the jobs this process runs.
    pub generation: crate::jobs::Generation,
    /// The response check against the spec, when `--validate-responses` is on.
    pub spec_check: Option<Arc<crate::http::spec_check::SpecCheck>>,
}

impl AppState {
    /// Opens the database (migrating it), the storage and the secrets of `config`.
    pub async fn from_config(config: Config) -> anyhow::Result<AppState> {
        std::fs::create_dir_all(&config.data_dir)?;
        let secrets = Secrets::load(
            &config.data_dir,
            config.jwt_secret.as_deref(),
            config.url_signing_secret.as_deref(),
        )?;
        let store = Store::connect(&config.database_url(), config.db_max_connections).await?;
        let storage = Storage::open(
            config.storage_url.as_deref(),
            &config.data_dir,
            secrets.url_signing_key(),
        )?;
        let passwords = PasswordHashing::new(config.argon2_memory_kib, config.argon2_iterations)?;
        let generation = crate::jobs::Generation::new(&config.jobs, &config.data_dir);
        let spec_check = config
            .validate_responses
            .then(|| Arc::new(crate::http::spec_check::SpecCheck::new()));
        Ok(AppState {
            store,
            storage,
            public_base: config.public_base().into(),
            config: Arc::new(config),
            secrets: Arc::new(secrets),
            passwords,
            tasks: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            generation,
            spec_check,
        })
    }

    /// An absolute URL of an API path (`/animations/x` -> `{base}/v1/animations/x`).
    pub fn api_url(&self, path: &str) -> String {
        format!("{}/v1{path}", self.public_base)
    }
}

/// Largest JSON request body.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// The whole HTTP application: every route under `/v1`, envelopes for unknown routes
/// and methods, then (outermost first) the optional check against the spec, request
/// ids, envelopes for bare errors, panic catching, authentication and rate limiting.
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/v1", crate::routes::api())
        .route(
            "/receipts/{id}",
            axum::routing::get(crate::routes::receipts::receipt),
        )
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        // JSON bodies: 1 MiB, as the contract says (the upload route lifts it).
        .layer(axum::extract::DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(from_fn(fallback::declared_length))
        .layer(from_fn_with_state(state.clone(), rate_limit::rate_limit))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(CatchPanicLayer::new())
        .layer(from_fn(fallback::envelope_errors))
        .layer(from_fn(request_id::request_id))
        .layer(from_fn_with_state(state.clone(), spec_check::check))
        .with_state(state)
}
