//! The Python body of each template: layout, colours and the timed animations.

use std::fmt::Write as _;

use super::values::Values;
use crate::generate::local::{py_string, timeline};
use crate::generate::{GenerateError, RenderSettings};

fn foreground(settings: &RenderSettings) -> &'static str {
    let hex = settings.background.trim_start_matches('#');
    let g = u8::from_str_radix(hex.get(2..4).unwrap_or("00"), 16).unwrap_or(0);
    if g > 160 { "BLACK" } else { "WHITE" }
}

fn shape_expression(shape: &str, colour: &str) -> String {
    match shape {
        "square" => format!("Square(side_length=2.0, color={colour}, fill_opacity=0.6)"),
        "triangle" => format!("Triangle(color={colour}, fill_opacity=0.6).scale(1.3)"),
        "star" => format!("Star(n=5, outer_radius=1.3, color={colour}, fill_opacity=0.6)"),
        "hexagon" => format!("RegularPolygon(n=6, color={colour}, fill_opacity=0.6).scale(1.3)"),
        _ => format!("Circle(radius=1.1, color={colour}, fill_opacity=0.6)"),
    }
}

/// Appends `self.play(...)` lines with run times from `timeline`, then the wait.
fn plays(body: &mut String, plays: &[(&str, f64)], settings: &RenderSettings) {
    let weights: Vec<f64> = plays.iter().map(|(_, w)| *w).collect();
    let (times, wait) = timeline(&weights, settings);
    for ((animations, _), time) in plays.iter().zip(times) {
        let _ = writeln!(body, "self.play({animations}, run_time={time})");
    }
    if let Some(wait) = wait {
        let _ = writeln!(body, "self.wait({wait}, frozen_frame=False)");
    }
}

pub(super) fn title_card(
    v: &Values<'_>,
    settings: &RenderSettings,
) -> Result<String, GenerateError> {
    let title = v.text("title")?;
    let subtitle = v.text("subtitle")?;
    let colour = v.colour("color")?;
    let shape = v.choice("shape")?;
    let fg = foreground(settings);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "title = Text({}, font_size=60, color={fg})",
        py_string(&title)
    );
    let _ = writeln!(body, "title.scale_to_fit_width(min(title.width, 12))");
    let _ = writeln!(body, "underline = Underline(title, color={colour})");
    let _ = writeln!(
        body,
        "heading = VGroup(title, underline).to_edge(UP, buff=1.0)"
    );
    let mut steps: Vec<(String, f64)> = vec![("Write(title), Create(underline)".into(), 1.5)];
    if !subtitle.is_empty() {
        let _ = writeln!(
            body,
            "subtitle = Text({}, font_size=36, color={fg}).next_to(heading, DOWN)",
            py_string(&subtitle)
        );
        steps.push(("FadeIn(subtitle, shift=UP * 0.3)".into(), 1.0));
    }
    if shape != "none" {
        let _ = writeln!(
            body,
            "shape = {}.shift(DOWN * 1.2)",
            shape_expression(shape, &colour)
        );
        steps.push(("GrowFromCenter(shape)".into(), 1.0));
        steps.push(("Rotate(shape, angle=PI / 2)".into(), 1.0));
    }
    let steps: Vec<(&str, f64)> = steps.iter().map(|(a, w)| (a.as_str(), *w)).collect();
    plays(&mut body, &steps, settings);
    Ok(body)
}

pub(super) fn function_plot(
    v: &Values<'_>,
    settings: &RenderSettings,
) -> Result<String, GenerateError> {
    let function = v.choice("function")?;
    let colour = v.colour("color")?;
    let title = v.text("title")?;
    let fg = foreground(settings);
    let (expr, x, y, label, start) = match function {
        "cosine" => (
            "np.cos(x)",
            "[-7, 7, 1]",
            "[-1.5, 1.5, 0.5]",
            "y = cos(x)",
            None,
        ),
        "parabola" => ("x ** 2", "[-3, 3, 1]", "[-1, 9, 1]", "y = x²", None),
        "cubic" => ("x ** 3", "[-2.2, 2.2, 1]", "[-10, 10, 2]", "y = x³", None),
        "exponential" => ("np.exp(x)", "[-3, 2.4, 1]", "[-1, 11, 2]", "y = eˣ", None),
        "logarithm" => (
            "np.log(x)",
            "[0, 10, 1]",
            "[-3, 3, 1]",
            "y = ln(x)",
            Some("[0.05, 10]"),
        ),
        "linear" => ("x", "[-5, 5, 1]", "[-5, 5, 1]", "y = x", None),
        "absolute" => ("np.abs(x)", "[-4, 4, 1]", "[-1, 5, 1]", "y = |x|", None),
        _ => (
            "np.sin(x)",
            "[-7, 7, 1]",
            "[-1.5, 1.5, 0.5]",
            "y = sin(x)",
            None,
        ),
    };
    let mut body = String::new();
    let _ = writeln!(
        body,
        "axes = Axes(x_range={x}, y_range={y}, x_length=10, y_length=5.5, axis_config={{\"color\": {fg}}})"
    );
    let _ = writeln!(
        body,
        "labels = axes.get_axis_labels(Text(\"x\", font_size=28, color={fg}), Text(\"y\", font_size=28, color={fg}))"
    );
    let range = start.map(|s| format!(", x_range={s}")).unwrap_or_default();
    let _ = writeln!(
        body,
        "graph = axes.plot(lambda x: {expr}, color={colour}{range})"
    );
    let _ = writeln!(
        body,
        "label = Text({}, font_size=32, color={colour}).to_corner(UR)",
        py_string(label)
    );
    let mut steps: Vec<(String, f64)> = Vec::new();
    if !title.is_empty() {
        let _ = writeln!(
            body,
            "heading = Text({}, font_size=40, color={fg}).to_edge(UP)",
            py_string(&title)
        );
        let _ = writeln!(body, "VGroup(axes, labels).next_to(heading, DOWN)");
        steps.push(("Write(heading)".into(), 1.0));
    }
    steps.push(("Create(axes), FadeIn(labels)".into(), 1.0));
    steps.push(("Create(graph)".into(), 2.0));
    steps.push(("Write(label)".into(), 0.8));
    let steps: Vec<(&str, f64)> = steps.iter().map(|(a, w)| (a.as_str(), *w)).collect();
    plays(&mut body, &steps, settings);
    Ok(body)
}

pub(super) fn shape_morph(
    v: &Values<'_>,
    settings: &RenderSettings,
) -> Result<String, GenerateError> {
    let from = v.choice("from")?;
    let to = v.choice("to")?;
    let from_colour = v.colour("from_color")?;
    let to_colour = v.colour("to_color")?;
    let mut body = String::new();
    let _ = writeln!(body, "start = {}", shape_expression(from, &from_colour));
    let _ = writeln!(body, "end = {}", shape_expression(to, &to_colour));
    plays(
        &mut body,
        &[
            ("Create(start)", 1.0),
            ("Transform(start, end)", 1.5),
            ("Rotate(start, angle=PI / 2)", 1.0),
        ],
        settings,
    );
    Ok(body)
}

pub(super) fn pythagorean(
    v: &Values<'_>,
    settings: &RenderSettings,
) -> Result<String, GenerateError> {
    let a = v.number("a")?;
    let b = v.number("b")?;
    let (ca, cb, cc) = (
        v.colour("color_a")?,
        v.colour("color_b")?,
        v.colour("color_c")?,
    );
    let c = (a * a + b * b).sqrt();
    let fg = foreground(settings);
    let fmt = |n: f64| {
        let s = format!("{n:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let mut body = String::new();
    let _ = writeln!(body, "a, b = {a:?}, {b:?}");
    let _ = writeln!(body, "p0, p1, p2 = ORIGIN, RIGHT * a, UP * b");
    let _ = writeln!(body, "normal = np.array([b, a, 0.0])");
    let _ = writeln!(
        body,
        "triangle = Polygon(p0, p1, p2, color={fg}, fill_opacity=0.2)"
    );
    let _ = writeln!(
        body,
        "square_a = Polygon(p0, p1, p1 + DOWN * a, p0 + DOWN * a, color={ca}, fill_opacity=0.5)"
    );
    let _ = writeln!(
        body,
        "square_b = Polygon(p0, p2, p2 + LEFT * b, p0 + LEFT * b, color={cb}, fill_opacity=0.5)"
    );
    let _ = writeln!(
        body,
        "square_c = Polygon(p1, p2, p2 + normal, p1 + normal, color={cc}, fill_opacity=0.5)"
    );
    let _ = writeln!(
        body,
        "figure = VGroup(triangle, square_a, square_b, square_c)"
    );
    let _ = writeln!(body, "figure.scale_to_fit_height(5.2).move_to(LEFT * 2.2)");
    let _ = writeln!(
        body,
        "label_a = Text(\"a²\", font_size=36, color={fg}).move_to(square_a)"
    );
    let _ = writeln!(
        body,
        "label_b = Text(\"b²\", font_size=36, color={fg}).move_to(square_b)"
    );
    let _ = writeln!(
        body,
        "label_c = Text(\"c²\", font_size=36, color={fg}).move_to(square_c)"
    );
    let _ = writeln!(
        body,
        "law = Text(\"a² + b² = c²\", font_size=44, color={fg}).to_edge(RIGHT, buff=0.8).shift(UP * 0.5)"
    );
    let numbers = format!("{}² + {}² = {}²", fmt(a), fmt(b), fmt(c));
    let _ = writeln!(
        body,
        "numbers = Text({}, font_size=32, color={fg}).next_to(law, DOWN)",
        py_string(&numbers)
    );
    plays(
        &mut body,
        &[
            ("Create(triangle)", 1.0),
            ("FadeIn(square_a), Write(label_a)", 1.0),
            ("FadeIn(square_b), Write(label_b)", 1.0),
            ("FadeIn(square_c), Write(label_c)", 1.0),
            ("Write(law)", 1.2),
            ("FadeIn(numbers), Indicate(law)", 1.0),
        ],
        settings,
    );
    Ok(body)
}
