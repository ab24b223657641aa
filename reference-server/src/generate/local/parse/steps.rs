//! Turning a clause's events into plan steps: intros first, then one step per
//! round of actions, with weights scaled by speed and spread over stated seconds.

use std::f64::consts::{PI, TAU};

use super::{Event, Parser, Target};
use crate::generate::local::lexicon::{ShapeKind, Verb, VerbForm};
use crate::generate::local::plan::{Action, Direction, Intro, PathKind, Step, StepItem};

impl Parser {
    pub(super) fn build_steps(
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
