//! Lessons: one YAML file per section of the tutorial.
//!
//! `model` is the file format as serde data, `load` reads a folder and turns
//! every file into a checked [`Lesson`], or into errors that name the file,
//! line and column, before any command runs. `load` scans the folder and
//! checks across files; `yaml_errors` rewords what does not parse;
//! `validate` checks one parsed file, using the parsers in `values`.

pub mod condition;
mod error;
pub mod footprint;
mod load;
pub mod model;
pub mod positions;
pub mod recorded;
mod validate;
mod values;
mod yaml_errors;

use std::path::PathBuf;
use std::time::Duration;

pub use condition::{Builder, Condition, Facts, Store, Version};
pub use error::{LessonError, LoadErrors};
pub use load::load_dir;
pub use values::parse_duration;

use crate::exec::{Exchange, Stop};
use crate::matcher::{Options, Pattern};

/// The default time a step may take before it is killed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// A checked lesson, ready to run.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub intro: String,
    pub needs: Vec<String>,
    pub recorded: Option<String>,
    pub images: Vec<String>,
    /// Runs alone under `check --jobs N` (see [`footprint`]).
    pub exclusive: bool,
    pub file: PathBuf,
    pub steps: Vec<Step>,
}

/// A checked step.
#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    pub text: String,
    pub run: String,
    pub requires: Vec<String>,
    pub timeout: Duration,
    pub stop: Stop,
    /// `Some` when the command runs in a pseudo-terminal.
    pub tty: Option<Vec<Exchange>>,
    /// The documented output with no condition.
    pub expected: Expected,
    pub variants: Vec<Variant>,
    /// Where the step starts in its file.
    pub line: usize,
}

/// One documented outcome of a step.
#[derive(Debug, Clone)]
pub struct Expected {
    pub output: Pattern,
    pub exit: i32,
    pub options: Options,
    /// 1-based line in the lesson file of the output's first line.
    pub output_line: usize,
    /// Path of the output value in the file (`steps[3].variants[0].output`).
    pub path: String,
    /// What the docs leave out: not compared, written in by `check --bless`.
    pub unknown: Unknown,
}

/// Which values of a step's own outcome the docs do not show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unknown {
    pub output: bool,
    pub exit: bool,
}

impl Unknown {
    pub fn any(self) -> bool {
        self.output || self.exit
    }
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub when: Condition,
    pub note: Option<String>,
    /// Where its output was recorded, when the variant says.
    pub recorded: Option<String>,
    pub expected: Expected,
}

/// Which documented outcome applies in an environment.
#[derive(Debug, Clone, Copy)]
pub struct Choice<'a> {
    pub expected: &'a Expected,
    /// `None` for the step's own output, else the variant.
    pub variant: Option<&'a Variant>,
    /// The variant's place among the step's variants.
    pub index: Option<usize>,
}

impl Step {
    /// The first variant whose condition holds, else the step's own output.
    pub fn choose(&self, facts: &Facts) -> Choice<'_> {
        match self.variants.iter().position(|v| v.when.holds(facts)) {
            Some(i) => Choice {
                expected: &self.variants[i].expected,
                variant: Some(&self.variants[i]),
                index: Some(i),
            },
            None => Choice {
                expected: &self.expected,
                variant: None,
                index: None,
            },
        }
    }
}

/// Every lesson of a folder, in file-name order.
#[derive(Debug, Clone)]
pub struct LessonSet {
    pub dir: PathBuf,
    pub lessons: Vec<Lesson>,
}

impl LessonSet {
    pub fn get(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    /// The lessons to run for `wanted`: each one's needs first (transitively),
    /// every lesson once, in file order within each dependency level.
    /// The flag tells whether a lesson was asked for or only needed.
    pub fn plan<'a>(&'a self, wanted: &[&'a Lesson], with_needs: bool) -> Vec<(&'a Lesson, bool)> {
        let mut out: Vec<(&Lesson, bool)> = Vec::new();
        fn visit<'a>(
            set: &'a LessonSet,
            l: &'a Lesson,
            asked: bool,
            with_needs: bool,
            out: &mut Vec<(&'a Lesson, bool)>,
        ) {
            if let Some(entry) = out.iter_mut().find(|(x, _)| x.id == l.id) {
                entry.1 |= asked;
                return;
            }
            if with_needs {
                for n in &l.needs {
                    if let Some(dep) = set.get(n) {
                        visit(set, dep, false, with_needs, out);
                    }
                }
            }
            out.push((l, asked));
        }
        for l in wanted {
            visit(self, l, true, with_needs, &mut out);
        }
        out
    }
}
