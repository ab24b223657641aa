//! AnimaForge client core: every client behaviour, once.
//!
//! Transport (reqwest with rustls), configuration, retries with one deadline across all
//! attempts, idempotency keys, token refresh, pagination, job waiting and progress,
//! streamed uploads and downloads, webhook verification and typed errors. Everything runs
//! on the caller's tokio runtime: there is no global runtime and no background task.
//! The Python and Node bindings wrap this crate; the public Rust crate `animaforge`
//! re-exports it.
//!
//! Data types are the wire types of `animaforge-api`, re-exported here.

mod call;
mod client;
mod config;
mod error;
mod errors_map;
mod job;
mod pagination;
mod resources;
mod response;
mod retry;
mod session;
mod transfer;
mod transport;
pub mod webhooks;

pub use animaforge_api as api;
pub use animaforge_api::*;

pub use call::Call;
pub use client::{AnimaForge, ClientBuilder};
pub use config::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, ENV_API_KEY, ENV_BASE_URL,
    Environment, RetryBudget, RetryPolicy,
};
pub use error::{Error, ErrorInfo, Result, WebhookErrorKind};
pub use job::{Job, JobUpdate, OnTimeout, UpdateCallback, WaitOptions};
pub use pagination::{Identified, Page, PageCall, Paged};
pub use resources::{
    Analytics, Animations, ApiKeys, Auth, Files, Jobs, Marketplace, Search, System, Templates,
    Users, Webhooks,
};
pub use response::{RateLimit, Response, ResponseMeta};
pub use session::{Session, SessionTokens};
pub use tokio_util::sync::CancellationToken;
pub use transfer::{
    DEFAULT_TRANSFER_TIMEOUT, Download, DownloadInfo, ProgressCallback, TransferProgress, Upload,
    UploadSource,
};
pub use webhooks::{SignedWebhook, Verifier, WebhookData, WebhookSigner};
