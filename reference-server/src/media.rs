//! Video files: recognising an MP4 from its first bytes, measuring it with `ffprobe`,
//! a JPEG thumbnail with `ffmpeg`, and the background processing of uploads.

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, bail};
use serde::Deserialize;
use tokio::process::Command;

use crate::app::AppState;
use crate::store::animations::MediaFacts;

/// Bytes to read before deciding whether a file is an MP4.
pub const MP4_SNIFF_BYTES: usize = 12;

/// Whether `head` starts with an ISO base media `ftyp` box (MP4 and relatives).
pub fn looks_like_mp4(head: &[u8]) -> bool {
    if head.len() < MP4_SNIFF_BYTES || &head[4..8] != b"ftyp" {
        return false;
    }
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let brand_ok = head[8..12]
        .iter()
        .all(|b| b.is_ascii_graphic() || *b == b' ');
    (size == 1 || size >= 16) && brand_ok
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<ProbeStream>,
    format: Option<ProbeFormat>,
}

#[derive(Deserialize)]
struct ProbeStream {
    codec_type: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    duration: Option<String>,
}

#[derive(Deserialize)]
struct ProbeFormat {
    format_name: Option<String>,
    duration: Option<String>,
    size: Option<String>,
}

/// The frame rate from ffprobe's two figures: the nominal `r_frame_rate` (15/1) when it
/// agrees with the measured average within 1 % (the average of a short clip is often
/// slightly off, 15.0049), otherwise the average.
pub fn frame_rate(avg_frame_rate: Option<&str>, r_frame_rate: Option<&str>) -> Option<f64> {
    match (rate(avg_frame_rate), rate(r_frame_rate)) {
        (Some(avg), Some(nominal)) if ((nominal - avg) / avg).abs() < 0.01 => Some(nominal),
        (Some(avg), _) => Some(avg),
        (None, nominal) => nominal,
    }
}

fn rate(text: Option<&str>) -> Option<f64> {
    let text = text?;
    let value = match text.split_once('/') {
        Some((n, d)) => n.parse::<f64>().ok()? / d.parse::<f64>().ok().filter(|d| *d != 0.0)?,
        None => text.parse().ok()?,
    };
    (value.is_finite() && value > 0.0).then_some((value * 1000.0).round() / 1000.0)
}

/// Measures a video file with `ffprobe`.
pub async fn probe(path: &Path) -> anyhow::Result<MediaFacts> {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(path)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .context("running ffprobe")?;
    if !output.status.success() {
        bail!(
            "ffprobe failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let probe: Probe = serde_json::from_slice(&output.stdout).context("ffprobe output")?;
    let format = probe.format.context("no format")?;
    if !format
        .format_name
        .as_deref()
        .unwrap_or_default()
        .contains("mp4")
    {
        bail!("not an MP4 container");
    }
    let video = probe
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video"))
        .context("no video stream")?;
    let duration = format
        .duration
        .as_deref()
        .or(video.duration.as_deref())
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)
        .context("no duration")?;
    let file_size = match format.size.as_deref().and_then(|s| s.parse().ok()) {
        Some(size) => size,
        None => i64::try_from(tokio::fs::metadata(path).await?.len())?,
    };
    Ok(MediaFacts {
        duration: (duration * 1000.0).round() / 1000.0,
        fps: frame_rate(
            video.avg_frame_rate.as_deref(),
            video.r_frame_rate.as_deref(),
        )
        .context("no frame rate")?,
        width: video.width.context("no width")?,
        height: video.height.context("no height")?,
        file_size,
        format: "mp4".into(),
    })
}

/// Writes a JPEG of the frame at `at_secs` (at most 640 pixels wide) to `out`.
pub async fn thumbnail(video: &Path, at_secs: f64, out: &Path) -> anyhow::Result<()> {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-ss", &format!("{at_secs:.3}"), "-i"])
        .arg(video)
        .args([
            "-frames:v",
            "1",
            "-vf",
            "scale='min(640,iw)':-2",
            "-q:v",
            "3",
        ])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .status()
        .await
        .context("running ffmpeg")?;
    if !status.success() || !out.exists() {
        bail!("ffmpeg could not extract a frame");
    }
    Ok(())
}

/// Background step after an upload: measure, thumbnail, then `ready`; `failed` when the
/// file cannot be read as a video.
pub async fn process_upload(state: &AppState, animation_id: &str, video_object: &str) {
    match measure_and_thumbnail(state, animation_id, video_object).await {
        Ok(facts) => {
            let thumb = format!("{animation_id}.jpg");
            match state
                .store
                .mark_animation_ready(animation_id, &facts, Some(&thumb))
                .await
            {
                Ok(true) => {
                    tracing::info!(animation_id, duration = facts.duration, "upload processed");
                }
                // Deleted while it was processed: what processing wrote goes too.
                Ok(false) => {
                    for object in [thumb.as_str(), video_object] {
                        if let Err(err) = state.storage.delete(object).await {
                            tracing::warn!(animation_id, error = %err, "removing a deleted upload's file failed");
                        }
                    }
                    tracing::info!(
                        animation_id,
                        "upload deleted while processing; files removed"
                    );
                }
                Err(err) => {
                    tracing::error!(animation_id, error = %err, "recording processed upload failed");
                }
            }
        }
        Err(err) => {
            tracing::warn!(
                animation_id,
                error = format!("{err:#}"),
                "upload processing failed"
            );
            if let Err(err) = state.store.mark_animation_failed(animation_id).await {
                tracing::error!(animation_id, error = %err, "recording failed upload failed");
            }
        }
    }
}

async fn measure_and_thumbnail(
    state: &AppState,
    animation_id: &str,
    video_object: &str,
) -> anyhow::Result<MediaFacts> {
    let dir = tempfile::tempdir()?;
    let video = dir.path().join("video.mp4");
    state.storage.download_to(video_object, &video).await?;
    let facts = probe(&video).await?;
    let jpg = dir.path().join("thumb.jpg");
    let at = (facts.duration / 2.0).min(1.0);
    thumbnail(&video, at, &jpg).await?;
    let bytes = tokio::fs::read(&jpg).await?;
    state
        .storage
        .put_bytes(&format!("{animation_id}.jpg"), bytes.into())
        .await?;
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::frame_rate;

    #[test]
    fn the_nominal_rate_wins_when_the_average_is_close() {
        assert_eq!(frame_rate(Some("30730/2048"), Some("15/1")), Some(15.0));
        assert_eq!(frame_rate(Some("15/1"), Some("15/1")), Some(15.0));
        // A variable-rate stream's nominal figure is no frame rate: keep the average.
        assert_eq!(frame_rate(Some("30/1"), Some("90000/1")), Some(30.0));
        assert_eq!(frame_rate(None, Some("24/1")), Some(24.0));
        assert_eq!(frame_rate(Some("0/0"), None), None);
    }
}
