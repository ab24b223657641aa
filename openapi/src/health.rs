//! Health of the server and its dependencies. Addition to the documented API.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::wire_enum;

wire_enum! {
    /// Overall and per-dependency states.
    pub enum HealthState {
        /// Working.
        Ok = "ok",
        /// Working, with a dependency unavailable (for example no renderer).
        Degraded = "degraded",
        /// Not working.
        Unavailable = "unavailable",
    }
}

/// One dependency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ComponentHealth {
    /// State.
    pub status: HealthState,
    /// Engine, backend or version, for example `sqlite`, `local`, `manim 0.22.0`.
    pub detail: Option<String>,
}

/// `data` of `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// `ok` when every dependency is; `degraded` when only the renderer is not;
    /// `unavailable` otherwise (then the status is 503).
    pub status: HealthState,
    /// Server version.
    pub version: String,
    /// The database.
    pub database: ComponentHealth,
    /// File storage.
    pub storage: ComponentHealth,
    /// Manim and its sandbox.
    pub renderer: ComponentHealth,
}
