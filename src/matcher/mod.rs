//! Comparing the documented output of a step with the real one.
//!
//! The documented text is compiled once into a [`Pattern`] when a lesson is
//! loaded, so a bad marker is a lesson-file error before anything runs.
//! Comparison is line based: literal text by default, with volatile values
//! (IDs, digests, durations, sizes, relative and clock times) recognised in the
//! documented text and matched by kind, and explicit `{{…}}` markers for the
//! rest. The diff is computed on the real output normalised toward the
//! documented text, so volatile values that matched never show as drift.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

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

/// Options of one comparison, from the step.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Options {
    pub mode: Mode,
    pub sizes: SizeBand,
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
}

/// The result of comparing real output with a [`Pattern`].
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub matched: bool,
    /// Values stored by named captures, in the order they appear.
    pub captures: Vec<(String, String)>,
    /// Empty when `matched`.
    pub diff: Vec<DiffLine>,
}

/// Documented output, compiled.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
}

impl Pattern {
    /// Compile documented text, checking every marker.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        Ok(Pattern {
            source: text.to_string(),
        })
    }

    /// The documented text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Names of the values this pattern captures.
    pub fn capture_names(&self) -> Vec<String> {
        todo!()
    }

    /// Names of earlier captures this pattern refers to (size comparisons).
    pub fn referenced_names(&self) -> Vec<String> {
        todo!()
    }

    /// Compare real output; `known` holds values captured by earlier steps.
    pub fn compare(
        &self,
        actual: &str,
        opts: &Options,
        known: &HashMap<String, String>,
    ) -> Comparison {
        let _ = (actual, opts, known);
        todo!()
    }

    /// The documented text to write when the real output is accepted: real
    /// lines, except that documented lines (markers included) that still
    /// match are kept as written.
    pub fn bless(&self, actual: &str, opts: &Options, known: &HashMap<String, String>) -> String {
        let _ = (actual, opts, known);
        todo!()
    }
}
