//! How long a job should take, and how long is left.
//!
//! The model is calibrated on 2-core machines with Manim Community 0.22: a fixed
//! cost (interpreter start, the scene check, the sandbox, probing and the thumbnail,
//! about 3 s), a cost per frame (about 12 ms for a 2D scene at 480p) and a cost per
//! pixel drawn (about 8 ns), with 3D scenes about six and a half times dearer per frame
//! (the sphere-to-cube scene renders at about 80 ms a frame at 480p). A 4.5 s 2D scene
//! at 480p15 comes out near 4 s, at 1080p60 near 12 s; the documented sphere-to-cube
//! prompt at 480p15 for 3 s near 8 s (measured: 8.1 s from submit to completed).

use crate::generate::RenderSettings;

/// Seconds the pipeline costs whatever the scene.
const FIXED_SECS: f64 = 3.0;
/// Seconds per frame of a 2D scene.
const PER_FRAME_SECS: f64 = 0.012;
/// Seconds per pixel drawn.
const PER_PIXEL_SECS: f64 = 8e-9;
/// Cost factor of a 3D scene.
const THREE_D_FACTOR: f64 = 6.5;
/// Seconds a model backend usually takes to answer.
const MODEL_SECS: f64 = 10.0;

/// The expected seconds of a job rendering at `settings`; `three_d` when the scene
/// is known to be 3D, `model` when a model writes it.
pub fn estimated_time(settings: &RenderSettings, three_d: bool, model: bool) -> u64 {
    let frames = settings.expected_frames() as f64;
    let pixels = f64::from(settings.width) * f64::from(settings.height) * frames;
    let mut render = frames * PER_FRAME_SECS + pixels * PER_PIXEL_SECS;
    if three_d {
        render *= THREE_D_FACTOR;
    }
    let total = FIXED_SECS + render + if model { MODEL_SECS } else { 0.0 };
    total.ceil().max(1.0) as u64
}

/// Seconds left of a job expected to take `estimated` seconds, `elapsed` seconds
/// into its run, at `progress` percent. Early on the estimate decides; once a fifth
/// is done the observed rate does.
pub fn remaining(estimated: u64, elapsed_secs: f64, progress: u8) -> u64 {
    let progress = f64::from(progress.min(100));
    if progress >= 100.0 {
        return 0;
    }
    let by_estimate = (estimated as f64 - elapsed_secs).max(1.0);
    if progress < 20.0 {
        return by_estimate.ceil() as u64;
    }
    let by_rate = elapsed_secs * (100.0 - progress) / progress;
    by_rate.max(0.0).ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::Quality;

    #[test]
    fn grows_with_quality_and_dimension() {
        let low = RenderSettings::for_quality(Quality::Low).with_duration(4.5);
        let high = RenderSettings::for_quality(Quality::High).with_duration(4.5);
        let (l, h) = (
            estimated_time(&low, false, false),
            estimated_time(&high, false, false),
        );
        assert!((3..=6).contains(&l), "{l}");
        assert!((8..=16).contains(&h), "{h}");
        assert!(estimated_time(&low, true, false) > l);
        assert!(estimated_time(&low, false, true) > l);
    }

    #[test]
    fn remaining_shrinks_to_zero() {
        assert_eq!(remaining(10, 2.0, 5), 8);
        assert_eq!(remaining(10, 5.0, 50), 5);
        assert_eq!(remaining(10, 9.0, 100), 0);
    }
}
