//! The renderer's part of `/v1/health`, reported by the generation side.

use animaforge_api::{ComponentHealth, HealthState};

use crate::app::AppState;

/// The renderer's health: `ok` with the Manim version when Manim runs in its sandbox
/// here, `degraded` with the reason otherwise (probed at most every minute).
pub async fn renderer_health(state: &AppState) -> ComponentHealth {
    let status = state.generation.renderer_status().await;
    if status.available {
        ComponentHealth {
            status: HealthState::Ok,
            detail: Some(match status.manim_version {
                Some(version) => format!("manim {version}"),
                None => "manim".into(),
            }),
        }
    } else {
        ComponentHealth {
            status: HealthState::Degraded,
            detail: Some(
                status
                    .detail
                    .unwrap_or_else(|| "the renderer is unavailable".into()),
            ),
        }
    }
}
