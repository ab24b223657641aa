//! Serving: binding, logging, background upkeep and graceful shutdown (in-flight
//! requests finish after SIGTERM or SIGINT; background tasks get a grace period).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::app::{AppState, app};
use crate::config::{Config, LogFormat};

/// Installs the global tracing subscriber (`RUST_LOG` filters; default `info`).
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colours only for a terminal: redirected logs stay plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// Binds `config.bind` and serves until a shutdown signal.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.bind).await?;
    let local = listener.local_addr()?;
    let mut state = AppState::from_config(config).await?;
    if state.config.public_url.is_none() {
        state.public_base = format!("http://{local}").into();
    }
    tracing::info!(address = %local, engine = state.store.engine().as_str(), "listening");
    run(listener, state, shutdown_signal()).await
}

/// Serves `state` on `listener` until `signal` completes, then drains.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    spawn_upkeep(&state);
    crate::jobs::spawn_workers(&state);
    crate::webhooks::worker::spawn(&state);
    let token = state.shutdown.clone();
    let router = app(state.clone());
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        signal.await;
        tracing::info!("shutting down: finishing in-flight requests");
        token.cancel();
    })
    .await?;
    state.tasks.close();
    if tokio::time::timeout(Duration::from_secs(30), state.tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("background tasks still running after 30 s; exiting anyway");
    }
    state.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Periodic upkeep, every ten minutes from start: pruning old rate-limit windows and,
/// under the retention setting, finished history.
fn spawn_upkeep(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tokio::select! {
                _ = state.shutdown.cancelled() => break,
                _ = tick.tick() => upkeep(&state).await,
            }
        }
    });
}

/// One upkeep pass.
pub async fn upkeep(state: &AppState) {
    let now = crate::store::now();
    let before = now.timestamp() - 2 * 3600;
    if let Err(err) = crate::store::rate_limits::prune(&state.store, before).await {
        tracing::warn!(error = %err, "pruning rate-limit counters failed");
    }
    match crate::store::retention::prune(&state.store, now, state.config.retention_days).await {
        Ok(pruned) if pruned != crate::store::retention::Pruned::default() => tracing::info!(
            idempotency_keys = pruned.idempotency_keys,
            webhook_events = pruned.webhook_events,
            job_progress_events = pruned.job_progress_events,
            refresh_tokens = pruned.refresh_tokens,
            retention_days = state.config.retention_days,
            "pruned finished history"
        ),
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "pruning finished history failed"),
    }
}

/// Completes on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
