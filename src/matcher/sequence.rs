//! Matching sequences of lines: in order, for the diff, and in any order.
//!
//! In order, `{{...}}` lines cut the documented lines into segments. The
//! first segment sits at the start of the output and the last at its end;
//! the ones between are tried from left to right, backtracking when the rest
//! cannot follow. If a segment and all after it cannot be placed from real
//! line `p` on, they cannot be placed from any later line either, so each
//! segment remembers the earliest line it failed from: the search tries each
//! (segment, line) once, instead of growing exponentially. (Strictly, what
//! earlier segments bound could change the answer; a value that must repeat
//! across a `{{...}}` is not worth an exponential search.) Without
//! `{{...}}`, matching is one pass.
//!
//! When the output does not match, [`align`] decides which real line stands
//! for which documented line, for the diff and for blessing. It first aligns
//! the lines that need no matching (plain text) with a patience diff, then
//! walks each differing stretch line by line, looking a few lines ahead to
//! step over missing or extra lines. A walk never fails; it only decides
//! which real lines to show as the documented ones.
//!
//! In any order, plain lines take identical real lines first (any identical
//! line is as good as another), then the other lines are paired by maximum
//! bipartite matching, so a `{{*}}` line cannot steal the only line a more
//! specific line could have taken. A documented line only looks at real lines
//! that start with its leading text, found by binary search in the real
//! lines sorted, so long unordered outputs do not compare every pair.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::time::{Duration, Instant};

use similar::DiffOp;

use super::line::{Ctx, Line, Mismatch};
use super::patience::{self, Numbers};

/// How far the walk looks ahead for the next matching pair of lines.
const LOOKAHEAD: usize = 8;
/// Most look-ahead comparisons of one alignment, so that two long outputs
/// with nothing in common still align quickly (as changed lines).
const LOOKAHEAD_BUDGET: usize = 200_000;
/// Longest time the patience diff of plain lines may take; past it, the
/// rest is left to the walk.
const DIFF_DEADLINE: Duration = Duration::from_millis(50);

/// What a stretch of real output is, relative to the documented lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// Documented line `doc` matched real line `real`.
    Same { doc: usize, real: usize },
    /// A real line that no documented line matched.
    Real(usize),
    /// The `{{...}}` line `doc` stood for these real lines.
    Dots { doc: usize, real: Range<usize> },
}

/// Matches `real` against `doc` in order, or `None`.
pub(crate) fn match_in_order<'r>(
    doc: &[&Line],
    real: &[&'r str],
    ctx: &mut Ctx<'r>,
) -> Option<Vec<Item>> {
    let mut segments = Vec::new();
    let mut dots = Vec::new();
    let mut start = 0;
    for (i, line) in doc.iter().enumerate() {
        if line.is_dots() {
            segments.push(start..i);
            dots.push(i);
            start = i + 1;
        }
    }
    segments.push(start..doc.len());
    let mut rest = vec![0; segments.len() + 1];
    for s in (0..segments.len()).rev() {
        rest[s] = rest[s + 1] + segments[s].len();
    }
    if rest[0] > real.len() || (dots.is_empty() && rest[0] != real.len()) {
        return None;
    }
    let mut search = Search {
        doc,
        real,
        segments: &segments,
        rest: &rest,
        placed: vec![0; segments.len()],
        failed_from: vec![usize::MAX; segments.len()],
    };
    if !search.place(0, 0, ctx) {
        return None;
    }
    let mut items = Vec::with_capacity(real.len());
    for (s, segment) in segments.iter().enumerate() {
        let at = search.placed[s];
        for (k, d) in segment.clone().enumerate() {
            items.push(Item::Same {
                doc: d,
                real: at + k,
            });
        }
        if let Some(&dots_line) = dots.get(s) {
            let end = search.placed[s + 1];
            items.push(Item::Dots {
                doc: dots_line,
                real: at + segment.len()..end,
            });
        }
    }
    Some(items)
}

struct Search<'a, 'r> {
    doc: &'a [&'a Line],
    real: &'a [&'r str],
    segments: &'a [Range<usize>],
    /// Lines the segments from this one on need.
    rest: &'a [usize],
    placed: Vec<usize>,
    /// The earliest real line each segment could not be placed from.
    failed_from: Vec<usize>,
}

impl<'r> Search<'_, 'r> {
    /// Places segment `s` at or after real line `from`, and the rest after it.
    fn place(&mut self, s: usize, from: usize, ctx: &mut Ctx<'r>) -> bool {
        if from >= self.failed_from[s] {
            return false;
        }
        let segment = self.segments[s].clone();
        let last = s + 1 == self.segments.len();
        let candidates = if s == 0 {
            0..=0
        } else if last {
            let at = self.real.len() - segment.len();
            at..=at
        } else {
            from..=self.real.len() - self.rest[s]
        };
        for at in candidates {
            if at < from {
                continue;
            }
            let checkpoint = ctx.checkpoint();
            if self.segment_at(segment.clone(), at, ctx)
                && (last || self.place(s + 1, at + segment.len(), ctx))
            {
                self.placed[s] = at;
                return true;
            }
            ctx.rollback(checkpoint);
        }
        self.failed_from[s] = from;
        false
    }

    fn segment_at(&self, segment: Range<usize>, at: usize, ctx: &mut Ctx<'r>) -> bool {
        segment
            .enumerate()
            .all(|(k, d)| self.doc[d].matches(self.real[at + k], ctx).is_ok())
    }
}

/// Decides which real lines stand for which documented lines when the
/// output does not match. Explanations of values that did not fit a
/// documented line go to `notes`.
pub(crate) fn align<'r>(
    doc: &[&Line],
    real: &[&'r str],
    ctx: &mut Ctx<'r>,
    notes: &mut Vec<String>,
) -> Vec<Item> {
    let ops = if doc.iter().any(|l| l.literal().is_some()) {
        // Lines that need matching get a number no real line has, so the
        // patience diff leaves them to the walk.
        // Room for the literal lines only: the real lines are looked up in
        // this map, and a map no larger than it must be misses the cache less.
        let literals = doc.iter().filter(|l| l.literal().is_some()).count();
        let mut numbers = Numbers::with_capacity(literals);
        let keys: Vec<u32> = doc
            .iter()
            .map(|l| match l.literal() {
                Some(text) => numbers.of(text),
                None => numbers.fresh(),
            })
            .collect();
        let reals: Vec<u32> = real.iter().map(|r| numbers.of_other(r)).collect();
        let deadline = Instant::now() + DIFF_DEADLINE;
        patience::diff(&keys, &reals, numbers.count(), deadline)
    } else {
        // Nothing to anchor on: one stretch for the walk.
        vec![DiffOp::Replace {
            old_index: 0,
            old_len: doc.len(),
            new_index: 0,
            new_len: real.len(),
        }]
    };
    let mut walk = Walk {
        doc,
        real,
        items: Vec::with_capacity(real.len()),
        budget: LOOKAHEAD_BUDGET,
    };
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => walk.items.extend((0..len).map(|k| Item::Same {
                doc: old_index + k,
                real: new_index + k,
            })),
            _ => {
                let (_, doc_range, real_range) = op.as_tag_tuple();
                walk.stretch(doc_range, real_range, ctx, notes);
            }
        }
    }
    walk.items
}

struct Walk<'a, 'r> {
    doc: &'a [&'a Line],
    real: &'a [&'r str],
    items: Vec<Item>,
    budget: usize,
}

impl<'r> Walk<'_, 'r> {
    fn stretch(
        &mut self,
        docs: Range<usize>,
        reals: Range<usize>,
        ctx: &mut Ctx<'r>,
        notes: &mut Vec<String>,
    ) {
        let (mut i, mut j) = (docs.start, reals.start);
        while i < docs.end {
            let line = self.doc[i];
            if line.is_dots() {
                let next = (i + 1..docs.end).find(|&k| !self.doc[k].is_dots());
                let end = match next {
                    None => reals.end,
                    Some(k) => (j..reals.end)
                        .find(|&r| ctx.probe_shape(self.doc[k], self.real[r]))
                        .unwrap_or(j),
                };
                self.items.push(Item::Dots {
                    doc: i,
                    real: j..end,
                });
                (i, j) = (i + 1, end);
                continue;
            }
            if j >= reals.end {
                i += 1;
                continue;
            }
            match line.matches(self.real[j], ctx) {
                Ok(()) => {
                    self.items.push(Item::Same { doc: i, real: j });
                    (i, j) = (i + 1, j + 1);
                    continue;
                }
                Err(Mismatch::Check(why)) => {
                    notes.push(format!("line {}: {why}", line.number));
                }
                Err(Mismatch::Text) => {
                    if let Some((a, b)) = self.resync(i, j, docs.end, reals.end, ctx) {
                        for k in i..i + a {
                            if self.doc[k].is_dots() {
                                self.items.push(Item::Dots { doc: k, real: j..j });
                            }
                        }
                        self.items.extend((j..j + b).map(Item::Real));
                        (i, j) = (i + a, j + b);
                        continue;
                    }
                }
            }
            // A changed line.
            self.items.push(Item::Real(j));
            (i, j) = (i + 1, j + 1);
        }
        self.items.extend((j..reals.end).map(Item::Real));
    }

    /// The nearest `(a, b)` such that documented line `i + a` has the shape
    /// of real line `j + b`.
    fn resync(
        &mut self,
        i: usize,
        j: usize,
        doc_end: usize,
        real_end: usize,
        ctx: &mut Ctx<'r>,
    ) -> Option<(usize, usize)> {
        for distance in 1..=2 * LOOKAHEAD {
            for b in 0..=distance.min(LOOKAHEAD) {
                let a = distance - b;
                if a > LOOKAHEAD || i + a >= doc_end || j + b >= real_end {
                    continue;
                }
                let line = self.doc[i + a];
                if line.is_dots() {
                    continue;
                }
                if self.budget == 0 {
                    return None;
                }
                self.budget -= 1;
                if ctx.probe_shape(line, self.real[j + b]) {
                    return Some((a, b));
                }
            }
        }
        None
    }
}

/// Which real line each documented line took, in any order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pairing {
    pub doc: Vec<Option<usize>>,
    pub real: Vec<Option<usize>>,
}

impl Pairing {
    /// Every documented line has a real line, and every real line a
    /// documented one unless extra lines are allowed.
    pub(crate) fn complete(&self, doc: &[&Line], extra_allowed: bool) -> bool {
        let docs = doc
            .iter()
            .zip(&self.doc)
            .all(|(l, p)| l.is_dots() || p.is_some());
        docs && (extra_allowed || self.real.iter().all(Option::is_some))
    }
}

/// Pairs documented and real lines regardless of order; `{{...}}` lines take
/// nothing. Bindings of the pairs are made in documented order; a pair whose
/// values conflict with earlier ones is dropped.
pub(crate) fn pair_unordered<'r>(doc: &[&Line], real: &[&'r str], ctx: &mut Ctx<'r>) -> Pairing {
    let mut p = Pairing {
        doc: vec![None; doc.len()],
        real: vec![None; real.len()],
    };
    let mut by_text: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, text) in real.iter().enumerate().rev() {
        by_text.entry(text).or_default().push(j);
    }
    for (i, line) in doc.iter().enumerate() {
        let Some(text) = line.literal() else { continue };
        if let Some(j) = by_text.get_mut(text).and_then(|js| js.pop()) {
            p.doc[i] = Some(j);
            p.real[j] = Some(i);
        }
    }
    let mut free: Vec<usize> = (0..real.len()).filter(|&j| p.real[j].is_none()).collect();
    free.sort_by_key(|&j| real[j]);
    let open: Vec<usize> = (0..doc.len())
        .filter(|&i| doc[i].literal().is_none() && !doc[i].is_dots())
        .collect();
    if !open.is_empty() && !free.is_empty() {
        let mut m = Matching {
            doc,
            real,
            free: &free,
            edges: HashMap::new(),
        };
        for &i in &open {
            let taken = m
                .candidates(i)
                .into_iter()
                .find(|&j| p.real[j].is_none() && ctx.probe(doc[i], real[j]));
            match taken {
                Some(j) => {
                    p.doc[i] = Some(j);
                    p.real[j] = Some(i);
                }
                None => m.augment(i, &mut p, ctx),
            }
        }
    }
    for (i, line) in doc.iter().enumerate() {
        if let (Some(j), None) = (p.doc[i], line.literal()) {
            if line.matches(real[j], ctx).is_err() {
                p.doc[i] = None;
                p.real[j] = None;
            }
        }
    }
    p
}

struct Matching<'a, 'r> {
    doc: &'a [&'a Line],
    real: &'a [&'r str],
    /// Real lines the open documented lines may take, sorted by text.
    free: &'a [usize],
    edges: HashMap<usize, Vec<usize>>,
}

impl<'r> Matching<'_, 'r> {
    /// The free real lines that start like documented line `i`, in order.
    fn candidates(&self, i: usize) -> Vec<usize> {
        let prefix = self.doc[i].prefix();
        let start = self.free.partition_point(|&j| self.real[j] < prefix);
        let mut found: Vec<usize> = self.free[start..]
            .iter()
            .copied()
            .take_while(|&j| self.real[j].starts_with(prefix))
            .collect();
        found.sort_unstable();
        found
    }

    fn edges(&mut self, i: usize, ctx: &mut Ctx<'r>) -> Vec<usize> {
        if let Some(e) = self.edges.get(&i) {
            return e.clone();
        }
        let line = self.doc[i];
        let e: Vec<usize> = self
            .candidates(i)
            .into_iter()
            .filter(|&j| ctx.probe(line, self.real[j]))
            .collect();
        self.edges.insert(i, e.clone());
        e
    }

    /// Finds an augmenting path from the unpaired documented line `start`
    /// (breadth first) and flips it.
    fn augment(&mut self, start: usize, p: &mut Pairing, ctx: &mut Ctx<'r>) {
        let mut came_from: HashMap<usize, usize> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        while let Some(i) = queue.pop_front() {
            for j in self.edges(i, ctx) {
                if came_from.contains_key(&j) {
                    continue;
                }
                came_from.insert(j, i);
                match p.real[j] {
                    Some(next) => queue.push_back(next),
                    None => {
                        let mut j = j;
                        loop {
                            let i = came_from[&j];
                            let previous = p.doc[i];
                            p.doc[i] = Some(j);
                            p.real[j] = Some(i);
                            match previous {
                                Some(prev) if i != start => j = prev,
                                _ => return,
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "sequence_tests.rs"]
mod tests;
