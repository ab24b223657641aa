//! The render's result: the video moved into place and checked, its measured
//! metadata and a thumbnail.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::events::Reporter;
use super::{MANIM_VIDEO, Renderer, THUMBNAIL_FILE, VIDEO_FILE};
use crate::generate::RenderError;
use crate::generate::media::{VideoMetadata, extract_thumbnail, probe_video};
use crate::generate::sandbox::SandboxSpec;
use crate::generate::settings::RenderSettings;

/// A finished render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderOutput {
    /// The MP4, inside the job directory.
    pub video: PathBuf,
    /// A JPEG frame of the video, inside the job directory.
    pub thumbnail: PathBuf,
    /// Facts measured from the video file.
    pub metadata: VideoMetadata,
}

impl Renderer {
    /// Moves the video into place, checks it, measures it and takes a thumbnail.
    pub(super) async fn collect(
        &self,
        spec: &SandboxSpec<'_>,
        job_dir: &Path,
        settings: &RenderSettings,
        reporter: &mut Reporter,
    ) -> Result<RenderOutput, RenderError> {
        let produced = job_dir.join(MANIM_VIDEO);
        // The scene could have replaced directories with symlinks: the file must
        // resolve to exactly where it is expected and be a regular file.
        let resolved = tokio::fs::canonicalize(&produced).await.map_err(|_| {
            RenderError::OutputMissing(format!("Manim finished but wrote no {MANIM_VIDEO}"))
        })?;
        let meta = tokio::fs::symlink_metadata(&resolved).await?;
        if resolved != produced || !meta.is_file() {
            return Err(RenderError::OutputMissing(
                "the rendered video is not a regular file inside the job directory".into(),
            ));
        }
        let video = job_dir.join(VIDEO_FILE);
        tokio::fs::rename(&resolved, &video).await?;
        let _ = tokio::fs::remove_dir_all(job_dir.join("media")).await;
        reporter.progress(0.95).await;

        let file_size = tokio::fs::symlink_metadata(&video).await?.len();
        let metadata = probe_video(spec, &self.config.ffprobe, VIDEO_FILE, file_size).await?;
        reporter.log("Generating thumbnail".into()).await;
        let thumbnail = job_dir.join(THUMBNAIL_FILE);
        let _ = tokio::fs::remove_file(&thumbnail).await;
        let at = (metadata.duration_secs * 0.5).max(0.0);
        extract_thumbnail(spec, &self.config.ffmpeg, VIDEO_FILE, THUMBNAIL_FILE, at).await?;
        let thumb_meta = tokio::fs::symlink_metadata(&thumbnail)
            .await
            .map_err(|_| RenderError::OutputMissing("no thumbnail was written".into()))?;
        if !thumb_meta.is_file() || thumb_meta.len() == 0 {
            return Err(RenderError::OutputMissing("the thumbnail is empty".into()));
        }
        if (metadata.width, metadata.height) != (settings.width, settings.height) {
            tracing::warn!(
                width = metadata.width,
                height = metadata.height,
                "video size differs from the requested size"
            );
        }
        Ok(RenderOutput {
            video,
            thumbnail,
            metadata,
        })
    }
}
