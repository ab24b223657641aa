//! Multipart uploads streamed from a path, bytes or a reader.

use std::future::IntoFuture;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use animaforge_api::{UploadMetadata, UploadResponse, UploadedAnimation};
use bytes::Bytes;
use futures::StreamExt;
use futures::future::BoxFuture;
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;
use tokio_util::sync::CancellationToken;

use super::{CHUNK, DEFAULT_TRANSFER_TIMEOUT, ProgressCallback, TransferProgress};
use crate::client::AnimaForge;
use crate::error::{Error, Result};
use crate::response::Response;
use crate::transport::{FormSource, RequestBody, RequestSpec, decode_envelope};

type BoxReader = Box<dyn AsyncRead + Send + Unpin>;

/// Where the file of an upload comes from. Paths and bytes can be sent again (after a
/// connection that could not be made); a reader only once.
pub enum UploadSource {
    /// A file on disk, read as it is sent.
    Path(PathBuf),
    /// Bytes in memory.
    Bytes {
        /// The content.
        data: Bytes,
        /// The file name to send.
        file_name: String,
    },
    /// Any reader, read as it is sent.
    Reader {
        /// The reader (taken by the first attempt).
        reader: Mutex<Option<BoxReader>>,
        /// The file name to send.
        file_name: String,
        /// The length, when known (sent as the part's length).
        length: Option<u64>,
    },
}

impl std::fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            UploadSource::Bytes { data, file_name } => f
                .debug_struct("Bytes")
                .field("len", &data.len())
                .field("file_name", file_name)
                .finish(),
            UploadSource::Reader {
                file_name, length, ..
            } => f
                .debug_struct("Reader")
                .field("file_name", file_name)
                .field("length", length)
                .finish(),
        }
    }
}

impl UploadSource {
    /// A file on disk.
    pub fn path(path: impl Into<PathBuf>) -> UploadSource {
        UploadSource::Path(path.into())
    }

    /// Bytes in memory, sent under `file_name`.
    pub fn bytes(data: impl Into<Bytes>, file_name: impl Into<String>) -> UploadSource {
        UploadSource::Bytes {
            data: data.into(),
            file_name: file_name.into(),
        }
    }

    /// A reader, sent under `file_name`; `length` when known.
    pub fn reader(
        reader: impl AsyncRead + Send + Unpin + 'static,
        file_name: impl Into<String>,
        length: Option<u64>,
    ) -> UploadSource {
        UploadSource::Reader {
            reader: Mutex::new(Some(Box::new(reader))),
            file_name: file_name.into(),
            length,
        }
    }
}

fn mime_for(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".mp4") || lower.ends_with(".m4v") {
        "video/mp4"
    } else if lower.ends_with(".webm") {
        "video/webm"
    } else if lower.ends_with(".mov") {
        "video/quicktime"
    } else if lower.ends_with(".gif") {
        "image/gif"
    } else {
        "application/octet-stream"
    }
}

struct UploadForm {
    source: Arc<UploadSource>,
    metadata: String,
    progress: Option<ProgressCallback>,
}

impl UploadForm {
    async fn open(&self) -> Result<Option<(BoxReader, String, Option<u64>)>> {
        Ok(Some(match &*self.source {
            UploadSource::Path(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| Error::io(path, e))?;
                let length = file.metadata().await.map_err(|e| Error::io(path, e))?.len();
                let name = path.file_name().map_or_else(
                    || "animation.mp4".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                );
                (Box::new(file) as BoxReader, name, Some(length))
            }
            UploadSource::Bytes { data, file_name } => {
                let length = data.len() as u64;
                (
                    Box::new(std::io::Cursor::new(data.clone())) as BoxReader,
                    file_name.clone(),
                    Some(length),
                )
            }
            UploadSource::Reader {
                reader,
                file_name,
                length,
            } => {
                let Some(reader) = reader.lock().ok().and_then(|mut r| r.take()) else {
                    return Ok(None);
                };
                (reader, file_name.clone(), *length)
            }
        }))
    }
}

impl FormSource for UploadForm {
    fn form(&self) -> BoxFuture<'_, Result<Option<Form>>> {
        Box::pin(async move {
            let Some((reader, name, length)) = self.open().await? else {
                return Ok(None);
            };
            let progress = self.progress.clone();
            let mut sent = 0u64;
            let chunks = ReaderStream::with_capacity(reader, CHUNK).map(move |chunk| {
                if let (Ok(bytes), Some(callback)) = (&chunk, &progress) {
                    sent += bytes.len() as u64;
                    callback(TransferProgress {
                        bytes: sent,
                        total: length,
                    });
                }
                chunk
            });
            let body = reqwest::Body::wrap_stream(chunks);
            let part = match length {
                Some(length) => Part::stream_with_length(body, length),
                None => Part::stream(body),
            };
            let part = part
                .file_name(name.clone())
                .mime_str(mime_for(&name))
                .map_err(|e| Error::config(format!("invalid content type: {e}")))?;
            let metadata = Part::text(self.metadata.clone())
                .mime_str("application/json")
                .map_err(|e| Error::config(format!("invalid content type: {e}")))?;
            Ok(Some(
                Form::new().part("file", part).part("metadata", metadata),
            ))
        })
    }
}

/// An upload (`POST /animations`), ready to send: `.await` it.
#[must_use = "an upload does nothing until it is awaited"]
pub struct Upload {
    client: AnimaForge,
    source: Arc<UploadSource>,
    metadata: UploadMetadata,
    progress: Option<ProgressCallback>,
    timeout: Duration,
    cancel: Option<CancellationToken>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("source", &self.source)
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl Upload {
    pub(crate) fn new(
        client: &AnimaForge,
        source: UploadSource,
        metadata: UploadMetadata,
    ) -> Upload {
        Upload {
            client: client.clone(),
            source: Arc::new(source),
            metadata,
            progress: None,
            timeout: DEFAULT_TRANSFER_TIMEOUT,
            cancel: None,
        }
    }

    /// Calls `f` as bytes of the file are handed to the connection.
    pub fn on_progress(mut self, f: impl Fn(TransferProgress) + Send + Sync + 'static) -> Upload {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The total deadline (default 30 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Upload {
        self.timeout = timeout;
        self
    }

    /// Stops the upload when `token` is cancelled.
    pub fn cancel_on(mut self, token: CancellationToken) -> Upload {
        self.cancel = Some(token);
        self
    }

    /// Sends the upload and returns the result with the response metadata.
    pub async fn with_meta(self) -> Result<Response<UploadedAnimation>> {
        let metadata = serde_json::to_string(&self.metadata)
            .map_err(|e| Error::config(format!("cannot encode the metadata: {e}")))?;
        let mut spec = RequestSpec::new(http::Method::POST, &["animations"]);
        spec.body = RequestBody::Multipart(Arc::new(UploadForm {
            source: self.source,
            metadata,
            progress: self.progress,
        }));
        spec.timeout = Some(self.timeout);
        spec.cancel = self.cancel;
        let raw = self.client.execute(spec).await?;
        Ok(decode_envelope::<UploadResponse>(raw)?.map(|d| d.animation))
    }
}

impl IntoFuture for Upload {
    type Output = Result<UploadedAnimation>;
    type IntoFuture = BoxFuture<'static, Result<UploadedAnimation>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { Ok(self.with_meta().await?.data) })
    }
}
