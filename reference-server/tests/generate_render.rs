//! Real renders through the sandbox: the documented prompt end to end, a template,
//! cancellation and the wall-clock timeout.

#![allow(clippy::print_stderr)] // prints render times for whoever reads the test output

mod generate_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use animaforge_server::generate::{
    LocalBackend, Pipeline, PipelineInput, Quality, RenderError, RenderSettings, SceneSource,
    render_template, validate_source,
};
use generate_support::{
    drain, ffprobe, first_frame_decodes, fractions, logs, processes_mentioning, python, renderer,
    survivors,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn documented_prompt_renders_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let job_dir = dir.path().join("job");
    let settings =
        RenderSettings::new(Quality::Low, Some("480p"), Some(15), Some(3.0), None).unwrap();
    let pipeline = Pipeline::new(
        Arc::new(LocalBackend::new()),
        Arc::new(renderer(Duration::from_secs(240))),
    );
    let input = PipelineInput::Prompt("A blue sphere rotating and morphing into a cube".into());

    let (tx, rx) = mpsc::channel(16);
    let collector = tokio::spawn(drain(rx));
    let started = Instant::now();
    let output = pipeline
        .run(&input, &settings, &job_dir, tx, CancellationToken::new())
        .await
        .expect("the documented prompt renders");
    let elapsed = started.elapsed();
    let events = collector.await.unwrap();
    eprintln!("rendered in {elapsed:?}");

    // The container, measured independently.
    let (duration, width, height, fps) = ffprobe(&output.render.video);
    assert!((duration - 3.0).abs() <= 0.2, "duration {duration}");
    assert_eq!((width, height), (854, 480));
    assert!((fps - 15.0).abs() < 1e-6, "fps {fps}");
    assert!(first_frame_decodes(
        &output.render.video,
        &dir.path().join("first.png")
    ));
    let thumb = std::fs::read(&output.render.thumbnail).unwrap();
    assert!(thumb.starts_with(&[0xFF, 0xD8]), "the thumbnail is a JPEG");

    // The metadata the pipeline measured agrees.
    let meta = &output.render.metadata;
    assert!((meta.duration_secs - 3.0).abs() <= 0.2);
    assert_eq!((meta.width, meta.height), (854, 480));
    assert_eq!(
        meta.file_size,
        std::fs::metadata(&output.render.video).unwrap().len()
    );
    assert_eq!(meta.format, "mp4");
    assert!(output.source.code.contains("ThreeDScene"));
    assert_eq!(output.attempts, 1);

    // Progress only goes forward and ends at 1.
    let progress = fractions(&events);
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert_eq!(progress.last().copied(), Some(1.0));
    assert!(progress.len() >= 5, "{progress:?}");

    // The documented log lines, in order.
    let lines = logs(&events);
    let position = |needle: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no log line '{needle}' in {lines:?}"))
    };
    let order = [
        position("Starting generation..."),
        position("Scene compiled by local backend"),
        position("Rendering frame"),
        position("Encoding video"),
        position("Generating thumbnail"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    let frames: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("Rendering frame"))
        .collect();
    assert!(frames.last().unwrap().ends_with("/45"), "{frames:?}");
}

#[tokio::test]
async fn a_template_renders_and_every_template_validates() {
    let settings = RenderSettings::new(Quality::Low, None, None, Some(2.0), None).unwrap();
    for spec in animaforge_server::generate::templates() {
        let source = render_template(spec.id, &serde_json::Map::new(), &settings).unwrap();
        let name = validate_source(&python(), &source.code).await.unwrap();
        assert_eq!(name, source.scene_name);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut params = serde_json::Map::new();
    params.insert("from".into(), "star".into());
    params.insert("to".into(), "hexagon".into());
    let source = render_template("shape-morph", &params, &settings).unwrap();
    let (tx, rx) = mpsc::channel(16);
    let collector = tokio::spawn(drain(rx));
    let output = renderer(Duration::from_secs(120))
        .render(dir.path(), &source, &settings, tx, CancellationToken::new())
        .await
        .expect("template renders");
    collector.await.unwrap();
    let (duration, ..) = ffprobe(&output.video);
    assert!((duration - 2.0).abs() <= 0.2, "{duration}");
}

fn slow_scene(name: &str) -> SceneSource {
    SceneSource {
        code: format!(
            "from manim import *\n\n\nclass {name}(Scene):\n    def construct(self):\n        \
             dots = VGroup(*[Dot(radius=0.05) for _ in range(300)]).arrange_in_grid(15, 20)\n        \
             for _ in range(30):\n            self.play(Rotate(dots, angle=PI / 7), run_time=1)\n"
        ),
        scene_name: name.into(),
        notes: Vec::new(),
        fallback: false,
    }
}

#[tokio::test]
async fn cancel_kills_the_whole_render() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("CancelScene{}", std::process::id());
    let source = slow_scene(&name);
    let settings = RenderSettings::new(Quality::Low, None, None, Some(30.0), None).unwrap();
    let renderer = renderer(Duration::from_secs(240));
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::channel(64);

    let render = renderer.render(dir.path(), &source, &settings, tx, cancel.clone());
    let watcher = async {
        // Cancel once frames are being rendered.
        while let Some(event) = rx.recv().await {
            if let animaforge_server::generate::RenderEvent::Log(line) = event
                && line.starts_with("Rendering frame")
                && !line.starts_with("Rendering frame 0/")
            {
                break;
            }
        }
        assert!(
            !processes_mentioning(&name).is_empty(),
            "manim runs before the cancel"
        );
        cancel.cancel();
        while rx.recv().await.is_some() {}
    };
    let started = Instant::now();
    let (result, ()) = tokio::join!(render, watcher);
    assert!(matches!(result, Err(RenderError::Cancelled)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(120));
    // Nothing of the render survives.
    let left = survivors(&name, Duration::from_secs(10)).await;
    assert!(left.is_empty(), "processes left after cancel: {left:?}");
}

#[tokio::test]
async fn an_endless_scene_is_killed_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("EndlessScene{}", std::process::id());
    let source = SceneSource {
        code: format!(
            "from manim import *\n\n\nclass {name}(Scene):\n    def construct(self):\n        \
             n = 0\n        while True:\n            n += 1\n"
        ),
        scene_name: name.clone(),
        notes: Vec::new(),
        fallback: false,
    };
    let settings = RenderSettings::new(Quality::Low, None, None, Some(2.0), None).unwrap();
    let (tx, rx) = mpsc::channel(64);
    let collector = tokio::spawn(drain(rx));
    let started = Instant::now();
    let result = renderer(Duration::from_secs(6))
        .render(dir.path(), &source, &settings, tx, CancellationToken::new())
        .await;
    let elapsed = started.elapsed();
    collector.await.unwrap();
    assert!(matches!(result, Err(RenderError::Timeout(6))), "{result:?}");
    assert!(
        elapsed >= Duration::from_secs(6) && elapsed < Duration::from_secs(20),
        "{elapsed:?}"
    );
    let left = survivors(&name, Duration::from_secs(10)).await;
    assert!(
        left.is_empty(),
        "processes left after the timeout: {left:?}"
    );
}
