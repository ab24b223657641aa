//! Placeholder until the binding lands; it links the shared core so the workspace stays honest.
pub use animaforge_core as core;
