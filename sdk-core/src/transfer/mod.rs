//! Streamed uploads and downloads with byte progress.

mod download;
mod upload;

use std::sync::Arc;
use std::time::Duration;

pub use download::{Download, DownloadInfo};
pub use upload::{Upload, UploadSource};

/// Bytes moved so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferProgress {
    /// Bytes sent or received so far.
    pub bytes: u64,
    /// Bytes in all, when known.
    pub total: Option<u64>,
}

/// A callback for transfer progress; called from the task that runs the transfer.
pub type ProgressCallback = Arc<dyn Fn(TransferProgress) + Send + Sync>;

/// The default total deadline of an upload or download (they can be large).
pub const DEFAULT_TRANSFER_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Chunk size for reading files and buffers.
pub(crate) const CHUNK: usize = 64 * 1024;
