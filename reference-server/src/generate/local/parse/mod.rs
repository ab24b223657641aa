//! From tokens to a [`Plan`]: objects, their intros and the actions on them.
//!
//! Clauses (separated by full stops and "then") run one after another. Within a
//! clause, new objects appear together first; then actions on different objects
//! run at the same time ("while", "and"), and several actions on the same object
//! run in the order written (rotating *and* morphing = rotate, then morph).
//!
//! This module owns the parser's state and its object bookkeeping. The word-by-word
//! reading of a clause is in [`clause`], the look-ahead helpers it uses in
//! [`lookahead`], the turning of a clause's events into steps in [`steps`], and the
//! notes and title-card fallback that close a plan in [`fallback`].

mod clause;
mod fallback;
mod lookahead;
mod steps;

use std::collections::HashMap;

use super::lexicon::{Shade, ShapeKind, Verb, VerbForm};
use super::plan::{Direction, Object, PathKind, Plan};
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
}
