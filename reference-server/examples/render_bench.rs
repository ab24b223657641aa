//! Times the generation pipeline for the documented prompt against `manim` run
//! directly on the same source, at low and high quality, and prints the overhead.
//!
//! ```text
//! cargo run -p animaforge-server --example render_bench [-- --duration 3 --runs 1]
//! ```
//!
//! The Python environment comes from `ANIMAFORGE_PYTHON` or the workspace's
//! `.venv`. "Pipeline" is submit to finished: compile, AST check, sandboxed
//! render, probe and thumbnail. "Direct" is `python -m manim` on the same file,
//! unsandboxed, with caching off.

#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use animaforge_server::generate::{
    LocalBackend, Pipeline, PipelineInput, Quality, RenderSettings, Renderer, RendererConfig,
    compile_prompt,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const PROMPT: &str = "A blue sphere rotating and morphing into a cube";

fn python() -> PathBuf {
    std::env::var_os("ANIMAFORGE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"))
}

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn direct(settings: &RenderSettings) -> Duration {
    let dir = tempfile::tempdir().expect("temporary directory");
    let source = compile_prompt(PROMPT, settings);
    std::fs::write(dir.path().join("scene.py"), &source.code).expect("write scene");
    let started = Instant::now();
    let status = tokio::process::Command::new(python())
        .args(["-m", "manim", "render", settings.quality.manim_flag(), "-r"])
        .arg(format!("{},{}", settings.width, settings.height))
        .args([
            "--fps",
            &settings.fps.to_string(),
            "--disable_caching",
            "-o",
            "out",
        ])
        .args(["scene.py", &source.scene_name])
        .current_dir(dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .expect("manim runs");
    assert!(status.success(), "direct manim failed");
    started.elapsed()
}

async fn pipeline(settings: &RenderSettings) -> Duration {
    let dir = tempfile::tempdir().expect("temporary directory");
    let renderer = Renderer::new(RendererConfig::new(python()));
    let pipeline = Pipeline::new(Arc::new(LocalBackend::new()), Arc::new(renderer));
    let (tx, mut rx) = mpsc::channel(64);
    let sink = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let started = Instant::now();
    pipeline
        .run(
            &PipelineInput::Prompt(PROMPT.into()),
            settings,
            &dir.path().join("job"),
            tx,
            CancellationToken::new(),
        )
        .await
        .expect("pipeline renders");
    let elapsed = started.elapsed();
    let _ = sink.await;
    elapsed
}

#[tokio::main]
async fn main() {
    let duration = arg("--duration", 3.0);
    let runs = arg("--runs", 1.0).max(1.0) as u32;
    println!("prompt: {PROMPT:?}, duration {duration} s, {runs} run(s) each");

    // Warm the page cache so the first measurement is not an import from disk.
    let warm = RenderSettings::new(Quality::Low, None, None, Some(1.0), None).expect("settings");
    let _ = direct(&warm).await;

    println!(
        "{:<8} {:>12} {:>12} {:>8}",
        "quality", "direct (s)", "pipeline (s)", "ratio"
    );
    for quality in [Quality::Low, Quality::High] {
        let settings =
            RenderSettings::new(quality, None, None, Some(duration), None).expect("settings");
        let mut direct_total = Duration::ZERO;
        let mut pipeline_total = Duration::ZERO;
        for _ in 0..runs {
            direct_total += direct(&settings).await;
            pipeline_total += pipeline(&settings).await;
        }
        let d = direct_total.as_secs_f64() / f64::from(runs);
        let p = pipeline_total.as_secs_f64() / f64::from(runs);
        println!(
            "{:<8} {:>12.2} {:>12.2} {:>8.3}",
            quality.as_str(),
            d,
            p,
            p / d
        );
    }
}
