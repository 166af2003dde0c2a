//! The lesson files as written: pure serde data, no I/O.
//!
//! Every struct denies unknown keys, so a typo is an error rather than a
//! silently ignored setting. Values that need parsing (durations, size bands,
//! conditions, output patterns) stay strings here and are checked by
//! `validate`, which knows where each value sits in the file.

use serde::Deserialize;

use crate::matcher::Mode;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonDoc {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub intro: String,
    /// Lessons that must run first (for example the one that builds the image).
    #[serde(default)]
    pub needs: Vec<String>,
    /// Where the documented outputs were recorded, shown when they are played
    /// back without an engine.
    #[serde(default)]
    pub recorded: Option<String>,
    /// Images the lesson uses that must be present or pullable (`doctor`).
    #[serde(default)]
    pub images: Vec<String>,
    /// Run alone under `check --jobs N`, whatever its commands say
    /// (`false` leaves the choice to what the commands touch).
    #[serde(default)]
    pub exclusive: bool,
    pub steps: Vec<StepDoc>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDoc {
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// The command exactly as a reader types it.
    pub run: String,
    /// What the reader sees (stdout and stderr, as printed).
    #[serde(default)]
    pub output: String,
    #[serde(default)]
    pub exit: i32,
    /// Capabilities (`registry`) or tools (`regctl`) the step needs.
    #[serde(default)]
    pub requires: Vec<String>,
    /// `90s`, `2m`, `500ms`; the default is two minutes.
    #[serde(default)]
    pub timeout: Option<String>,
    /// Stop a command that runs forever.
    #[serde(default)]
    pub stop: Option<StopDoc>,
    #[serde(default, rename = "match")]
    pub mode: Option<Mode>,
    /// Size tolerance: `50%`, `exact` or `any`.
    #[serde(default)]
    pub sizes: Option<String>,
    /// Run in a pseudo-terminal (implied by `input`).
    #[serde(default)]
    pub tty: bool,
    /// What is typed, and the prompt awaited before typing it.
    #[serde(default)]
    pub input: Vec<InputDoc>,
    /// Other documented outputs, for other Docker versions or builders.
    #[serde(default)]
    pub variants: Vec<VariantDoc>,
    /// Values the docs leave out (`[output, exit]`): not compared, and
    /// filled in by `check --bless`.
    #[serde(default)]
    pub undocumented: Vec<Undocumented>,
}

/// A value of a step that the docs do not show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Undocumented {
    Output,
    Exit,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopDoc {
    #[serde(default)]
    pub lines: Option<usize>,
    #[serde(default)]
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputDoc {
    pub wait: String,
    pub send: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantDoc {
    /// A condition such as `client >= 28` or `builder == legacy`.
    pub when: String,
    /// Says in a few words what differs, for readers and reports.
    #[serde(default)]
    pub note: Option<String>,
    /// Where this output was recorded, when not where the lesson's
    /// `recorded:` says (`check --bless=variant` writes it).
    #[serde(default)]
    pub recorded: Option<String>,
    #[serde(default)]
    pub output: Option<String>,
    #[serde(default)]
    pub exit: Option<i32>,
    #[serde(default, rename = "match")]
    pub mode: Option<Mode>,
}
