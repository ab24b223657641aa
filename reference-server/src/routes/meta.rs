//! Server metadata: `/health` and `/openapi.json`.

use animaforge_api::{ComponentHealth, Health, HealthState};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::AppState;
use crate::http::Data;

/// `/health`, `/openapi.json`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
}

async fn health(State(state): State<AppState>) -> Data<Health> {
    let database = match state.store.ping().await {
        Ok(()) => ComponentHealth {
            status: HealthState::Ok,
            detail: Some(state.store.engine().as_str().into()),
        },
        Err(err) => {
            tracing::warn!(error = %err, "database health check failed");
            ComponentHealth {
                status: HealthState::Unavailable,
                detail: Some(state.store.engine().as_str().into()),
            }
        }
    };
    let storage = match state.storage.check().await {
        Ok(()) => ComponentHealth {
            status: HealthState::Ok,
            detail: Some(state.storage.backend().into()),
        },
        Err(err) => {
            tracing::warn!(error = %err, "storage health check failed");
            ComponentHealth {
                status: HealthState::Unavailable,
                detail: Some(state.storage.backend().into()),
            }
        }
    };
    let renderer = crate::health_hooks::renderer_health(&state).await;
    let status = if database.status != HealthState::Ok || storage.status != HealthState::Ok {
        HealthState::Unavailable
    } else if renderer.status != HealthState::Ok {
        HealthState::Degraded
    } else {
        HealthState::Ok
    };
    let code = if status == HealthState::Unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    Data(
        code,
        Health {
            status,
            version: env!("CARGO_PKG_VERSION").into(),
            database,
            storage,
            renderer,
        },
    )
}

async fn openapi() -> Response {
    let body = serde_json::to_vec(animaforge_api::spec::openapi_json()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
