//! From a [`Plan`] to Python: fixed templates per object and animation, with run
//! times quantised to whole frames so the video lasts exactly the requested time.

use std::f64::consts::PI;
use std::fmt::Write as _;

use super::lexicon::ShapeKind;
use super::plan::{Action, Direction, Intro, Object, PathKind, Plan, Step, StepItem};
use crate::generate::RenderSettings;

/// The class name every locally compiled scene uses.
pub(crate) const SCENE_NAME: &str = "GeneratedScene";

/// Frames given to each step and to the closing wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Timing {
    pub(crate) step_frames: Vec<u64>,
    pub(crate) wait_frames: u64,
}

/// Splits the requested number of frames between the steps and a closing wait.
///
/// Explicit "for N seconds" steps keep their length when they fit, padded with a
/// wait; otherwise every step is scaled by its weight into the time left after a
/// short closing pause.
pub(crate) fn allocate(steps: &[Step], settings: &RenderSettings) -> Timing {
    let total = settings.expected_frames();
    let fps = f64::from(settings.fps);
    if steps.is_empty() {
        return Timing {
            step_frames: Vec::new(),
            wait_frames: total,
        };
    }
    let all_fixed = steps.iter().all(|s| s.seconds.is_some());
    if all_fixed {
        let frames: Vec<u64> = steps
            .iter()
            .map(|s| ((s.seconds.unwrap_or(1.0) * fps).round() as u64).max(1))
            .collect();
        let used: u64 = frames.iter().sum();
        if used <= total {
            return Timing {
                step_frames: frames,
                wait_frames: total - used,
            };
        }
    }
    let tail = ((settings.duration_secs * 0.1).min(1.0) * fps).round() as u64;
    let budget = total
        .saturating_sub(tail)
        .max(steps.len() as u64)
        .min(total.max(1));
    let weights: Vec<f64> = steps
        .iter()
        .map(|s| s.seconds.unwrap_or(s.weight).max(0.05))
        .collect();
    let frames = largest_remainder(&weights, budget);
    let used: u64 = frames.iter().sum();
    Timing {
        step_frames: frames,
        wait_frames: total.saturating_sub(used),
    }
}

/// Shares `budget` frames by weight, each share at least one frame.
fn largest_remainder(weights: &[f64], budget: u64) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    let raw: Vec<f64> = weights.iter().map(|w| w / sum * budget as f64).collect();
    let mut frames: Vec<u64> = raw.iter().map(|r| (r.floor() as u64).max(1)).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (raw[b] - raw[b].floor()).total_cmp(&(raw[a] - raw[a].floor())));
    let mut k = 0;
    while frames.iter().sum::<u64>() < budget {
        frames[order[k % order.len()]] += 1;
        k += 1;
    }
    while frames.iter().sum::<u64>() > budget {
        let Some(biggest) = (0..frames.len())
            .filter(|&i| frames[i] > 1)
            .max_by_key(|&i| frames[i])
        else {
            break;
        };
        frames[biggest] -= 1;
    }
    frames
}

/// A run time that yields exactly `frames` frames: Manim renders
/// `ceil(run_time * fps)` frames, so a quarter frame below the whole number is safe
/// against rounding either way.
fn run_time(frames: u64, fps: u32) -> String {
    let secs = (frames as f64 - 0.25).max(0.75) / f64::from(fps);
    let text = format!("{secs:.5}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A Python string literal for untrusted text.
pub(crate) fn py_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.replace("__", "_").chars().take(120) {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn angle(radians: f64) -> String {
    let quarters = radians / (PI / 2.0);
    if (quarters - quarters.round()).abs() < 1e-9 {
        let q = quarters.round() as i64;
        return match q {
            0 => "0".into(),
            1 => "PI / 2".into(),
            -1 => "-PI / 2".into(),
            2 => "PI".into(),
            -2 => "-PI".into(),
            4 => "TAU".into(),
            -4 => "-TAU".into(),
            q if q % 4 == 0 => format!("{} * TAU", q / 4),
            q if q % 2 == 0 => format!("{} * PI", q / 2),
            q => format!("{q} * PI / 2"),
        };
    }
    format!("{radians:.4}")
}

fn default_colour(kind: &ShapeKind, foreground: &str) -> String {
    match kind {
        ShapeKind::Circle | ShapeKind::Sphere => "BLUE",
        ShapeKind::Square | ShapeKind::Cone => "GREEN",
        ShapeKind::Rectangle | ShapeKind::Cylinder => "TEAL",
        ShapeKind::Triangle | ShapeKind::Dot | ShapeKind::Plot(_) => "YELLOW",
        ShapeKind::Star => "GOLD",
        ShapeKind::Ellipse | ShapeKind::Torus => "PURPLE",
        ShapeKind::Polygon(_) | ShapeKind::Cube => "ORANGE",
        ShapeKind::Arrow | ShapeKind::Line | ShapeKind::Text(_) | ShapeKind::Equation(_) => {
            foreground
        }
    }
    .to_string()
}

/// Python for one copy of an object.
fn expression(kind: &ShapeKind, c: &str) -> String {
    let shade = format!("[{c}, interpolate_color({c}, BLACK, 0.4)]");
    match kind {
        ShapeKind::Circle => format!("Circle(radius=1.0, color={c}, fill_opacity=0.5)"),
        ShapeKind::Square => format!("Square(side_length=2.0, color={c}, fill_opacity=0.5)"),
        ShapeKind::Rectangle => {
            format!("Rectangle(width=3.0, height=1.8, color={c}, fill_opacity=0.5)")
        }
        ShapeKind::Triangle => format!("Triangle(color={c}, fill_opacity=0.5).scale(1.2)"),
        ShapeKind::Star => format!("Star(n=5, outer_radius=1.2, color={c}, fill_opacity=0.5)"),
        ShapeKind::Ellipse => {
            format!("Ellipse(width=3.0, height=1.8, color={c}, fill_opacity=0.5)")
        }
        ShapeKind::Polygon(n) => {
            format!("RegularPolygon(n={n}, color={c}, fill_opacity=0.5).scale(1.2)")
        }
        ShapeKind::Arrow => format!("Arrow(LEFT * 1.5, RIGHT * 1.5, color={c}, buff=0)"),
        ShapeKind::Line => format!("Line(LEFT * 1.5, RIGHT * 1.5, color={c}, stroke_width=6)"),
        ShapeKind::Dot => format!("Dot(radius=0.15, color={c})"),
        ShapeKind::Sphere => {
            format!("Sphere(radius=1.2, resolution=(24, 12), checkerboard_colors={shade})")
        }
        ShapeKind::Cube => {
            format!("Cube(side_length=2.0, fill_color={c}, fill_opacity=0.85, stroke_width=1)")
        }
        ShapeKind::Cone => {
            format!("Cone(base_radius=1.0, height=2.0, checkerboard_colors={shade})")
        }
        ShapeKind::Cylinder => {
            format!("Cylinder(radius=1.0, height=2.0, checkerboard_colors={shade})")
        }
        ShapeKind::Torus => format!(
            "Torus(major_radius=1.3, minor_radius=0.45, resolution=(24, 12), \
             checkerboard_colors={shade})"
        ),
        ShapeKind::Text(text) => {
            let size = if text.chars().count() > 20 { 36 } else { 48 };
            format!("Text({}, font_size={size}, color={c})", py_string(text))
        }
        ShapeKind::Equation(text) => format!("Text({}, font_size=56, color={c})", py_string(text)),
        // Plots are built line by line in `construct`; a dot keeps this total.
        ShapeKind::Plot(_) => format!("Dot(color={c})"),
    }
}

struct Writer {
    code: String,
    three_d: bool,
    fps: u32,
    names: Vec<String>,
    plot_parts: Vec<Option<String>>,
    counter: usize,
}

impl Writer {
    fn line(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.code, "        {}", text.as_ref());
    }

    fn fresh(&mut self, stem: &str) -> String {
        self.counter += 1;
        format!("{stem}_{}", self.counter)
    }
}

/// Emits the complete module for a plan.
pub(crate) fn emit(plan: &Plan, settings: &RenderSettings) -> String {
    let foreground = if is_light(&settings.background) {
        "BLACK"
    } else {
        "WHITE"
    };
    let three_d = plan.is_3d();
    let mut w = Writer {
        code: String::new(),
        three_d,
        fps: settings.fps,
        names: Vec::new(),
        plot_parts: Vec::new(),
        counter: 0,
    };
    let base = if three_d { "ThreeDScene" } else { "Scene" };
    let _ = writeln!(
        w.code,
        "from manim import *\n\n\nclass {SCENE_NAME}({base}):"
    );
    let _ = writeln!(w.code, "    def construct(self):");
    if three_d {
        w.line("self.set_camera_orientation(phi=65 * DEGREES, theta=-45 * DEGREES)");
    }

    for (idx, object) in plan.objects.iter().enumerate() {
        let name = format!("{}_{}", object.kind.stem(), idx + 1);
        w.names.push(name.clone());
        w.plot_parts.push(None);
        construct(&mut w, idx, object, &name, foreground);
    }
    layout(&mut w, plan);

    let timing = allocate(&plan.steps, settings);
    for (number, (step, frames)) in plan.steps.iter().zip(&timing.step_frames).enumerate() {
        emit_step(&mut w, plan, number + 1, step, *frames);
    }
    if timing.wait_frames > 0 {
        let wait = run_time(timing.wait_frames, w.fps);
        w.line(format!("self.wait({wait}, frozen_frame=False)"));
    }
    w.code
}

fn is_light(background: &str) -> bool {
    let hex = background.trim_start_matches('#');
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    let luminance = 0.2126 * f64::from(channel(0))
        + 0.7152 * f64::from(channel(2))
        + 0.0722 * f64::from(channel(4));
    luminance > 150.0
}

fn construct(w: &mut Writer, idx: usize, object: &Object, name: &str, foreground: &str) {
    let colour = object
        .colour
        .clone()
        .unwrap_or_else(|| default_colour(&object.kind, foreground));
    if let ShapeKind::Plot(function) = &object.kind {
        let spec = function.spec();
        let axes = w.fresh("axes");
        let labels = w.fresh("labels");
        let graph = w.fresh("graph");
        let label = w.fresh("label");
        let [x0, x1, xs] = spec.x_range;
        let [y0, y1, ys] = spec.y_range;
        w.line(format!(
            "{axes} = Axes(x_range=[{x0}, {x1}, {xs}], y_range=[{y0}, {y1}, {ys}], \
             x_length=10, y_length=5.5, axis_config={{\"color\": {foreground}}})"
        ));
        w.line(format!(
            "{labels} = {axes}.get_axis_labels(Text(\"x\", font_size=28, color={foreground}), \
             Text(\"y\", font_size=28, color={foreground}))"
        ));
        let range = spec
            .plot_start
            .map(|start| format!(", x_range=[{start}, {x1}]"))
            .unwrap_or_default();
        w.line(format!(
            "{graph} = {axes}.plot(lambda x: {}, color={colour}{range})",
            spec.expression
        ));
        w.line(format!(
            "{label} = Text({}, font_size=30, color={colour}).next_to({axes}, UP, buff=0.1)",
            py_string(spec.label)
        ));
        w.line(format!(
            "{name} = VGroup({axes}, {labels}, {graph}, {label})"
        ));
        w.plot_parts[idx] = Some(format!("{axes}|{labels}|{graph}|{label}"));
    } else {
        let single = expression(&object.kind, &colour);
        if object.count > 1 {
            w.line(format!(
                "{name} = VGroup(*[{single} for _ in range({})]).arrange(RIGHT, buff=0.4)",
                object.count
            ));
        } else {
            w.line(format!("{name} = {single}"));
        }
    }
    if (object.size - 1.0).abs() > f64::EPSILON {
        w.line(format!("{name}.scale({})", object.size));
    }
    if object.kind.is_text() || object.count > 1 || matches!(object.kind, ShapeKind::Plot(_)) {
        w.line(format!("{name}.scale_to_fit_width(min({name}.width, 12))"));
    }
}

/// Places objects: shapes in a row, texts stacked above them, then explicit placements.
fn layout(w: &mut Writer, plan: &Plan) {
    let introduced = |o: &Object| !o.morph_target;
    let shapes: Vec<usize> = (0..plan.objects.len())
        .filter(|&i| introduced(&plan.objects[i]) && !plan.objects[i].kind.is_text())
        .collect();
    let texts: Vec<usize> = (0..plan.objects.len())
        .filter(|&i| introduced(&plan.objects[i]) && plan.objects[i].kind.is_text())
        .collect();

    let n = shapes.len();
    if n > 1 {
        let spacing = (12.0 / n as f64).min(4.0);
        for (slot, &idx) in shapes.iter().enumerate() {
            let name = w.names[idx].clone();
            let x = (slot as f64 - (n as f64 - 1.0) / 2.0) * spacing;
            w.line(format!(
                "{name}.scale_to_fit_width(min({name}.width, {:.2}))",
                spacing * 0.85
            ));
            w.line(format!("{name}.move_to(RIGHT * {x:.2})"));
        }
    }
    if !texts.is_empty() {
        let names: Vec<String> = texts.iter().map(|&i| w.names[i].clone()).collect();
        if names.len() > 1 {
            w.line(format!(
                "VGroup({}).arrange(DOWN, buff=0.4)",
                names.join(", ")
            ));
        }
        if n > 0 {
            let group = if names.len() > 1 {
                format!("VGroup({})", names.join(", "))
            } else {
                names[0].clone()
            };
            w.line(format!("{group}.to_edge(UP)"));
            for &idx in &shapes {
                let name = w.names[idx].clone();
                w.line(format!("{name}.shift(DOWN * 0.6)"));
            }
        }
    }
    for (idx, object) in plan.objects.iter().enumerate() {
        if let Some(placement) = object.placement {
            let name = w.names[idx].clone();
            w.line(match placement {
                Direction::Shift(d) => format!("{name}.shift({d} * 3)"),
                Direction::Edge(d) => format!("{name}.to_edge({d})"),
                Direction::Corner(d) => format!("{name}.to_corner({d})"),
                Direction::Centre => format!("{name}.move_to(ORIGIN)"),
            });
        }
    }
}

fn intro_expression(w: &Writer, plan: &Plan, idx: usize, intro: Intro) -> String {
    let name = &w.names[idx];
    let kind = &plan.objects[idx].kind;
    if let (Some(parts), Intro::Create | Intro::Write) = (&w.plot_parts[idx], intro) {
        let p: Vec<&str> = parts.split('|').collect();
        return format!(
            "LaggedStart(Create({}), FadeIn({}), Create({}), FadeIn({}), lag_ratio=0.5)",
            p[0], p[1], p[2], p[3]
        );
    }
    match intro {
        Intro::Write | Intro::Create if kind.is_text() => format!("Write({name})"),
        Intro::Write | Intro::Create => format!("Create({name})"),
        Intro::FadeIn => format!("FadeIn({name})"),
        Intro::Grow => format!("GrowFromCenter({name})"),
    }
}

fn emit_step(w: &mut Writer, plan: &Plan, number: usize, step: &Step, frames: u64) {
    let descriptions: Vec<String> = step
        .items
        .iter()
        .map(|item| match item {
            StepItem::Intro(idx, _) => format!("introduce {}", w.names[*idx]),
            StepItem::Act(idx, action) => format!("{} {}", action.describe(), w.names[*idx]),
        })
        .collect();
    w.line(format!("# {number}. {}", descriptions.join("; ")));

    let mut animations = Vec::new();
    for item in &step.items {
        match item {
            StepItem::Intro(idx, intro) => {
                if w.three_d && plan.objects[*idx].kind.is_text() {
                    let name = w.names[*idx].clone();
                    w.line(format!("self.add_fixed_in_frame_mobjects({name})"));
                }
                animations.push(intro_expression(w, plan, *idx, *intro));
            }
            StepItem::Act(idx, action) => {
                let name = w.names[*idx].clone();
                animations.push(action_expression(w, plan, &name, action));
            }
        }
    }
    let time = run_time(frames, w.fps);
    w.line(format!(
        "self.play({}, run_time={time})",
        animations.join(", ")
    ));
}

fn action_expression(w: &mut Writer, plan: &Plan, name: &str, action: &Action) -> String {
    match action {
        Action::FadeOut => format!("FadeOut({name})"),
        Action::Scale(f) => format!("{name}.animate.scale({f})"),
        Action::Rotate(a) => format!("Rotate({name}, angle={}, axis=OUT)", angle(*a)),
        Action::Move(Direction::Shift(d)) => format!("{name}.animate.shift({d} * 2.5)"),
        Action::Move(Direction::Edge(d)) => format!("{name}.animate.to_edge({d})"),
        Action::Move(Direction::Corner(d)) => format!("{name}.animate.to_corner({d})"),
        Action::Move(Direction::Centre) => format!("{name}.animate.move_to(ORIGIN)"),
        Action::MoveAlong(kind) => {
            let path = w.fresh("path");
            match kind {
                PathKind::Circle => w.line(format!(
                    "{path} = Circle(radius=1.5).move_to({name}.get_center() + LEFT * 1.5)"
                )),
                PathKind::Arc => w.line(format!(
                    "{path} = ArcBetweenPoints({name}.get_center(), {name}.get_center() + \
                     (RIGHT if {name}.get_center()[0] <= 0 else LEFT) * 4, angle=-PI / 2)"
                )),
            }
            format!("MoveAlongPath({name}, {path})")
        }
        Action::Bounce(n) => {
            let start = w.fresh("start");
            w.line(format!("{start} = {name}.get_center()"));
            format!(
                "UpdateFromAlphaFunc({name}, lambda m, a: m.move_to({start} + UP * 1.2 * \
                 abs(np.sin({n} * PI * a))), rate_func=linear)"
            )
        }
        Action::Morph(into) => {
            let target = w.names[*into].clone();
            w.line(format!("{target}.move_to({name})"));
            if w.three_d && plan.objects[*into].kind.is_text() {
                w.line(format!("self.add_fixed_in_frame_mobjects({target})"));
                w.line(format!("self.remove({target})"));
            }
            format!("ReplacementTransform({name}, {target})")
        }
        Action::ChangeColour(c) => format!("{name}.animate.set_color({c})"),
        Action::Indicate => format!("Indicate({name})"),
        Action::Flash => format!("Flash({name}, flash_radius=1.5)"),
        Action::Wiggle => format!("Wiggle({name})"),
        Action::Circumscribe => format!("Circumscribe({name})"),
    }
}

/// Run times for a fixed sequence of `play` calls with the given weights, plus the
/// closing wait (if any), together lasting exactly the requested duration.
pub(crate) fn timeline(
    weights: &[f64],
    settings: &RenderSettings,
) -> (Vec<String>, Option<String>) {
    let steps: Vec<Step> = weights
        .iter()
        .map(|&weight| Step {
            items: Vec::new(),
            weight,
            seconds: None,
        })
        .collect();
    let timing = allocate(&steps, settings);
    let times = timing
        .step_frames
        .iter()
        .map(|&f| run_time(f, settings.fps))
        .collect();
    let wait = (timing.wait_frames > 0).then(|| run_time(timing.wait_frames, settings.fps));
    (times, wait)
}
