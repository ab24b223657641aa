//! The AnimaForge SDK for Rust.
//!
//! ```no_run
//! use animaforge::AnimaForge;
//! use animaforge::{GenerateConfig, Quality};
//!
//! # async fn run() -> animaforge::Result<()> {
//! let client = AnimaForge::new("your_api_key");
//!
//! // Generate animation
//! let job = client.animations().generate(
//!     "rotating cube",
//!     GenerateConfig::default().quality(Quality::High)
//! ).await?;
//!
//! // Wait for completion
//! let animation = job.wait().await?;
//! println!("URL: {}", animation.url);
//! # Ok(()) }
//! ```
//!
//! Configuration comes from [`AnimaForge::builder`] or from `ANIMAFORGE_API_KEY` and
//! `ANIMAFORGE_BASE_URL`. Every operation of the API is a method of a resource accessor
//! ([`AnimaForge::auth`], [`AnimaForge::animations`], [`AnimaForge::jobs`], ...); calls
//! are `.await`ed for their data or `.with_meta()` for the request id and rate limit too.
//! Lists return a [`Page`] and stream every item with `.stream()`. Jobs report progress
//! as a `Stream` ([`Job::progress`]) and are waited for with [`Job::wait`] or
//! [`Job::wait_with`]. Errors are one [`Error`] type with a stable [`Error::code`].
//!
//! The wire types of the API (`Animation`, `GenerateConfig`, `Quality`, ...) are
//! re-exported at the top level; the ones whose names the client uses for its own types
//! (`Job`) are under [`api`].

pub use animaforge_core::*;

/// The names most programs need: `use animaforge::prelude::*;`.
pub mod prelude {
    pub use animaforge_core::{
        AnimaForge, CancellationToken, Environment, Error, GenerateConfig, Job, JobStatus,
        JobUpdate, OnTimeout, Quality, Result, RetryPolicy, UploadMetadata, UploadSource,
        WaitOptions,
    };
}
