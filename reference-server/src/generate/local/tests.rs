//! Unit tests of the local prompt compiler: prompts to expected constructs, and
//! timing that adds up to the requested duration.

use super::compile_prompt;
use crate::generate::{Quality, RenderSettings};

fn settings(duration: f64) -> RenderSettings {
    RenderSettings::new(Quality::Low, None, None, Some(duration), None).unwrap()
}

fn compile(prompt: &str) -> String {
    compile_prompt(prompt, &settings(5.0)).code
}

/// Frames Manim will render for the emitted code: `ceil(run_time * fps)` per play
/// (at least one frame) and the same for `wait(..., frozen_frame=False)`.
pub(crate) fn rendered_frames(code: &str, fps: u32) -> u64 {
    let mut frames = 0;
    for line in code.lines() {
        let value = if let Some(pos) = line.find("run_time=") {
            let rest = &line[pos + "run_time=".len()..];
            rest.split([')', ',']).next().unwrap_or("0").to_string()
        } else if let Some(rest) = line.trim().strip_prefix("self.wait(") {
            rest.split([',', ')']).next().unwrap_or("0").to_string()
        } else {
            continue;
        };
        let secs: f64 = value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("bad time in {line}"));
        let secs = secs.max(1.0 / f64::from(fps));
        frames += (secs * f64::from(fps) - 1e-9).ceil() as u64;
    }
    frames
}

#[test]
fn documented_prompt_gives_a_rotating_blue_sphere_becoming_a_cube() {
    let source = compile_prompt(
        "A blue sphere rotating and morphing into a cube",
        &settings(3.0),
    );
    let code = &source.code;
    assert!(code.contains("class GeneratedScene(ThreeDScene)"), "{code}");
    assert!(code.contains("set_camera_orientation"), "{code}");
    assert!(code.contains("sphere_1 = Sphere("), "{code}");
    assert!(code.contains("checkerboard_colors=[BLUE,"), "{code}");
    assert!(
        code.contains("cube_2 = Cube(side_length=2.0, fill_color=BLUE"),
        "{code}"
    );
    let rotate = code.find("Rotate(sphere_1").expect("rotation");
    let morph = code
        .find("ReplacementTransform(sphere_1, cube_2)")
        .expect("morph");
    assert!(rotate < morph, "rotation happens before the morph:\n{code}");
    assert!(!source.fallback);
    assert!(source.notes.is_empty(), "{:?}", source.notes);
    assert_eq!(rendered_frames(code, 15), 45);
}

#[test]
fn shapes_colours_and_counts() {
    let code = compile("three red circles and a dark green square");
    assert!(
        code.contains("VGroup(*[Circle(radius=1.0, color=RED"),
        "{code}"
    );
    assert!(code.contains("for _ in range(3)"), "{code}");
    assert!(
        code.contains("Square(side_length=2.0, color=GREEN_E"),
        "{code}"
    );
    let code = compile("a light blue star, a yellow hexagon and a #ff8800 triangle");
    assert!(
        code.contains("Star(n=5, outer_radius=1.2, color=BLUE_B"),
        "{code}"
    );
    assert!(code.contains("RegularPolygon(n=6, color=YELLOW"), "{code}");
    assert!(
        code.contains("Triangle(color=ManimColor(\"#ff8800\")"),
        "{code}"
    );
    let code = compile("an arrow, a line and a dot");
    assert!(
        code.contains("Arrow(") && code.contains("Line(") && code.contains("Dot("),
        "{code}"
    );
    let code = compile("a purple torus and an orange cone");
    assert!(code.contains("Torus(") && code.contains("Cone(") && code.contains("ThreeDScene"));
    let code = compile("a cylinder");
    assert!(code.contains("Cylinder("), "{code}");
}

#[test]
fn text_and_equations_are_written_without_latex() {
    let code = compile("Write \"Hello, World!\" then fade it out");
    assert!(code.contains("Text(\"Hello, World!\""), "{code}");
    assert!(code.contains("Write(text_1)"), "{code}");
    assert!(code.contains("FadeOut(text_1)"), "{code}");
    let code = compile("show the equation E = mc^2");
    assert!(code.contains("Text(\"E = mc²\""), "{code}");
    assert!(!code.contains("MathTex") && !code.contains("Tex("));
    let code = compile("write hello world");
    assert!(code.contains("Text(\"hello world\""), "{code}");
}

#[test]
fn function_plots_use_text_labels() {
    let code = compile("a sine wave being drawn");
    assert!(code.contains("Axes("), "{code}");
    assert!(code.contains("plot(lambda x: np.sin(x)"), "{code}");
    assert!(code.contains("get_axis_labels(Text("), "{code}");
    assert!(code.contains("Create(graph_"), "{code}");
    for (prompt, expr) in [
        ("plot a parabola", "x ** 2"),
        ("graph of the cosine function", "np.cos(x)"),
        ("an exponential curve", "np.exp(x)"),
        ("a red cubic graph", "x ** 3"),
    ] {
        let code = compile(prompt);
        assert!(code.contains(expr), "{prompt}:\n{code}");
    }
}

#[test]
fn actions() {
    let cases: &[(&str, &[&str])] = &[
        ("draw a circle", &["Create(circle_1)"]),
        ("a square fades in", &["FadeIn(square_1)"]),
        ("a star grows", &["GrowFromCenter(star_1)"]),
        ("a circle then it shrinks", &["circle_1.animate.scale(0.5)"]),
        (
            "a square that grows to twice its size",
            &["square_1.animate.scale(2"],
        ),
        (
            "rotate the square by 45 degrees",
            &["Rotate(square_1, angle=0.7854"],
        ),
        (
            "a triangle spinning clockwise twice",
            &["Rotate(triangle_1, angle=-2 * TAU"],
        ),
        (
            "a circle moves to the left edge",
            &["circle_1.animate.to_edge(LEFT)"],
        ),
        (
            "a dot moves to the upper right corner",
            &["dot_1.animate.to_corner(UR)"],
        ),
        ("a square moves up", &["square_1.animate.shift(UP * 2.5)"]),
        (
            "a dot moving along a circular path",
            &["MoveAlongPath(dot_1, path_"],
        ),
        ("a ball bouncing 3 times", &["abs(np.sin(3 * PI * a))"]),
        (
            "a circle morphs into a square",
            &["ReplacementTransform(circle_1, square_2)"],
        ),
        ("a circle turns red", &["circle_1.animate.set_color(RED)"]),
        (
            "a square changes color to yellow",
            &["square_1.animate.set_color(YELLOW)"],
        ),
        ("highlight the star", &["Indicate(star_1)"]),
        ("a star wiggles", &["Wiggle(star_1)"]),
        (
            "a circle on the left and a square on the right",
            &["circle_1.shift(LEFT * 3)", "square_2.shift(RIGHT * 3)"],
        ),
    ];
    for (prompt, expected) in cases {
        let code = compile(prompt);
        for e in *expected {
            assert!(code.contains(e), "{prompt}: missing {e}\n{code}");
        }
    }
}

#[test]
fn while_runs_together_and_then_runs_in_sequence() {
    let code = compile("a circle rotates while a square moves right");
    let together = code
        .lines()
        .find(|l| l.contains("Rotate(circle_1"))
        .expect("rotation line");
    assert!(together.contains("square_2.animate.shift(RIGHT"), "{code}");
    let code = compile("a circle rotates then a square moves right");
    let line = code
        .lines()
        .find(|l| l.contains("Rotate(circle_1"))
        .unwrap();
    assert!(!line.contains("square_2.animate"), "{code}");
}

#[test]
fn durations_add_up_exactly() {
    let prompts = [
        "A blue sphere rotating and morphing into a cube",
        "three red circles and a dark green square",
        "a circle rotates slowly then a square moves right quickly then everything fades out",
        "draw a circle for 2 seconds",
        "a sine wave being drawn",
        "",
        "sparkly unicorn magic",
    ];
    for prompt in prompts {
        for (duration, fps) in [
            (1.0, 15),
            (3.0, 15),
            (5.0, 30),
            (7.3, 24),
            (60.0, 60),
            (1.0, 1),
        ] {
            let settings =
                RenderSettings::new(Quality::Low, None, Some(fps), Some(duration), None).unwrap();
            let code = compile_prompt(prompt, &settings).code;
            let frames = rendered_frames(&code, fps);
            let expected = settings.expected_frames();
            // With one frame per second, several steps cannot share one frame.
            if fps == 1 && duration == 1.0 {
                assert!(frames >= expected, "{prompt} {duration}s@{fps}");
                continue;
            }
            assert_eq!(
                frames, expected,
                "{prompt} at {duration}s, {fps} fps:\n{code}"
            );
        }
    }
}

#[test]
fn explicit_seconds_are_kept_and_padded() {
    let code = compile_prompt("draw a circle for 2 seconds", &settings(5.0)).code;
    assert!(code.contains("run_time=1.98333"), "{code}");
    assert!(code.contains("self.wait(2.98333"), "{code}");
}

#[test]
fn unknown_words_are_reported_and_nothing_gives_a_title_card() {
    let source = compile_prompt("a sparkly circle", &settings(5.0));
    assert!(!source.fallback);
    assert!(
        source
            .notes
            .iter()
            .any(|n| n.contains("ignored") && n.contains("sparkly")),
        "{:?}",
        source.notes
    );

    let source = compile_prompt("the meaning of life", &settings(5.0));
    assert!(source.fallback);
    assert!(
        source.notes.iter().any(|n| n.starts_with("fallback")),
        "{:?}",
        source.notes
    );
    assert!(
        source.code.contains("Text(\"the meaning of life\""),
        "{}",
        source.code
    );
    assert!(source.code.contains("Circle("), "{}", source.code);

    let source = compile_prompt("something red spinning", &settings(5.0));
    assert!(source.fallback);
    assert!(source.code.contains("color=RED"), "{}", source.code);
    assert!(source.code.contains("Rotate(circle_"), "{}", source.code);
}

#[test]
fn hostile_text_stays_a_string() {
    let source = compile_prompt(
        "write \"\\\" + __import__('os').system('id') + \\\"\" and a \"x\\ny\" circle",
        &settings(5.0),
    );
    assert!(!source.code.contains("__"), "{}", source.code);
    for line in source.code.lines().filter(|l| l.contains("Text(")) {
        let literal = line.split("Text(").nth(1).unwrap();
        assert!(literal.starts_with('"'), "{line}");
    }
}

#[test]
fn compilation_is_deterministic() {
    let a = compile("a blue circle rotates then turns into a red star");
    let b = compile("a blue circle rotates then turns into a red star");
    assert_eq!(a, b);
    assert!(a.contains("ReplacementTransform(circle_1, star_2)"), "{a}");
    assert!(
        a.contains("star_2 = Star(n=5, outer_radius=1.2, color=RED"),
        "{a}"
    );
}
