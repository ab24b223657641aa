//! Measuring the produced video and extracting its thumbnail with ffprobe/ffmpeg.
//!
//! The video was written by untrusted code, so both tools run in the same sandbox
//! as the render and see only the job directory.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::RenderError;
use super::sandbox::{SandboxSpec, kill_group};

/// Facts about a produced video, measured from the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoMetadata {
    /// Container duration in seconds.
    pub duration_secs: f64,
    /// Frames per second of the video stream.
    pub fps: f64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// File size in bytes.
    pub file_size: u64,
    /// Container format; always `mp4`.
    pub format: String,
}

const TOOL_TIMEOUT: Duration = Duration::from_secs(60);

async fn run_tool(
    spec: &SandboxSpec<'_>,
    program: &Path,
    args: Vec<OsString>,
) -> Result<Vec<u8>, RenderError> {
    let mut command = spec.command(program, &args);
    let child = command.spawn().map_err(|err| {
        RenderError::RendererUnavailable(format!("cannot run {}: {err}", program.display()))
    })?;
    let pgid = child.id();
    let output = match tokio::time::timeout(TOOL_TIMEOUT, child.wait_with_output()).await {
        Ok(output) => output?,
        Err(_) => {
            if let Some(pgid) = pgid {
                kill_group(pgid);
            }
            return Err(RenderError::OutputMissing(format!(
                "{} timed out",
                program.display()
            )));
        }
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or_default().to_string();
        return Err(RenderError::OutputMissing(format!(
            "{} failed: {last}",
            program.file_name().unwrap_or_default().to_string_lossy()
        )));
    }
    Ok(output.stdout)
}

/// Measures `video` (a path relative to the job directory).
pub(crate) async fn probe_video(
    spec: &SandboxSpec<'_>,
    ffprobe: &Path,
    video: &str,
    file_size: u64,
) -> Result<VideoMetadata, RenderError> {
    let inner = spec.inner_job_dir().join(video);
    let args: Vec<OsString> = vec![
        "-v".into(),
        "error".into(),
        "-select_streams".into(),
        "v:0".into(),
        "-show_entries".into(),
        "stream=width,height,avg_frame_rate,r_frame_rate:format=duration".into(),
        "-of".into(),
        "json".into(),
        inner.into(),
    ];
    let stdout = run_tool(spec, ffprobe, args).await?;
    parse_ffprobe(&stdout, file_size)
}

fn parse_ffprobe(stdout: &[u8], file_size: u64) -> Result<VideoMetadata, RenderError> {
    #[derive(Deserialize)]
    struct Probe {
        streams: Vec<Stream>,
        format: Format,
    }
    #[derive(Deserialize)]
    struct Stream {
        width: u32,
        height: u32,
        avg_frame_rate: Option<String>,
        r_frame_rate: Option<String>,
    }
    #[derive(Deserialize)]
    struct Format {
        duration: Option<String>,
    }
    let probe: Probe = serde_json::from_slice(stdout)
        .map_err(|err| RenderError::OutputMissing(format!("unreadable ffprobe output: {err}")))?;
    let stream = probe
        .streams
        .first()
        .ok_or_else(|| RenderError::OutputMissing("the video has no video stream".into()))?;
    let fps = crate::media::frame_rate(
        stream.avg_frame_rate.as_deref(),
        stream.r_frame_rate.as_deref(),
    )
    .unwrap_or(0.0);
    let duration_secs = probe
        .format
        .duration
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0.0);
    Ok(VideoMetadata {
        duration_secs,
        fps,
        width: stream.width,
        height: stream.height,
        file_size,
        format: "mp4".into(),
    })
}

/// Writes a JPEG of the frame at `at_secs` of `video` to `thumbnail` (both
/// relative to the job directory).
pub(crate) async fn extract_thumbnail(
    spec: &SandboxSpec<'_>,
    ffmpeg: &Path,
    video: &str,
    thumbnail: &str,
    at_secs: f64,
) -> Result<(), RenderError> {
    let dir = spec.inner_job_dir();
    let args: Vec<OsString> = vec![
        "-nostdin".into(),
        "-v".into(),
        "error".into(),
        "-y".into(),
        "-ss".into(),
        format!("{at_secs:.3}").into(),
        "-i".into(),
        dir.join(video).into(),
        "-frames:v".into(),
        "1".into(),
        "-q:v".into(),
        "3".into(),
        dir.join(thumbnail).into(),
    ];
    run_tool(spec, ffmpeg, args).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ffprobe_json() {
        let json = br#"{"programs":[],"streams":[{"width":854,"height":480,
            "r_frame_rate":"15/1","avg_frame_rate":"15/1"}],"format":{"duration":"3.000000"}}"#;
        let meta = parse_ffprobe(json, 1234).unwrap();
        assert_eq!((meta.width, meta.height, meta.fps), (854, 480, 15.0));
        assert_eq!(meta.duration_secs, 3.0);
        assert_eq!(meta.file_size, 1234);
    }
}
