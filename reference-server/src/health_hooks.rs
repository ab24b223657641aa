//! The renderer's part of `/v1/health`, reported by the generation side.

use animaforge_api::{ComponentHealth, HealthState};

use crate::app::AppState;

/// The renderer's health. Not wired to the render pipeline yet: `degraded`.
pub async fn renderer_health(_state: &AppState) -> ComponentHealth {
    ComponentHealth {
        status: HealthState::Degraded,
        detail: Some("not configured".into()),
    }
}
