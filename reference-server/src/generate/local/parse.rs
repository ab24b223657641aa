//! From tokens to a [`Plan`]: objects, their intros and the actions on them.
//!
//! Clauses (separated by full stops and "then") run one after another. Within a
//! clause, new objects appear together first; then actions on different objects
//! run at the same time ("while", "and"), and several actions on the same object
//! run in the order written (rotating *and* morphing = rotate, then morph).

use std::collections::HashMap;
use std::f64::consts::{PI, TAU};

use super::lexicon::{
    Shade, ShapeKind, Verb, VerbForm, colour_word, function_word, is_filler, is_plot_noun,
    number_word, shade_word, shape_word, verb_word,
};
use super::plan::{Action, Direction, Intro, Object, PathKind, Plan, Step, StepItem};
use super::tokens::{Token, tokenize};

/// A reference to objects inside a clause.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    One(usize),
    All,
}

#[derive(Debug, Clone, Default)]
struct VerbEvent {
    verb: Option<Verb>,
    form: Option<VerbForm>,
    angle: Option<f64>,
    reps: Option<u32>,
    factor: Option<f64>,
    clockwise: bool,
    direction: Option<Direction>,
    path: Option<PathKind>,
    colour: Option<String>,
    morph_into: Option<usize>,
}

#[derive(Debug, Clone)]
enum Event {
    Mention(Target),
    Verb(VerbEvent),
}

#[derive(Debug, Default)]
struct Pending {
    colour: Option<String>,
    shade: Option<Shade>,
    count: Option<u32>,
    size: Option<f64>,
    definite: bool,
    indefinite: bool,
    new: bool,
}

/// Compiles a prompt into a plan.
pub(crate) fn parse(prompt: &str) -> Plan {
    let tokens = tokenize(prompt);
    let mut parser = Parser::default();
    for clause in tokens.split(|t| *t == Token::Break) {
        if !clause.is_empty() {
            parser.clause(clause);
        }
    }
    parser.finish(prompt)
}

#[derive(Debug, Default)]
struct Parser {
    plan: Plan,
    visible: Vec<bool>,
    alias: HashMap<usize, usize>,
    last: Option<usize>,
    ignored: Vec<String>,
    fallback_shape: Option<usize>,
    loose_colour: Option<String>,
}

impl Parser {
    fn resolve(&self, mut idx: usize) -> usize {
        while let Some(&next) = self.alias.get(&idx) {
            idx = next;
        }
        idx
    }

    fn add_object(&mut self, object: Object) -> usize {
        self.plan.objects.push(object);
        self.visible.push(false);
        self.plan.objects.len() - 1
    }

    /// Finds an existing object of the same sort, most recent first.
    fn existing(&self, kind: &ShapeKind) -> Option<usize> {
        (0..self.plan.objects.len())
            .rev()
            .map(|i| self.resolve(i))
            .find(|&i| self.plan.objects[i].kind.same_sort(kind))
    }

    fn mention_shape(
        &mut self,
        kind: ShapeKind,
        pending: &mut Pending,
        new_here: &mut Vec<usize>,
    ) -> usize {
        let reuse = if pending.new || pending.indefinite || pending.count.is_some() {
            None
        } else {
            self.existing(&kind)
        };
        let idx = match reuse {
            Some(idx) => idx,
            None => {
                let mut object = Object::new(kind);
                object.colour = pending.colour.take();
                object.count = pending.count.unwrap_or(1).clamp(1, 12);
                object.size = pending.size.unwrap_or(1.0);
                let idx = self.add_object(object);
                new_here.push(idx);
                idx
            }
        };
        if let (Some(_), Some(colour)) = (reuse, pending.colour.take()) {
            self.plan.objects[idx].colour.get_or_insert(colour);
        }
        *pending = Pending::default();
        self.last = Some(idx);
        idx
    }

    fn clause(&mut self, tokens: &[Token]) {
        let mut events: Vec<Event> = Vec::new();
        let mut pending = Pending::default();
        let mut new_here: Vec<usize> = Vec::new();
        let mut speed = 1.0;
        let mut seconds: Option<f64> = None;
        let mut loose_words: Vec<String> = Vec::new();
        let mut i = 0;

        // Attaches a modifier to the latest verb of the clause, or holds it for the next.
        let mut held = VerbEvent::default();
        macro_rules! modify {
            ($events:expr, |$v:ident| $body:expr) => {{
                let target = $events.iter_mut().rev().find_map(|e| match e {
                    Event::Verb(v) => Some(v),
                    _ => None,
                });
                match target {
                    Some($v) => $body,
                    None => {
                        let $v = &mut held;
                        $body
                    }
                }
            }};
        }

        while i < tokens.len() {
            let word = match &tokens[i] {
                Token::Quoted(text) => {
                    let idx = self.mention_shape(
                        ShapeKind::Text(text.clone()),
                        &mut pending,
                        &mut new_here,
                    );
                    events.push(Event::Mention(Target::One(idx)));
                    i += 1;
                    continue;
                }
                Token::Equation(text) => {
                    let idx = self.mention_shape(
                        ShapeKind::Equation(text.clone()),
                        &mut pending,
                        &mut new_here,
                    );
                    events.push(Event::Mention(Target::One(idx)));
                    i += 1;
                    continue;
                }
                Token::Hex(hex) => {
                    self.colour(
                        format!("ManimColor(\"{hex}\")"),
                        tokens,
                        i,
                        &mut events,
                        &mut pending,
                        &mut held,
                    );
                    i += 1;
                    continue;
                }
                Token::Break => {
                    i += 1;
                    continue;
                }
                Token::Word { lower, .. } => lower.as_str(),
            };
            let next = tokens.get(i + 1).and_then(Token::word);
            let original = match &tokens[i] {
                Token::Word { original, .. } => original.clone(),
                _ => String::new(),
            };

            match word {
                "a" | "an" => pending.indefinite = true,
                "another" | "new" | "second" => pending.new = true,
                "the" | "this" | "that" | "same" => pending.definite = true,
                "it" | "itself" | "its" => {
                    if let Some(last) = self.last {
                        events.push(Event::Mention(Target::One(self.resolve(last))));
                    }
                }
                "them" | "they" | "everything" | "both" | "all" | "shapes" | "objects" => {
                    events.push(Event::Mention(Target::All))
                }
                "slowly" | "slow" | "gently" | "gradually" | "leisurely" => speed = 2.0,
                "quickly" | "fast" | "rapidly" | "quick" | "swiftly" | "briskly" => speed = 0.5,
                "clockwise" => modify!(events, |v| v.clockwise = true),
                "counterclockwise" | "anticlockwise" => modify!(events, |v| v.clockwise = false),
                "twice" | "thrice" | "once" | "double" | "triple" => {
                    let n = match word {
                        "once" => 1,
                        "twice" | "double" => 2,
                        _ => 3,
                    };
                    modify!(events, |v| {
                        if matches!(v.verb, Some(Verb::Grow | Verb::Scale | Verb::Shrink))
                            || next == Some("as")
                        {
                            v.factor = Some(f64::from(n));
                        } else {
                            v.reps = Some(n);
                        }
                    });
                }
                "half" | "quarter" | "full" | "complete" | "whole"
                    if matches!(
                        next,
                        Some(
                            "turn"
                                | "turns"
                                | "rotation"
                                | "revolution"
                                | "circle"
                                | "spin"
                                | "way"
                        )
                    ) =>
                {
                    let angle = match word {
                        "half" => PI,
                        "quarter" => PI / 2.0,
                        _ => TAU,
                    };
                    modify!(events, |v| v.angle = Some(angle));
                    i += 2;
                    continue;
                }
                "big" | "large" | "huge" | "giant" | "enormous" => pending.size = Some(1.5),
                "small" | "tiny" | "little" | "mini" => pending.size = Some(0.6),
                "along" | "around" | "following" | "in" | "on"
                    if self.path_ahead(tokens, i).is_some() =>
                {
                    let (path, skip) = self.path_ahead(tokens, i).unwrap_or((PathKind::Arc, 1));
                    let has_move = events.iter().any(|e| matches!(e, Event::Verb(v) if matches!(v.verb, Some(Verb::Move | Verb::Orbit))));
                    if !has_move {
                        events.push(Event::Verb(VerbEvent {
                            verb: Some(Verb::Move),
                            form: Some(VerbForm::Subject),
                            ..VerbEvent::default()
                        }));
                    }
                    modify!(events, |v| v.path = Some(path));
                    i += skip;
                    continue;
                }
                _ if shade_word(word).is_some()
                    && next.and_then(|n| colour_word(n, None)).is_some() =>
                {
                    pending.shade = shade_word(word);
                }
                _ if colour_word(word, None).is_some() => {
                    let colour = colour_word(word, pending.shade.take()).unwrap_or_default();
                    self.colour(colour, tokens, i, &mut events, &mut pending, &mut held);
                }
                _ if direction_word(word) => {
                    let (direction, skip) = read_direction(tokens, i);
                    let verb_idx = events.iter().rposition(|e| matches!(e, Event::Verb(v) if v.verb == Some(Verb::Move) && v.direction.is_none()));
                    let scaling = events.iter().rev().find_map(|e| match e {
                        Event::Verb(v) => v.verb,
                        _ => None,
                    });
                    if matches!(scaling, Some(Verb::Scale)) && matches!(word, "up" | "down") {
                        modify!(events, |v| v.verb = Some(if word == "up" {
                            Verb::Grow
                        } else {
                            Verb::Shrink
                        }));
                    } else if let Some(verb_idx) = verb_idx {
                        if let Event::Verb(v) = &mut events[verb_idx] {
                            v.direction = Some(direction);
                        }
                    } else if let Some(last) = new_here.last().copied() {
                        self.plan.objects[last].placement = Some(direction);
                    } else if self.last.is_some() {
                        events.push(Event::Verb(VerbEvent {
                            verb: Some(Verb::Move),
                            form: Some(VerbForm::Subject),
                            direction: Some(direction),
                            ..VerbEvent::default()
                        }));
                    }
                    i += skip;
                    continue;
                }
                _ if function_word(word).is_some() || matches!(word, "squared" | "cubed") => {
                    let function = match word {
                        "squared" => super::lexicon::Function::Parabola,
                        "cubed" => super::lexicon::Function::Cubic,
                        _ => function_word(word).unwrap_or(super::lexicon::Function::Sine),
                    };
                    let skip = if next.is_some_and(is_plot_noun) { 2 } else { 1 };
                    if word == "linear" && skip == 1 {
                        loose_words.push(original);
                        i += 1;
                        continue;
                    }
                    let idx =
                        self.mention_shape(ShapeKind::Plot(function), &mut pending, &mut new_here);
                    events.push(Event::Mention(Target::One(idx)));
                    i += skip;
                    continue;
                }
                _ if is_plot_noun(word) && !matches!(next, Some("of")) && word != "function" => {
                    let kind = ShapeKind::Plot(super::lexicon::Function::Sine);
                    let idx = self.mention_shape(kind, &mut pending, &mut new_here);
                    events.push(Event::Mention(Target::One(idx)));
                }
                _ if shape_word(word).is_some() => {
                    let mut kind = shape_word(word).unwrap_or(ShapeKind::Circle);
                    let plural = word.ends_with('s') && !matches!(word, "torus" | "dice");
                    if plural && pending.count.is_none() {
                        pending.count = Some(3);
                    }
                    if let (ShapeKind::Polygon(_), Some(n)) = (&kind, sided(tokens, i)) {
                        kind = ShapeKind::Polygon(n);
                    }
                    let idx = self.mention_shape(kind, &mut pending, &mut new_here);
                    events.push(Event::Mention(Target::One(idx)));
                }
                _ if number_word(word).is_some() => {
                    let n = number_word(word).unwrap_or(1.0);
                    let prev = i
                        .checked_sub(1)
                        .and_then(|p| tokens.get(p))
                        .and_then(Token::word);
                    match next {
                        Some("degree" | "degrees" | "deg") => {
                            modify!(events, |v| v.angle = Some(n.to_radians()));
                            i += 2;
                            continue;
                        }
                        Some("second" | "seconds" | "sec" | "secs" | "s") => {
                            seconds = Some(n.clamp(0.1, 60.0));
                            i += 2;
                            continue;
                        }
                        Some("time" | "times") => {
                            modify!(events, |v| v.reps = Some(n.round().clamp(1.0, 10.0) as u32));
                            i += 2;
                            continue;
                        }
                        Some(
                            "turn" | "turns" | "rotation" | "rotations" | "revolution"
                            | "revolutions" | "spins",
                        ) => {
                            modify!(events, |v| v.angle = Some(n * TAU));
                            i += 2;
                            continue;
                        }
                        Some("x") if n > 0.0 => {
                            modify!(events, |v| v.factor = Some(n.clamp(0.1, 5.0)))
                        }
                        Some("sided") => {}
                        _ if matches!(prev, Some("by" | "to" | "of")) && n > 0.0 => {
                            modify!(events, |v| v.factor = Some(n.clamp(0.1, 5.0)))
                        }
                        _ => pending.count = Some(n.round().clamp(1.0, 12.0) as u32),
                    }
                }
                _ if verb_word(word).is_some() => {
                    let (verb, form) = verb_word(word).unwrap_or((Verb::Create, VerbForm::Base));
                    let mut event = std::mem::take(&mut held);
                    event.form = Some(form);
                    let mut skip = 1;
                    let verb = match (verb, next) {
                        (Verb::Fade, Some("in" | "into")) => {
                            skip = 2;
                            Verb::FadeIn
                        }
                        (Verb::Fade, Some("out" | "away")) => {
                            skip = 2;
                            Verb::FadeOut
                        }
                        (Verb::Turn | Verb::Morph, _) => {
                            if let Some((kind, colour, count, used)) = morph_ahead(tokens, i + 1) {
                                let mut object = Object::new(kind);
                                object.colour = colour;
                                object.count = count;
                                object.morph_target = true;
                                event.morph_into = Some(self.add_object(object));
                                skip = 1 + used;
                                Verb::Morph
                            } else if verb == Verb::Turn && colour_ahead(tokens, i + 1) {
                                Verb::ChangeColour
                            } else if verb == Verb::Turn {
                                Verb::Rotate
                            } else {
                                self.plan.notes.push(format!(
                                    "ignored: '{original}' without a shape to become"
                                ));
                                i += 1;
                                continue;
                            }
                        }
                        (other, _) => other,
                    };
                    event.verb = Some(verb);
                    events.push(Event::Verb(event));
                    i += skip;
                    continue;
                }
                _ if is_filler(word) => {}
                _ => loose_words.push(original),
            }
            i += 1;
        }

        // "write hello world" without quotes: the loose words become the text.
        let writes_nothing = events
            .iter()
            .any(|e| matches!(e, Event::Verb(v) if v.verb == Some(Verb::Write)))
            && !events.iter().any(|e| matches!(e, Event::Mention(_)));
        if writes_nothing && !loose_words.is_empty() {
            let text = loose_words.join(" ");
            loose_words.clear();
            let mut none = Pending::default();
            let idx = self.mention_shape(ShapeKind::Text(text), &mut none, &mut new_here);
            events.push(Event::Mention(Target::One(idx)));
        }
        self.ignored.extend(loose_words);
        if let Some(colour) = pending.colour.take().or(held.colour.take()) {
            self.loose_colour = Some(colour);
        }
        self.build_steps(events, new_here, speed, seconds);
    }

    /// Handles a colour: for a following shape, for a colour change, or for the last object.
    fn colour(
        &mut self,
        colour: String,
        tokens: &[Token],
        i: usize,
        events: &mut [Event],
        pending: &mut Pending,
        held: &mut VerbEvent,
    ) {
        if shape_ahead(tokens, i + 1) {
            pending.colour = Some(colour);
            return;
        }
        let latest_verb = events.iter_mut().rev().find_map(|e| match e {
            Event::Verb(v) => Some(v),
            _ => None,
        });
        match latest_verb {
            Some(v)
                if matches!(v.verb, Some(Verb::ChangeColour | Verb::Turn | Verb::Rotate))
                    && v.colour.is_none()
                    && v.morph_into.is_none() =>
            {
                v.verb = Some(Verb::ChangeColour);
                v.colour = Some(colour);
            }
            _ => match events.iter().rev().find_map(|e| match e {
                Event::Mention(Target::One(idx)) => Some(*idx),
                _ => None,
            }) {
                Some(idx) if self.plan.objects[idx].colour.is_none() => {
                    self.plan.objects[idx].colour = Some(colour)
                }
                _ if held.verb.is_none() => pending.colour = Some(colour),
                _ => {}
            },
        }
    }

    /// Looks for a path noun shortly after `along`/`around`/`in`.
    fn path_ahead(&self, tokens: &[Token], i: usize) -> Option<(PathKind, usize)> {
        for (k, token) in tokens.iter().enumerate().skip(i + 1).take(3) {
            match token.word() {
                Some("a" | "an" | "the" | "curved" | "big" | "small" | "large") => continue,
                Some("circle" | "circular" | "orbit" | "loop" | "round") => {
                    let extra =
                        usize::from(tokens.get(k + 1).and_then(Token::word) == Some("path"));
                    return Some((PathKind::Circle, k - i + 1 + extra));
                }
                Some("path" | "arc" | "curve" | "trajectory") => {
                    return Some((PathKind::Arc, k - i + 1));
                }
                _ => return None,
            }
        }
        None
    }

    fn build_steps(
        &mut self,
        events: Vec<Event>,
        new_here: Vec<usize>,
        speed: f64,
        seconds: Option<f64>,
    ) {
        let mut intros: Vec<(usize, Intro)> = new_here
            .iter()
            .filter(|&&idx| !self.plan.objects[idx].morph_target)
            .map(|&idx| (idx, default_intro(&self.plan.objects[idx].kind)))
            .collect();
        let mut per_target: Vec<(usize, Vec<Action>)> = Vec::new();

        for (pos, event) in events.iter().enumerate() {
            let Event::Verb(v) = event else { continue };
            let Some(verb) = v.verb else { continue };
            let targets = self.targets_for(&events, pos, v.form.unwrap_or(VerbForm::Base));
            for target in targets {
                let is_new = new_here.contains(&target);
                let intro = |i: Intro| {
                    if is_new || !self.visible[target] {
                        Some(i)
                    } else {
                        None
                    }
                };
                let override_intro = match verb {
                    Verb::Create => intro(Intro::Create),
                    Verb::Write => intro(Intro::Write),
                    Verb::FadeIn => intro(Intro::FadeIn),
                    Verb::Fade if is_new => Some(Intro::FadeIn),
                    Verb::Grow if is_new && v.factor.is_none() => Some(Intro::Grow),
                    _ => None,
                };
                if let Some(kind) = override_intro {
                    match intros.iter_mut().find(|(idx, _)| *idx == target) {
                        Some(entry) => entry.1 = kind,
                        None => intros.push((target, kind)),
                    }
                    continue;
                }
                let action = match verb {
                    Verb::Create | Verb::Write | Verb::FadeIn => continue,
                    Verb::Fade | Verb::FadeOut => Action::FadeOut,
                    Verb::Grow => Action::Scale(v.factor.unwrap_or(1.5)),
                    Verb::Shrink => Action::Scale(
                        v.factor
                            .map(|f| if f > 1.0 { 1.0 / f } else { f })
                            .unwrap_or(0.5),
                    ),
                    Verb::Scale => Action::Scale(v.factor.unwrap_or(1.5)),
                    Verb::Rotate | Verb::Turn => {
                        let turns = f64::from(v.reps.unwrap_or(1));
                        let angle =
                            v.angle.unwrap_or(if verb == Verb::Turn { PI } else { TAU }) * turns;
                        Action::Rotate(if v.clockwise { -angle } else { angle })
                    }
                    Verb::Move => match (v.path, v.direction) {
                        (Some(path), _) => Action::MoveAlong(path),
                        (None, Some(direction)) => Action::Move(direction),
                        (None, None) => Action::Move(Direction::Shift("RIGHT")),
                    },
                    Verb::Orbit => Action::MoveAlong(PathKind::Circle),
                    Verb::Bounce => Action::Bounce(v.reps.unwrap_or(2)),
                    Verb::Morph => match v.morph_into {
                        Some(into) => {
                            let source_colour = self.plan.objects[target].colour.clone();
                            let into_object = &mut self.plan.objects[into];
                            if into_object.colour.is_none() {
                                into_object.colour = source_colour;
                            }
                            self.alias.insert(target, into);
                            self.last = Some(into);
                            Action::Morph(into)
                        }
                        None => continue,
                    },
                    Verb::ChangeColour => match &v.colour {
                        Some(colour) => Action::ChangeColour(colour.clone()),
                        None => continue,
                    },
                    Verb::Indicate => Action::Indicate,
                    Verb::Flash => Action::Flash,
                    Verb::Wiggle => Action::Wiggle,
                    Verb::Circumscribe => Action::Circumscribe,
                };
                match per_target.iter_mut().find(|(idx, _)| *idx == target) {
                    Some((_, actions)) => actions.push(action),
                    None => per_target.push((target, vec![action])),
                }
            }
        }

        let first_step = self.plan.steps.len();
        if !intros.is_empty() {
            let weight = intros
                .iter()
                .map(|(idx, intro)| intro_weight(&self.plan.objects[*idx].kind, *intro))
                .fold(0.0, f64::max);
            for (idx, _) in &intros {
                self.visible[*idx] = true;
            }
            self.plan.steps.push(Step {
                items: intros
                    .into_iter()
                    .map(|(idx, intro)| StepItem::Intro(idx, intro))
                    .collect(),
                weight: weight * speed,
                seconds: None,
            });
        }
        let rounds = per_target.iter().map(|(_, a)| a.len()).max().unwrap_or(0);
        for round in 0..rounds {
            let mut items = Vec::new();
            let mut weight: f64 = 0.0;
            for (target, actions) in &per_target {
                if let Some(action) = actions.get(round) {
                    weight = weight.max(action.weight());
                    match action {
                        Action::FadeOut => self.visible[*target] = false,
                        Action::Morph(into) => {
                            self.visible[*target] = false;
                            self.visible[*into] = true;
                        }
                        _ => {}
                    }
                    items.push(StepItem::Act(*target, action.clone()));
                }
            }
            self.plan.steps.push(Step {
                items,
                weight: weight * speed,
                seconds: None,
            });
        }
        if let Some(total) = seconds {
            let steps = &mut self.plan.steps[first_step..];
            let sum: f64 = steps.iter().map(|s| s.weight).sum();
            for step in steps.iter_mut() {
                let share = if sum > 0.0 { step.weight / sum } else { 1.0 };
                step.seconds = Some(total * share);
            }
        }
    }

    /// Which objects a verb acts on, from its form and the mentions around it.
    fn targets_for(&mut self, events: &[Event], pos: usize, form: VerbForm) -> Vec<usize> {
        let next_verb = events[pos + 1..]
            .iter()
            .position(|e| matches!(e, Event::Verb(_)))
            .map_or(events.len(), |p| pos + 1 + p);
        let after = events[pos + 1..next_verb].iter().find_map(|e| match e {
            Event::Mention(t) => Some(*t),
            _ => None,
        });
        let before = events[..pos].iter().rev().find_map(|e| match e {
            Event::Mention(t) => Some(*t),
            _ => None,
        });
        let target = match form {
            VerbForm::Base => after.or(before),
            VerbForm::Subject => before.or(self.last.map(Target::One)).or(after),
        }
        .or(self.last.map(Target::One));
        match target {
            Some(Target::One(idx)) => vec![self.resolve(idx)],
            Some(Target::All) => (0..self.plan.objects.len())
                .filter(|&i| self.visible[i])
                .collect(),
            None => vec![self.fallback_object()],
        }
    }

    /// The shape actions fall back on when the prompt names none.
    fn fallback_object(&mut self) -> usize {
        if let Some(idx) = self.fallback_shape {
            return idx;
        }
        let idx = self.add_object(Object::new(ShapeKind::Circle));
        self.fallback_shape = Some(idx);
        self.plan.steps.push(Step {
            items: vec![StepItem::Intro(idx, Intro::Grow)],
            weight: 1.0,
            seconds: None,
        });
        self.visible[idx] = true;
        self.last = Some(idx);
        idx
    }

    fn finish(mut self, prompt: &str) -> Plan {
        let real_objects = self
            .plan
            .objects
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != self.fallback_shape)
            .count();
        if !self.ignored.is_empty() {
            let list: Vec<String> = dedup(&self.ignored)
                .iter()
                .map(|w| format!("'{w}'"))
                .collect();
            self.plan
                .notes
                .push(format!("ignored: {}", list.join(", ")));
        }
        if real_objects == 0 {
            self.plan.fallback = true;
            let title = title_from(prompt);
            self.plan.title = Some(title.clone());
            self.plan
                .notes
                .push("fallback: title card (no object recognised in the prompt)".into());
            let title_idx = self.add_object(Object::new(ShapeKind::Text(title)));
            self.plan.objects[title_idx].placement = Some(Direction::Edge("UP"));
            self.plan.steps.insert(
                0,
                Step {
                    items: vec![StepItem::Intro(title_idx, Intro::Write)],
                    weight: 1.5,
                    seconds: None,
                },
            );
            let shape = match self.fallback_shape {
                Some(idx) => idx,
                None => {
                    let idx = self.fallback_object();
                    self.plan.steps.push(Step {
                        items: vec![StepItem::Act(idx, Action::Rotate(PI))],
                        weight: 1.5,
                        seconds: None,
                    });
                    idx
                }
            };
            if let Some(colour) = self.loose_colour.take() {
                self.plan.objects[shape].colour.get_or_insert(colour);
            }
        }
        self.plan
    }
}

fn dedup(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(w)) {
            out.push(w.clone());
        }
    }
    out
}

/// A short title for the fallback card: the prompt's first words.
fn title_from(prompt: &str) -> String {
    let cleaned: String = prompt
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " ,.!?-'".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut title = String::new();
    for word in words {
        if title.chars().count() + word.chars().count() > 36 {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    if title.is_empty() {
        "AnimaForge".to_string()
    } else {
        title
    }
}

fn default_intro(kind: &ShapeKind) -> Intro {
    match kind {
        k if k.is_text() => Intro::Write,
        k if k.is_3d() => Intro::FadeIn,
        _ => Intro::Create,
    }
}

fn intro_weight(kind: &ShapeKind, intro: Intro) -> f64 {
    match (kind, intro) {
        (ShapeKind::Text(t) | ShapeKind::Equation(t), _) => {
            (0.8 + t.chars().count() as f64 / 15.0).min(2.5)
        }
        (ShapeKind::Plot(_), _) => 2.5,
        _ => 1.0,
    }
}

fn direction_word(word: &str) -> bool {
    matches!(
        word,
        "left"
            | "right"
            | "up"
            | "down"
            | "top"
            | "bottom"
            | "upper"
            | "lower"
            | "upward"
            | "upwards"
            | "downward"
            | "downwards"
            | "leftward"
            | "rightward"
            | "center"
            | "centre"
            | "middle"
            | "origin"
    )
}

/// Reads "upper left corner", "the top edge", "left", "to the center" and so on.
fn read_direction(tokens: &[Token], i: usize) -> (Direction, usize) {
    let mut vertical = None;
    let mut horizontal = None;
    let mut edge = false;
    let mut centre = false;
    let mut k = i;
    while let Some(word) = tokens.get(k).and_then(Token::word) {
        match word {
            "up" | "upward" | "upwards" | "top" | "upper" => vertical = Some("U"),
            "down" | "downward" | "downwards" | "bottom" | "lower" => vertical = Some("D"),
            "left" | "leftward" => horizontal = Some("L"),
            "right" | "rightward" => horizontal = Some("R"),
            "center" | "centre" | "middle" | "origin" => centre = true,
            "edge" | "side" | "corner" | "border" => edge = true,
            "of" | "the" | "screen" | "frame" | "hand" | "and" => {}
            _ => break,
        }
        k += 1;
    }
    let edge = edge || matches!(tokens.get(i).and_then(Token::word), Some("top" | "bottom"));
    let direction = match (vertical, horizontal, centre) {
        (_, _, true) => Direction::Centre,
        (Some(v), Some(h), _) => Direction::Corner(match (v, h) {
            ("U", "L") => "UL",
            ("U", _) => "UR",
            (_, "L") => "DL",
            _ => "DR",
        }),
        (v, h, _) => {
            let name = match (v, h) {
                (Some("U"), _) => "UP",
                (Some(_), _) => "DOWN",
                (_, Some("L")) => "LEFT",
                _ => "RIGHT",
            };
            if edge {
                Direction::Edge(name)
            } else {
                Direction::Shift(name)
            }
        }
    };
    (direction, (k - i).max(1))
}

/// "six sided polygon", "8-sided polygon".
fn sided(tokens: &[Token], i: usize) -> Option<u32> {
    let before: Vec<&str> = tokens[..i]
        .iter()
        .rev()
        .take(2)
        .filter_map(Token::word)
        .collect();
    match before.as_slice() {
        ["sided", n, ..] => number_word(n).map(|n| (n as u32).clamp(3, 12)),
        _ => None,
    }
}

fn shape_ahead(tokens: &[Token], from: usize) -> bool {
    for token in tokens.iter().skip(from).take(4) {
        match token {
            Token::Quoted(_) | Token::Equation(_) => return true,
            Token::Word { lower, .. } => {
                let w = lower.as_str();
                if shape_word(w).is_some() || function_word(w).is_some() || is_plot_noun(w) {
                    return true;
                }
                let adjective = shade_word(w).is_some()
                    || colour_word(w, None).is_some()
                    || matches!(
                        w,
                        "big"
                            | "large"
                            | "small"
                            | "tiny"
                            | "huge"
                            | "little"
                            | "and"
                            | "colored"
                            | "coloured"
                            | "solid"
                            | "filled"
                            | "outlined"
                    );
                if !adjective {
                    return false;
                }
            }
            _ => return false,
        }
    }
    false
}

fn colour_ahead(tokens: &[Token], from: usize) -> bool {
    for token in tokens.iter().skip(from).take(4) {
        match token {
            Token::Hex(_) => return true,
            Token::Word { lower, .. } => {
                if colour_word(lower, None).is_some() {
                    return true;
                }
                if !matches!(
                    lower.as_str(),
                    "to" | "color"
                        | "colour"
                        | "its"
                        | "the"
                        | "into"
                        | "in"
                        | "light"
                        | "dark"
                        | "bright"
                        | "deep"
                        | "pale"
                ) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    false
}

/// After "morph"/"turn"/"become": `into a red cube` gives the cube, its colour and
/// count, and how many tokens were read.
fn morph_ahead(tokens: &[Token], from: usize) -> Option<(ShapeKind, Option<String>, u32, usize)> {
    let mut colour = None;
    let mut shade = None;
    let mut count = 1;
    for (k, token) in tokens.iter().enumerate().skip(from).take(6) {
        match token {
            Token::Quoted(text) => {
                return Some((ShapeKind::Text(text.clone()), colour, count, k - from + 1));
            }
            Token::Equation(text) => {
                return Some((
                    ShapeKind::Equation(text.clone()),
                    colour,
                    count,
                    k - from + 1,
                ));
            }
            Token::Hex(hex) => colour = Some(format!("ManimColor(\"{hex}\")")),
            Token::Word { lower, .. } => {
                let w = lower.as_str();
                if let Some(kind) = shape_word(w) {
                    return Some((kind, colour, count, k - from + 1));
                }
                if let Some(function) = function_word(w) {
                    let extra = usize::from(
                        tokens
                            .get(k + 1)
                            .and_then(Token::word)
                            .is_some_and(is_plot_noun),
                    );
                    return Some((
                        ShapeKind::Plot(function),
                        colour,
                        count,
                        k - from + 1 + extra,
                    ));
                }
                match w {
                    "into" | "to" | "in" | "a" | "an" | "the" | "itself" | "back" | "shape"
                    | "of" => {}
                    _ if shade_word(w).is_some() => shade = shade_word(w),
                    _ if colour_word(w, None).is_some() => colour = colour_word(w, shade),
                    _ if number_word(w).is_some() => {
                        count = number_word(w).unwrap_or(1.0).clamp(1.0, 12.0) as u32
                    }
                    _ if matches!(w, "big" | "large" | "small" | "tiny") => {}
                    _ => return None,
                }
            }
            Token::Break => return None,
        }
    }
    None
}
