//! Render settings: quality presets, resolution, frame rate, background and duration.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::GenerateError;

/// Manim's quality presets, mapped to its `-q` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    /// `-ql`: 854x480 at 15 fps.
    Low,
    /// `-qm`: 1280x720 at 30 fps.
    #[default]
    Medium,
    /// `-qh`: 1920x1080 at 60 fps.
    High,
    /// `-qp`: 2560x1440 at 60 fps.
    Production,
}

impl Quality {
    /// The Manim command-line flag for this preset.
    pub fn manim_flag(self) -> &'static str {
        match self {
            Quality::Low => "-ql",
            Quality::Medium => "-qm",
            Quality::High => "-qh",
            Quality::Production => "-qp",
        }
    }

    /// The preset's own resolution and frame rate: `(width, height, fps)`.
    pub fn defaults(self) -> (u32, u32, u32) {
        match self {
            Quality::Low => (854, 480, 15),
            Quality::Medium => (1280, 720, 30),
            Quality::High => (1920, 1080, 60),
            Quality::Production => (2560, 1440, 60),
        }
    }

    /// The API's name for the preset.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Low => "low",
            Quality::Medium => "medium",
            Quality::High => "high",
            Quality::Production => "production",
        }
    }
}

impl fmt::Display for Quality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Quality {
    type Err = GenerateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Quality::Low),
            "medium" => Ok(Quality::Medium),
            "high" => Ok(Quality::High),
            "production" => Ok(Quality::Production),
            other => Err(GenerateError::invalid_setting(
                "quality",
                format!("unknown quality '{other}' (expected low, medium, high or production)"),
            )),
        }
    }
}

/// Everything about the output video that does not depend on the scene's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderSettings {
    /// The quality preset passed to Manim; resolution and fps below override it.
    pub quality: Quality,
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Frames per second.
    pub fps: u32,
    /// Background colour as `#rrggbb`.
    pub background: String,
    /// Requested length of the animation in seconds.
    pub duration_secs: f64,
}

/// The default background: Manim's own near-black.
pub const DEFAULT_BACKGROUND: &str = "#000000";
/// The default animation length in seconds.
pub const DEFAULT_DURATION_SECS: f64 = 5.0;
/// Shortest accepted animation, in seconds.
pub const MIN_DURATION_SECS: f64 = 1.0;
/// Longest accepted animation, in seconds.
pub const MAX_DURATION_SECS: f64 = 60.0;

impl RenderSettings {
    /// Builds settings from the API's parameters, validating each one.
    ///
    /// `resolution` is one of `480p`, `720p`, `1080p`, `1440p`, `2160p` (16:9); `fps`
    /// is 1..=60; `duration_secs` is 1..=60 (default 5); `background` is `#rrggbb`
    /// (default black). Missing values come from the quality preset.
    pub fn new(
        quality: Quality,
        resolution: Option<&str>,
        fps: Option<u32>,
        duration_secs: Option<f64>,
        background: Option<&str>,
    ) -> Result<Self, GenerateError> {
        let (mut width, mut height, mut frame_rate) = quality.defaults();
        if let Some(resolution) = resolution {
            (width, height) = parse_resolution(resolution)?;
        }
        if let Some(fps) = fps {
            if !(1..=60).contains(&fps) {
                return Err(GenerateError::invalid_setting(
                    "fps",
                    format!("fps must be between 1 and 60, got {fps}"),
                ));
            }
            frame_rate = fps;
        }
        let duration_secs = duration_secs.unwrap_or(DEFAULT_DURATION_SECS);
        if !duration_secs.is_finite()
            || !(MIN_DURATION_SECS..=MAX_DURATION_SECS).contains(&duration_secs)
        {
            return Err(GenerateError::invalid_setting(
                "duration",
                format!("duration must be between 1 and 60 seconds, got {duration_secs}"),
            ));
        }
        let background = match background {
            Some(colour) => normalise_hex_colour(colour).ok_or_else(|| {
                GenerateError::invalid_setting(
                    "background_color",
                    format!("background colour must look like #rrggbb, got '{colour}'"),
                )
            })?,
            None => DEFAULT_BACKGROUND.to_string(),
        };
        Ok(Self {
            quality,
            width,
            height,
            fps: frame_rate,
            background,
            duration_secs,
        })
    }

    /// Settings for a preset with every other value at its default.
    pub fn for_quality(quality: Quality) -> Self {
        let (width, height, fps) = quality.defaults();
        Self {
            quality,
            width,
            height,
            fps,
            background: DEFAULT_BACKGROUND.to_string(),
            duration_secs: DEFAULT_DURATION_SECS,
        }
    }

    /// Returns a copy with another duration (not validated; for tests and tools).
    pub fn with_duration(mut self, duration_secs: f64) -> Self {
        self.duration_secs = duration_secs;
        self
    }

    /// Total frames the requested duration should produce.
    pub fn expected_frames(&self) -> u64 {
        (self.duration_secs * f64::from(self.fps)).round().max(1.0) as u64
    }

    /// Address-space limit a render at these settings needs, in bytes.
    ///
    /// Importing PyAV alone needs about 800 MB of address space; larger frames need
    /// more, so the limit grows with the pixel count.
    pub fn memory_budget_bytes(&self) -> u64 {
        const MIB: u64 = 1024 * 1024;
        let pixels = u64::from(self.width) * u64::from(self.height);
        let base = 1536 * MIB;
        base + pixels * 256
    }
}

impl Default for RenderSettings {
    fn default() -> Self {
        Self::for_quality(Quality::default())
    }
}

/// Parses the API's resolution names into 16:9 pixel sizes.
pub fn parse_resolution(name: &str) -> Result<(u32, u32), GenerateError> {
    match name.to_ascii_lowercase().as_str() {
        "480p" => Ok((854, 480)),
        "720p" => Ok((1280, 720)),
        "1080p" => Ok((1920, 1080)),
        "1440p" => Ok((2560, 1440)),
        "2160p" | "4k" => Ok((3840, 2160)),
        other => Err(GenerateError::invalid_setting(
            "resolution",
            format!("unknown resolution '{other}' (expected 480p, 720p, 1080p, 1440p or 2160p)"),
        )),
    }
}

/// Normalises `#RGB` / `#RRGGBB` (with or without `#`) to lowercase `#rrggbb`.
pub fn normalise_hex_colour(colour: &str) -> Option<String> {
    let hex = colour.trim().strip_prefix('#').unwrap_or(colour.trim());
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_lowercase())),
        3 => {
            let doubled: String = hex
                .chars()
                .flat_map(|c| [c, c])
                .collect::<String>()
                .to_ascii_lowercase();
            Some(format!("#{doubled}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_and_overrides() {
        let s = RenderSettings::new(Quality::Low, None, None, None, None).unwrap();
        assert_eq!((s.width, s.height, s.fps), (854, 480, 15));
        assert_eq!(s.duration_secs, 5.0);
        let s = RenderSettings::new(
            Quality::High,
            Some("720p"),
            Some(24),
            Some(3.0),
            Some("#ABC"),
        )
        .unwrap();
        assert_eq!((s.width, s.height, s.fps), (1280, 720, 24));
        assert_eq!(s.background, "#aabbcc");
        assert_eq!(s.expected_frames(), 72);
    }

    #[test]
    fn rejects_bad_values_naming_the_field() {
        let err = RenderSettings::new(Quality::Low, Some("999p"), None, None, None).unwrap_err();
        assert!(err.to_string().contains("resolution"));
        let err = RenderSettings::new(Quality::Low, None, Some(0), None, None).unwrap_err();
        assert!(err.to_string().contains("fps"));
        let err = RenderSettings::new(Quality::Low, None, None, Some(61.0), None).unwrap_err();
        assert!(err.to_string().contains("duration"));
        let err = RenderSettings::new(Quality::Low, None, None, None, Some("blue")).unwrap_err();
        assert!(err.to_string().contains("background"));
        assert!("ultra".parse::<Quality>().is_err());
    }
}
