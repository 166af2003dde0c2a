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
    pub skip_reason: Option<SkipReason>,
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

/// Why a step was not run: every reason, each with one wording that all
/// reports share (JSON carries the same text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Requirements not met here, each said (`needs `registry`: …`).
    Requires(String),
    /// The reader skipped it.
    Reader,
    /// The documented output was shown instead: the reader asked, or no
    /// engine answered.
    Shown,
    /// The run was interrupted before it.
    Interrupted,
    /// The engine stopped answering before it.
    EngineLost,
    /// The reader ended the walkthrough before it.
    WalkEnded,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SkipReason::Requires(missing) => missing,
            SkipReason::Reader => "skipped by the reader",
            SkipReason::Shown => "shown from the docs, not run",
            SkipReason::Interrupted => "not run: the run was interrupted",
            SkipReason::EngineLost => "not run: the Docker engine stopped answering",
            SkipReason::WalkEnded => "not run: the walkthrough ended",
        })
    }
}

impl Serialize for SkipReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
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

impl Counts {
    /// `N passed, N failed, N skipped`: steps never started count as skipped.
    pub fn summary_line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed,
            self.failed,
            self.skipped + self.not_run
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    pub environment: Option<Engine>,
    pub lessons: Vec<LessonOutcome>,
    /// Containers the run created and removed at the end.
    pub cleaned: Vec<String>,
    /// Images the run left dangling and removed at the end.
    pub cleaned_images: Vec<String>,
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
        self.counts().summary_line()
    }

    /// A step failed for a reason of the docs, not because the engine went away.
    pub fn drifted(&self) -> bool {
        self.lessons.iter().flat_map(|l| &l.steps).any(|s| {
            s.status == Status::Failed
                && !s
                    .failures
                    .iter()
                    .any(|f| matches!(f, Failure::EngineLost { .. }))
        })
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

/// One engine of a run over several (`check --engine A --engine B`).
#[derive(Debug, Clone, Serialize)]
pub struct EngineOutcome {
    /// As named on the command line (a context or a URL).
    pub name: String,
    /// Why no lesson ran here: the engine did not answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
    /// The run, when the engine answered.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunOutcome>,
}

/// A run over several engines: each engine's own run, in the order named.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixOutcome {
    pub engines: Vec<EngineOutcome>,
    /// The planned lessons in file order, and whether each runs only as a
    /// need: the matrix's rows, even when no engine answered.
    #[serde(skip)]
    pub planned: Vec<(String, bool)>,
}

/// A lesson's verdict on one engine, as a matrix cell says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Ok,
    /// This many steps failed.
    Fail(usize),
    /// No step passed or failed (all skipped or not run).
    Skip,
    /// The lesson was not in this engine's run (the engine did not answer).
    Absent,
}

impl Cell {
    pub fn of(lesson: &LessonOutcome) -> Cell {
        let failed = lesson
            .steps
            .iter()
            .filter(|s| s.status == Status::Failed)
            .count();
        if failed > 0 {
            Cell::Fail(failed)
        } else if lesson.steps.iter().any(|s| s.status == Status::Passed) {
            Cell::Ok
        } else {
            Cell::Skip
        }
    }

    pub fn text(self) -> String {
        match self {
            Cell::Ok => "ok".into(),
            Cell::Fail(n) => format!("FAIL {n}"),
            Cell::Skip => "skip".into(),
            Cell::Absent => "-".into(),
        }
    }
}

impl EngineOutcome {
    pub fn counts(&self) -> Counts {
        self.run
            .as_ref()
            .map(RunOutcome::counts)
            .unwrap_or_default()
    }
}

impl MatrixOutcome {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for e in &self.engines {
            let ec = e.counts();
            c.passed += ec.passed;
            c.failed += ec.failed;
            c.skipped += ec.skipped;
            c.not_run += ec.not_run;
        }
        c
    }

    /// `N passed, N failed, N skipped` over every engine.
    pub fn summary_line(&self) -> String {
        self.counts().summary_line()
    }

    /// The rows: the planned lessons, in file order, and whether each ran
    /// only as a need.
    pub fn rows(&self) -> Vec<(&str, bool)> {
        self.planned
            .iter()
            .map(|(id, needed_only)| (id.as_str(), *needed_only))
            .collect()
    }

    /// The cell of `lesson` on `engine`.
    pub fn cell(&self, engine: &EngineOutcome, lesson: &str) -> Cell {
        engine
            .run
            .as_ref()
            .and_then(|r| r.lessons.iter().find(|l| l.id == lesson))
            .map_or(Cell::Absent, Cell::of)
    }

    /// 130 when interrupted, 1 when any engine drifted, 3 when an engine did
    /// not answer (or stopped answering) and none drifted, else 0.
    pub fn exit(&self) -> crate::error::Exit {
        use crate::error::Exit;
        let runs = || self.engines.iter().filter_map(|e| e.run.as_ref());
        if runs().any(|r| r.interrupted) {
            Exit::Interrupted
        } else if runs().any(RunOutcome::drifted) {
            Exit::Drift
        } else if self
            .engines
            .iter()
            .any(|e| e.unreachable.is_some() || e.run.as_ref().is_some_and(|r| r.engine_lost))
        {
            Exit::Engine
        } else {
            Exit::Ok
        }
    }
}
