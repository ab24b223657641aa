//! File storage through `object_store`: a local directory by default, an S3-compatible
//! bucket by URL. Objects have flat names (`anim_x.mp4`, `anim_x.jpg`). Files are
//! handed out as expiring HMAC-signed URLs of `GET /v1/files/{object}`, which the server
//! serves from whichever store is configured.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use futures::StreamExt;
use hmac::{Hmac, Mac};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{GetResult, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::io::AsyncReadExt;

/// Parts of a streamed upload in flight at once (each up to [`PART_SIZE`]).
const MAX_PARTS_IN_FLIGHT: usize = 2;
/// Size of a multipart part.
const PART_SIZE: usize = 5 * 1024 * 1024;

/// The object store and how to sign its URLs. Cheap to clone.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<dyn ObjectStore>,
    description: String,
    signing_key: Arc<Vec<u8>>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("backend", &self.description)
            .finish_non_exhaustive()
    }
}

impl Storage {
    /// Opens `url` (`file:///dir`, a plain directory path, or `s3://bucket`), or
    /// `<data_dir>/files` when `None`. An `s3://` URL takes its settings from the `AWS_*`
    /// variables and then from its query: see [`S3_URL_OPTIONS`].
    pub fn open(
        url: Option<&str>,
        data_dir: &FsPath,
        signing_key: &[u8],
    ) -> anyhow::Result<Storage> {
        let (inner, description): (Arc<dyn ObjectStore>, String) = match url {
            Some(u) if u.starts_with("s3://") => (Arc::new(open_s3(u)?), "s3".to_owned()),
            other => {
                let dir = match other {
                    Some(u) => PathBuf::from(u.strip_prefix("file://").unwrap_or(u)),
                    None => data_dir.join("files"),
                };
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                (
                    Arc::new(LocalFileSystem::new_with_prefix(&dir)?),
                    "local".to_owned(),
                )
            }
        };
        Ok(Storage {
            inner,
            description,
            signing_key: Arc::new(signing_key.to_vec()),
        })
    }

    /// `local` or `s3`.
    pub fn backend(&self) -> &str {
        &self.description
    }

    /// Starts a streamed upload of `name`; write chunks, then finish or abort.
    pub async fn writer(&self, name: &str) -> object_store::Result<ObjectWriter> {
        let upload = self.inner.put_multipart(&Path::from(name)).await?;
        Ok(ObjectWriter {
            inner: WriteMultipart::new_with_chunk_size(upload, PART_SIZE),
            written: 0,
        })
    }

    /// Stores small content in one request.
    pub async fn put_bytes(&self, name: &str, bytes: Bytes) -> object_store::Result<()> {
        self.inner
            .put(&Path::from(name), PutPayload::from(bytes))
            .await
            .map(|_| ())
    }

    /// Streams a local file into `name`; returns its size.
    pub async fn put_file(&self, name: &str, file: &FsPath) -> anyhow::Result<u64> {
        let mut source = tokio::fs::File::open(file).await?;
        let mut writer = self.writer(name).await?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = source.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            writer.write(Bytes::copy_from_slice(&buf[..n])).await?;
        }
        Ok(writer.finish().await?)
    }

    /// Opens `name` for reading.
    pub async fn get(&self, name: &str) -> object_store::Result<GetResult> {
        self.inner.get(&Path::from(name)).await
    }

    /// Copies `name` into a local file (for probing with ffmpeg).
    pub async fn download_to(&self, name: &str, file: &FsPath) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let mut out = tokio::fs::File::create(file).await?;
        let mut stream = self.get(name).await?.into_stream();
        while let Some(chunk) = stream.next().await {
            out.write_all(&chunk?).await?;
        }
        out.flush().await?;
        Ok(())
    }

    /// Deletes `name`; a missing object is not an error.
    pub async fn delete(&self, name: &str) -> object_store::Result<()> {
        match self.inner.delete(&Path::from(name)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }

    /// A cheap round trip to the store, for health checks.
    pub async fn check(&self) -> object_store::Result<()> {
        match self.inner.head(&Path::from(".health")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `{base}/v1/files/{name}?expires=..&signature=..`, valid for `ttl_secs`.
    pub fn signed_url(&self, base: &str, name: &str, ttl_secs: i64) -> String {
        let expires = chrono::Utc::now().timestamp() + ttl_secs;
        let signature = self.signature(name, expires);
        format!("{base}/v1/files/{name}?expires={expires}&signature={signature}")
    }

    /// Whether `signature` signs `name` until `expires` and that time has not passed.
    pub fn verify(&self, name: &str, expires: i64, signature: &str) -> bool {
        if expires < chrono::Utc::now().timestamp() {
            return false;
        }
        let wanted = self.signature(name, expires);
        bool::from(wanted.as_bytes().ct_eq(signature.as_bytes()))
    }

    /// A signature of `name` that does not expire (for receipt links).
    pub fn sign_forever(&self, name: &str) -> String {
        self.signature(name, i64::MAX)
    }

    /// Whether `signature` is [`Storage::sign_forever`]'s for `name`.
    pub fn verify_forever(&self, name: &str, signature: &str) -> bool {
        self.verify(name, i64::MAX, signature)
    }

    fn signature(&self, name: &str, expires: i64) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.signing_key)
            .expect("HMAC takes keys of any length");
        mac.update(name.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Settings an `s3://bucket?name=value&...` storage URL may carry; they override the
/// `AWS_*` variables of the same meaning. Credentials are not among them: they come from
/// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (or the other usual AWS sources), so
/// the URL, which the configuration's Debug output shows, never holds a secret. For an
/// S3-compatible store on plain HTTP:
/// `s3://bucket?endpoint=http://127.0.0.1:9000&allow_http=true&region=us-east-1`.
pub const S3_URL_OPTIONS: &[&str] = &[
    "endpoint",
    "region",
    "allow_http",
    "virtual_hosted_style_request",
];

/// The S3 store of `url`: `AWS_*` variables, then the bucket, then the URL's options.
fn open_s3(url: &str) -> anyhow::Result<AmazonS3> {
    let parsed = url::Url::parse(url).context("the S3 storage URL")?;
    let mut builder = AmazonS3Builder::from_env();
    for (name, value) in parsed.query_pairs() {
        if !S3_URL_OPTIONS.contains(&name.as_ref()) {
            anyhow::bail!(
                "unsupported option `{name}` in the S3 storage URL (supported: {}; \
                 credentials come from the AWS_* variables)",
                S3_URL_OPTIONS.join(", ")
            );
        }
        let key: AmazonS3ConfigKey = name
            .parse()
            .with_context(|| format!("the S3 storage URL option `{name}`"))?;
        builder = builder.with_config(key, value);
    }
    let mut bucket = parsed;
    bucket.set_query(None);
    builder
        .with_url(bucket.as_str())
        .build()
        .context("S3 storage")
}

/// Whether `name` is a valid flat object name.
pub fn valid_object_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A streamed upload with back-pressure: at most a few parts are held in memory.
#[derive(Debug)]
pub struct ObjectWriter {
    inner: WriteMultipart,
    written: u64,
}

impl ObjectWriter {
    /// Appends a chunk, waiting while too many parts are in flight.
    pub async fn write(&mut self, chunk: Bytes) -> object_store::Result<()> {
        self.inner.wait_for_capacity(MAX_PARTS_IN_FLIGHT).await?;
        self.written += chunk.len() as u64;
        self.inner.put(chunk);
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Completes the object; returns its size.
    pub async fn finish(self) -> object_store::Result<u64> {
        let written = self.written;
        self.inner.finish().await?;
        Ok(written)
    }

    /// Abandons the upload; nothing is stored.
    pub async fn abort(self) {
        if let Err(err) = self.inner.abort().await {
            tracing::warn!(error = %err, "aborting an upload failed");
        }
    }
}
