//! The AnimaForge reference server: the whole public API, backed by SQLite or
//! PostgreSQL, local or S3-compatible storage, and real Manim rendering.

pub mod generate;
