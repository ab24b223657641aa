//! Closing a plan: the note of ignored words, the shape actions fall back on when
//! no object is named, and the title card for a prompt with no recognisable object.

use std::f64::consts::PI;

use super::Parser;
use crate::generate::local::lexicon::ShapeKind;
use crate::generate::local::plan::{Action, Direction, Intro, Object, Plan, Step, StepItem};

impl Parser {
    /// The shape actions fall back on when the prompt names none.
    pub(super) fn fallback_object(&mut self) -> usize {
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

    pub(super) fn finish(mut self, prompt: &str) -> Plan {
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
