//! Comparing the documented output of a step with the real one.
//!
//! The documented text is compiled once into a [`Pattern`] when a lesson is
//! loaded, so a bad marker is a lesson-file error before anything runs.
//! Comparison is line based: literal text by default, with volatile values
//! (IDs, digests, durations, sizes, relative and clock times) recognised in the
//! documented text and matched by kind, and explicit `{{…}}` markers for the
//! rest. The diff is computed on the real output normalised toward the
//! documented text, so volatile values that matched never show as drift.
//!
//! Where things live: the volatile kinds are one table in `rules`, the
//! marker syntax is `markers`, a compiled line and the per-comparison state
//! (consistency of values, captures) are `line`, the three modes are
//! `sequence` (lines, unordered) and `buildkit`, and `diff` renders the
//! difference. Both sides first go through `normalize`; the real side then
//! loses the transport's `noise` lines (only over ssh).
//!
//! Volatile values are found without annotations because the documentation
//! is someone else's README: it has to be usable as written, and markers are
//! for what the rules cannot guess. Plain integers are deliberately not
//! volatile (`1 10001 /app` is a statement about a user id).
//!
//! Blessing writes the real output back, but keeps every documented line
//! that still matches as it was written, so markers and recorded IDs survive
//! and a blessed text always matches the output it was blessed from.

mod buildkit;
mod diff;
mod line;
mod markers;
mod noise;
mod normalize;
mod patience;
mod rules;
mod sequence;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use buildkit::DocLog;
use line::{Compiler, Ctx, Line};
use normalize::escape_markers;
use sequence::{Item, Pairing};

/// How the lines of a step's output are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Line by line, in order.
    #[default]
    Lines,
    /// The same lines, in any order.
    Unordered,
    /// A `--progress plain` BuildKit log: build steps and their results,
    /// ignoring vertex numbers, digest lines, interleaving and progress repeats.
    Buildkit,
}

/// How far a real size may be from a documented one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SizeBand {
    /// The same text.
    Exact,
    /// Any size.
    Any,
    /// Within a factor of `1 + r` either way (`0.5` accepts 1.81MB → 2.2MB
    /// but not 1.81MB → 75MB).
    Ratio(f64),
}

impl Default for SizeBand {
    fn default() -> Self {
        SizeBand::Ratio(0.5)
    }
}

/// Options of one comparison: from the step, and from the engine's transport.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Options {
    pub mode: Mode,
    pub sizes: SizeBand,
    /// The engine is reached over ssh: the connection helper's log lines are
    /// noise (see `noise`), not output.
    pub over_ssh: bool,
}

/// A marker or rule in the documented text that cannot be compiled.
/// `line` and `column` are 1-based, relative to the documented text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PatternError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A comparison with a capture the pattern does not make itself: the name,
/// and the 1-based line and column of its first `{{size<NAME}}` marker in
/// the documented text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub line: usize,
    pub column: usize,
}

/// One line of a diff between documented and real output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub tag: DiffTag,
    /// The line in pieces; `true` marks the words that changed.
    pub segments: Vec<(bool, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffTag {
    /// Present in both (after normalisation).
    Same,
    /// Documented, missing from the real output.
    Removed,
    /// Real, not documented.
    Added,
    /// `n` unchanged lines left out; the text is empty.
    Elided(usize),
    /// Not output: why a line that looks right did not match (a size out of
    /// its band, an ID that should have repeated, a missing capture).
    Note,
}

/// The result of comparing real output with a [`Pattern`].
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub matched: bool,
    /// Values stored by named captures, in the order they appear. When the
    /// output does not match, the values of the lines that still did.
    pub captures: Vec<(String, String)>,
    /// Empty when `matched`.
    pub diff: Vec<DiffLine>,
}

/// Documented output, compiled.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    lines: Vec<Line>,
    captures: Vec<String>,
    references: Vec<Reference>,
    /// The same lines read as a BuildKit log.
    log: DocLog,
}

/// What one comparison found, in the shape its mode needs.
enum Found<'a> {
    Lines(Vec<Item>),
    Unordered(Pairing),
    Buildkit(buildkit::Outcome<'a>),
}

struct Evaluation<'a> {
    matched: bool,
    found: Found<'a>,
    captures: Vec<(String, String)>,
    notes: Vec<String>,
}

impl Pattern {
    /// Compile documented text, checking every marker.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let normalised = normalize::normalise(text);
        let texts = normalize::lines(&normalised);
        let mut compiler = Compiler::default();
        let lines = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line::compile(t, i + 1, &mut compiler))
            .collect::<Result<Vec<_>, _>>()?;
        let log = DocLog::compile(&texts, &lines, &mut compiler)?;
        let mut seen = HashSet::new();
        let mut references: Vec<Reference> = Vec::new();
        for line in &lines {
            for (name, column) in line.references() {
                if !seen.contains(name) && !references.iter().any(|r| r.name == name) {
                    references.push(Reference {
                        name: name.to_string(),
                        line: line.number,
                        column,
                    });
                }
            }
            seen.extend(line.captures());
        }
        let mut seen = HashSet::new();
        let captures = lines
            .iter()
            .flat_map(Line::captures)
            .filter(|name| seen.insert(*name))
            .map(str::to_string)
            .collect();
        Ok(Pattern {
            source: text.to_string(),
            lines,
            captures,
            references,
            log,
        })
    }

    /// The documented text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Names of the values this pattern captures.
    pub fn capture_names(&self) -> Vec<String> {
        self.captures.clone()
    }

    /// Names of earlier captures this pattern refers to (size comparisons).
    /// A name this pattern captures before referring to it is not included.
    pub fn referenced_names(&self) -> Vec<String> {
        self.references.iter().map(|r| r.name.clone()).collect()
    }

    /// The same, with where each name is first compared with.
    pub fn references(&self) -> &[Reference] {
        &self.references
    }

    /// Compare real output; `known` holds values captured by earlier steps.
    pub fn compare(
        &self,
        actual: &str,
        opts: &Options,
        known: &HashMap<String, String>,
    ) -> Comparison {
        let normalised = normalize::normalise(actual);
        let real = noise::drop_noise(normalize::lines(&normalised), opts);
        let evaluation = self.evaluate(&real, opts, known);
        let diff = if evaluation.matched {
            Vec::new()
        } else {
            self.diff(&evaluation, &real)
        };
        Comparison {
            matched: evaluation.matched,
            captures: evaluation.captures,
            diff,
        }
    }

    /// The documented text to write when the real output is accepted: real
    /// lines, except that documented lines (markers included) that still
    /// match are kept as written.
    pub fn bless(&self, actual: &str, opts: &Options, known: &HashMap<String, String>) -> String {
        let normalised = normalize::normalise(actual);
        let real = noise::drop_noise(normalize::lines(&normalised), opts);
        let evaluation = self.evaluate(&real, opts, known);
        let source = |i: usize| self.lines[i].source.clone();
        let blessed: Vec<String> = match &evaluation.found {
            Found::Lines(items) => items
                .iter()
                .map(|item| match item {
                    Item::Same { doc, .. } | Item::Dots { doc, .. } => source(*doc),
                    Item::Real(j) => escape_markers(real[*j]).into_owned(),
                })
                .collect(),
            Found::Unordered(pairing) => {
                let mut out: Vec<String> = (0..real.len())
                    .map(|j| match pairing.real[j] {
                        Some(i) => source(i),
                        None => escape_markers(real[j]).into_owned(),
                    })
                    .collect();
                let dots = self.lines.iter().filter(|l| l.is_dots());
                out.extend(dots.map(|l| l.source.clone()));
                out
            }
            Found::Buildkit(outcome) => outcome.bless(&self.log, &self.lines, &real),
        };
        let mut text = blessed.join("\n");
        if self.source.ends_with('\n') && !text.is_empty() {
            text.push('\n');
        }
        text
    }

    fn evaluate<'a>(
        &self,
        real: &[&'a str],
        opts: &Options,
        known: &HashMap<String, String>,
    ) -> Evaluation<'a> {
        let doc: Vec<&Line> = self.lines.iter().collect();
        let mut ctx = Ctx::new(opts, known);
        let mut notes = Vec::new();
        let (matched, found) = match opts.mode {
            Mode::Lines => match sequence::match_in_order(&doc, real, &mut ctx) {
                Some(items) => (true, Found::Lines(items)),
                None => {
                    ctx = Ctx::new(opts, known);
                    let items = sequence::align(&doc, real, &mut ctx, &mut notes);
                    (false, Found::Lines(items))
                }
            },
            Mode::Unordered => {
                let pairing = sequence::pair_unordered(&doc, real, &mut ctx);
                let extra_allowed = doc.iter().any(|l| l.is_dots());
                (
                    pairing.complete(&doc, extra_allowed),
                    Found::Unordered(pairing),
                )
            }
            Mode::Buildkit => {
                let outcome = buildkit::compare(&self.log, &self.lines, real, &mut ctx, &mut notes);
                (outcome.matched, Found::Buildkit(outcome))
            }
        };
        let captures = self
            .captures
            .iter()
            .filter_map(|name| Some((name.clone(), ctx.captured(name)?.to_string())))
            .collect();
        Evaluation {
            matched,
            found,
            captures,
            notes,
        }
    }

    fn diff(&self, evaluation: &Evaluation, real: &[&str]) -> Vec<DiffLine> {
        let source = |i: usize| self.lines[i].source.as_str();
        let summaries;
        // Which documented line each normalised line is, where known.
        let mut origins: Vec<Option<usize>> = Vec::new();
        let (documented, normalised): (Vec<&str>, Vec<&str>) = match &evaluation.found {
            Found::Lines(items) => {
                let (normalised, from) = items
                    .iter()
                    .map(|item| match item {
                        Item::Same { doc, .. } | Item::Dots { doc, .. } => {
                            (source(*doc), Some(*doc))
                        }
                        Item::Real(j) => (real[*j], None),
                    })
                    .unzip();
                origins = from;
                ((0..self.lines.len()).map(source).collect(), normalised)
            }
            Found::Unordered(pairing) => {
                // Documented order; the unpaired real lines where the first
                // unpaired documented line is, so a changed line pairs up.
                let unpaired = || (0..real.len()).filter(|&j| pairing.real[j].is_none());
                let first_missing = (0..self.lines.len())
                    .find(|&i| !self.lines[i].is_dots() && pairing.doc[i].is_none());
                let mut normalised = Vec::new();
                for (i, line) in self.lines.iter().enumerate() {
                    if Some(i) == first_missing {
                        normalised.extend(unpaired().map(|j| real[j]));
                    }
                    if line.is_dots() || pairing.doc[i].is_some() {
                        normalised.push(source(i));
                    }
                }
                if first_missing.is_none() {
                    normalised.extend(unpaired().map(|j| real[j]));
                }
                ((0..self.lines.len()).map(source).collect(), normalised)
            }
            Found::Buildkit(outcome) => {
                summaries = outcome.summaries(&self.log, &self.lines);
                (
                    summaries.0.iter().map(String::as_str).collect(),
                    summaries.1.iter().map(String::as_str).collect(),
                )
            }
        };
        let mut lines = diff::diff(&documented, &normalised, &origins, &evaluation.notes);
        if lines.is_empty() {
            lines.push(DiffLine {
                tag: DiffTag::Note,
                segments: vec![(
                    false,
                    "every line matches on its own, but not the output as a whole \
                     (a value that should repeat, or a `{{...}}` that cannot be placed)"
                        .to_string(),
                )],
            });
        }
        lines
    }
}

#[cfg(test)]
mod tests;
