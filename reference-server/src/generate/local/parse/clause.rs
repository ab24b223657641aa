//! Reading one clause word by word into events: mentions of objects and verbs
//! with their modifiers (angles, repetitions, factors, directions, paths, colours).

use std::f64::consts::{PI, TAU};

use super::lookahead::{
    colour_ahead, direction_word, morph_ahead, read_direction, shape_ahead, sided,
};
use super::{Event, Parser, Pending, Target, VerbEvent};
use crate::generate::local::lexicon::{
    Function, ShapeKind, Verb, VerbForm, colour_word, function_word, is_filler, is_plot_noun,
    number_word, shade_word, shape_word, verb_word,
};
use crate::generate::local::plan::{Object, PathKind};
use crate::generate::local::tokens::Token;

impl Parser {
    pub(super) fn clause(&mut self, tokens: &[Token]) {
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
                        "squared" => Function::Parabola,
                        "cubed" => Function::Cubic,
                        _ => function_word(word).unwrap_or(Function::Sine),
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
                    let kind = ShapeKind::Plot(Function::Sine);
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
}
