//! Downloads: the API redirects to a signed URL, fetched without credentials.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::{DEFAULT_TRANSFER_TIMEOUT, ProgressCallback, TransferProgress};
use crate::client::AnimaForge;
use crate::error::{Error, Result};
use crate::transport::{RequestSpec, Target, bounded};

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

/// What a finished download wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadInfo {
    /// Bytes written.
    pub bytes: u64,
    /// The file written, for [`Download::to_path`].
    pub path: Option<PathBuf>,
    /// The `Content-Type` of the file.
    pub content_type: Option<String>,
}

/// A download, ready to run: write it with [`Download::to_path`] or
/// [`Download::to_writer`].
///
/// The API answers with a redirect to a signed, expiring URL. Redirects are followed by
/// the client itself with requests that carry no `Authorization` header and none of the
/// client's extra headers: the signature in the URL is the only credential the storage
/// host gets. The body is streamed, its length checked against `Content-Length`.
#[must_use = "a download does nothing until it is run"]
pub struct Download {
    client: AnimaForge,
    target: Result<Target>,
    progress: Option<ProgressCallback>,
    timeout: Duration,
    cancel: Option<CancellationToken>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Download {
    pub(crate) fn new(client: &AnimaForge, target: Result<Target>) -> Download {
        Download {
            client: client.clone(),
            target,
            progress: None,
            timeout: DEFAULT_TRANSFER_TIMEOUT,
            cancel: None,
        }
    }

    /// Calls `f` as bytes arrive.
    pub fn on_progress(mut self, f: impl Fn(TransferProgress) + Send + Sync + 'static) -> Download {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The total deadline (default 30 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Download {
        self.timeout = timeout;
        self
    }

    /// Stops the download when `token` is cancelled (a partial file is removed).
    pub fn cancel_on(mut self, token: CancellationToken) -> Download {
        self.cancel = Some(token);
        self
    }

    /// Streams the file to `path`: written to a temporary file in the same directory and
    /// renamed into place once complete, so `path` never holds a partial file. Missing
    /// parent directories are created.
    pub async fn to_path(self, path: impl AsRef<Path>) -> Result<DownloadInfo> {
        let path = path.as_ref().to_path_buf();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map_or_else(|| "download".into(), |n| n.to_string_lossy().into_owned());
        // Nothing is created on disk until the server has answered with the file.
        let deadline = Instant::now() + self.timeout;
        let response = self.open(deadline).await?;
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| Error::io(&dir, e))?;
        let temp = TempFile {
            path: dir.join(format!(".{name}.{}.part", uuid::Uuid::new_v4().simple())),
            keep: false,
        };
        let mut file = tokio::fs::File::create(&temp.path)
            .await
            .map_err(|e| Error::io(&temp.path, e))?;
        let mut info = self.stream(response, deadline, &mut file).await?;
        file.sync_all()
            .await
            .map_err(|e| Error::io(&temp.path, e))?;
        drop(file);
        tokio::fs::rename(&temp.path, &path)
            .await
            .map_err(|e| Error::io(&path, e))?;
        temp.commit();
        info.path = Some(path);
        Ok(info)
    }

    /// Streams the file into `writer` (flushed at the end).
    pub async fn to_writer<W: AsyncWrite + Unpin + ?Sized>(
        self,
        writer: &mut W,
    ) -> Result<DownloadInfo> {
        let deadline = Instant::now() + self.timeout;
        let response = self.open(deadline).await?;
        self.stream(response, deadline, writer).await
    }

    /// Streams an opened response into `writer`, checking its length.
    async fn stream<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        response: reqwest::Response,
        deadline: Instant,
        writer: &mut W,
    ) -> Result<DownloadInfo> {
        let expected = response.content_length();
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);

        let url = response.url().clone();
        let mut received = 0u64;
        let mut body = response.bytes_stream();
        loop {
            let next = bounded(body.next(), Some(deadline), self.cancel.as_ref())
                .await
                .map_err(|e| match e {
                    Error::Timeout {
                        elapsed, attempts, ..
                    } => Error::Timeout {
                        elapsed: elapsed.max(self.timeout),
                        attempts,
                        origin: Some(crate::transport::origin(&url)),
                    },
                    other => other,
                })?;
            let chunk = match next {
                None => break,
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => {
                    return Err(match expected {
                        Some(expected) if received < expected => {
                            Error::IncompleteDownload { expected, received }
                        }
                        _ => crate::transport::connection_error(&e, &url),
                    });
                }
            };
            received += chunk.len() as u64;
            if expected.is_some_and(|e| received > e) {
                break;
            }
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| Error::io(Path::new("<writer>"), e))?;
            if let Some(callback) = &self.progress {
                callback(TransferProgress {
                    bytes: received,
                    total: expected,
                });
            }
        }
        if let Some(expected) = expected.filter(|e| *e != received) {
            return Err(Error::IncompleteDownload { expected, received });
        }
        writer
            .flush()
            .await
            .map_err(|e| Error::io(Path::new("<writer>"), e))?;
        tracing::debug!(bytes = received, "download finished");
        Ok(DownloadInfo {
            bytes: received,
            path: None,
            content_type,
        })
    }

    /// Follows redirects by hand: the first request is an API request, every later one
    /// is bare (no credentials).
    async fn open(&self, deadline: Instant) -> Result<reqwest::Response> {
        let mut spec = match &self.target {
            Ok(Target::Api(segments)) => {
                let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
                RequestSpec::get(&refs)
            }
            Ok(Target::Url(url)) => RequestSpec::url(http::Method::GET, url.clone()),
            Err(e) => return Err(Error::config(e.to_string())),
        };
        for _ in 0..=MAX_REDIRECTS {
            spec.stream_body = true;
            spec.deadline = Some(deadline);
            spec.timeout = Some(self.timeout);
            spec.cancel = self.cancel.clone();
            spec.headers
                .insert(http::header::ACCEPT, http::HeaderValue::from_static("*/*"));
            let raw = self.client.execute(spec).await?;
            let status = raw.meta.status;
            if !(300..400).contains(&status) {
                return raw
                    .response
                    .ok_or_else(|| Error::decode("no response body", Some(status), None));
            }
            let location = raw
                .headers
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    Error::decode(
                        "a redirect without a Location header",
                        Some(status),
                        raw.meta.request_id.clone(),
                    )
                })?;
            let next: Url = raw.url.join(location).map_err(|e| {
                Error::decode(
                    format!("invalid redirect location: {e}"),
                    Some(status),
                    None,
                )
            })?;
            tracing::debug!(
                host = next.host_str().unwrap_or_default(),
                "following the download redirect without credentials"
            );
            spec = RequestSpec::url(http::Method::GET, next);
            spec.bare = true;
            spec.send_auth = false;
        }
        Err(Error::decode("too many redirects", None, None))
    }
}

/// Removes the temporary file unless committed (also when the future is dropped).
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    fn commit(mut self) {
        self.keep = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
