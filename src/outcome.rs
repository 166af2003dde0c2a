//! What a run found: one struct that every reporter (human, JSON, JUnit) and
//! `--bless` read, so they can never disagree.

use std::path::PathBuf;

use serde::{Serialize, Serializer};

use crate::engine::Engine;
use crate::lesson::Choice;
use crate::matcher::DiffLine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
    /// Never started: an earlier fault (engine gone, interrupt) ended the lesson.
    NotRun,
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// The output differs from the docs.
    Output,
    /// The exit code differs (the output may too).
    ExitCode {
        expected: i32,
        actual: i32,
    },
    TimedOut {
        seconds: f64,
    },
    /// The engine stopped answering during the step.
    EngineLost {
        message: String,
    },
    Interrupted,
    /// The session broke (the shell could not run the step).
    Session {
        message: String,
    },
}

impl Failure {
    pub fn describe(&self) -> String {
        match self {
            Failure::Output => "output differs from the docs".into(),
            Failure::ExitCode { expected, actual } => {
                format!("exit code {actual}, documented {expected}")
            }
            Failure::TimedOut { seconds } => format!("timed out after {seconds}s"),
            Failure::EngineLost { message } => {
                format!("the Docker engine stopped answering: {message}")
            }
            Failure::Interrupted => "interrupted".into(),
            Failure::Session { message } => format!("could not run: {message}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    pub index: usize,
    pub title: String,
    pub command: String,
    pub status: Status,
    /// For failed steps, every reason (output and exit code can both differ).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
    /// For skipped and not-run steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// The variant compared against; `None` for the step's own output.
    /// Reports name it by its condition, or `default`.
    #[serde(serialize_with = "variant_label")]
    pub variant: Option<VariantRef>,
    pub duration_ms: u64,
    pub expected_exit: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_exit: Option<i32>,
    /// The step was stopped on purpose after its lines or seconds.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
    pub expected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<DiffLine>,
    /// Output bytes past the per-step limit, counted but not kept.
    #[serde(skip_serializing_if = "is_zero")]
    pub dropped_bytes: usize,
    /// What went wrong around the step without failing it (a container that
    /// could not be removed, a shell that had to be restarted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Played from the docs, not run (no engine).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recorded: bool,
    /// The values this step's output captured (when it matched), which later
    /// steps' markers compare with.
    #[serde(skip)]
    pub captures: Vec<(String, String)>,
}

/// Which of a step's variants a documented output is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRef {
    /// Its place among the step's variants.
    pub index: usize,
    /// Its `when:` condition as written.
    pub when: String,
}

impl VariantRef {
    /// The variant a choice made, if it chose one.
    pub fn of(choice: &Choice) -> Option<VariantRef> {
        Some(VariantRef {
            index: choice.index?,
            when: choice.variant?.when.text().to_string(),
        })
    }
}

impl StepOutcome {
    /// How reports name the documented output compared against.
    pub fn variant_label(&self) -> &str {
        self.variant.as_ref().map_or("default", |v| v.when.as_str())
    }
}

fn variant_label<S: Serializer>(v: &Option<VariantRef>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.as_ref().map_or("default", |v| v.when.as_str()))
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonOutcome {
    pub id: String,
    pub title: String,
    pub file: PathBuf,
    /// Run only because another lesson needs it.
    pub needed_only: bool,
    pub steps: Vec<StepOutcome>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_run: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    pub environment: Option<Engine>,
    pub lessons: Vec<LessonOutcome>,
    /// Containers the run created and removed at the end.
    pub cleaned: Vec<String>,
    pub interrupted: bool,
    pub engine_lost: bool,
}

impl RunOutcome {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in self.lessons.iter().flat_map(|l| &l.steps) {
            match s.status {
                Status::Passed => c.passed += 1,
                Status::Failed => c.failed += 1,
                Status::Skipped => c.skipped += 1,
                Status::NotRun => c.not_run += 1,
            }
        }
        c
    }

    /// `N passed, N failed, N skipped`: steps never started count as skipped.
    pub fn summary_line(&self) -> String {
        let c = self.counts();
        format!(
            "{} passed, {} failed, {} skipped",
            c.passed,
            c.failed,
            c.skipped + c.not_run
        )
    }

    pub fn exit(&self) -> crate::error::Exit {
        use crate::error::Exit;
        if self.interrupted {
            Exit::Interrupted
        } else if self.engine_lost {
            Exit::Engine
        } else if self.counts().failed > 0 {
            Exit::Drift
        } else {
            Exit::Ok
        }
    }
}
