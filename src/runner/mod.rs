//! Replaying lessons: choose each step's documented outcome, run it with
//! the lesson's executor, compare, and collect a [`RunOutcome`].
//!
//! The runner knows nothing about terminals or formats: `check`, `run` and
//! `walk` differ only in the [`Observer`] they pass in, and a walk without
//! an engine only in its [`Backend`] ([`Docs`]: playback instead of a shell).
//!
//! Design decisions:
//! - Every reason a step is not run is one [`SkipReason`], worded once.
//! - A lesson runs on its own ([`Runner::run_lesson`]): a lesson, the
//!   engine and the run's [`Shared`] state in, a [`LessonOutcome`] out. What
//!   lessons share (captured values, whether the run has halted) sits behind
//!   locks, and a lesson takes the captures of earlier lessons when it
//!   starts and gives its own back when it ends, so lessons can run on
//!   threads of their own without seeing each other half-way.

mod backend;
mod lesson;
mod schedule;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use crate::engine::Engine;
use crate::lesson::footprint::Footprint;
use crate::lesson::{Choice, Lesson, Step};
use crate::outcome::{LessonOutcome, RunOutcome, SkipReason, Status, StepOutcome, VariantRef};

pub use backend::{Backend, Cleaned, Docs, OnEngine};
pub use schedule::Running;

/// Output kept per step; a flood past this is counted, not stored.
pub const OUTPUT_LIMIT: usize = 16 * 1024 * 1024;

/// What to do with the next step (the walkthrough asks the reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Run,
    Skip,
    /// Show the documented output instead of running.
    Recorded,
    Quit,
}

/// Hooks for showing a run as it happens.
pub trait Observer {
    fn lesson_start(&mut self, _lesson: &Lesson, _needed_only: bool) {}
    fn before_step(
        &mut self,
        _lesson: &Lesson,
        _step: &Step,
        _choice: &Choice,
        _needed_only: bool,
    ) -> Decision {
        Decision::Run
    }
    /// Real output as it arrives.
    fn output(&mut self, _text: &str) {}
    fn step_done(
        &mut self,
        _lesson: &Lesson,
        _step: &Step,
        _outcome: &StepOutcome,
        _needed_only: bool,
    ) {
    }
    fn lesson_done(&mut self, _lesson: &LessonOutcome) {}
    /// Lessons side by side (`--jobs`): what runs now, after every change.
    fn running(&mut self, _now: &Running) {}
}

/// Everything a run needs besides the lessons.
pub struct Runner<'a> {
    /// Its facts choose the variants and its requirements are checked;
    /// `None` (playing the docs) takes every step's own output.
    pub engine: Option<&'a Engine>,
    /// Where the steps run.
    pub backend: Box<dyn Backend + 'a>,
}

/// What the lessons of one run share.
#[derive(Debug, Default)]
pub struct Shared {
    /// Each finished lesson's `needs` and captures, by lesson id.
    captures: Mutex<Vec<Captured>>,
    interrupted: AtomicBool,
    engine_lost: AtomicBool,
    quit: AtomicBool,
    /// Footprints by lesson id when lessons run side by side; the steps
    /// then pass the gates below (see `schedule`).
    side_by_side: Option<HashMap<String, Footprint>>,
    /// Every step holds it to read; a lesson's section holds it to write.
    engine_gate: RwLock<()>,
    /// Quiet builds hold it to read; a build that shows its log, to write.
    build_gate: RwLock<()>,
}

#[derive(Debug)]
struct Captured {
    lesson: String,
    needs: Vec<String>,
    values: Vec<(String, String)>,
}

impl Shared {
    /// Why nothing more runs: an interrupt, a lost engine, or a reader who quit.
    pub fn halted(&self) -> Option<SkipReason> {
        if self.interrupted.load(Ordering::SeqCst) {
            Some(SkipReason::Interrupted)
        } else if self.engine_lost.load(Ordering::SeqCst) {
            Some(SkipReason::EngineLost)
        } else if self.quit.load(Ordering::SeqCst) {
            Some(SkipReason::WalkEnded)
        } else {
            None
        }
    }

    /// Every value captured so far, in the order the lessons ended.
    pub fn captures(&self) -> Vec<(String, String)> {
        let mut all = Vec::new();
        if let Ok(done) = self.captures.lock() {
            for c in done.iter() {
                merge(&mut all, &c.values);
            }
        }
        all
    }

    /// What `lesson` starts with: the captures of the lessons it needs,
    /// directly or not, those needed first merged first. Only `needs` carry
    /// values across lessons, so a lesson sees the same whether the others
    /// ran before it or beside it.
    fn captures_for(&self, lesson: &Lesson) -> Vec<(String, String)> {
        let Ok(done) = self.captures.lock() else {
            return Vec::new();
        };
        let mut order: Vec<&str> = Vec::new();
        fn visit<'d>(id: &'d str, done: &'d [Captured], order: &mut Vec<&'d str>, depth: usize) {
            if order.contains(&id) || depth > done.len() {
                return;
            }
            if let Some(c) = done.iter().find(|c| c.lesson == id) {
                for need in &c.needs {
                    visit(need, done, order, depth + 1);
                }
            }
            order.push(id);
        }
        for need in &lesson.needs {
            visit(need, &done, &mut order, 0);
        }
        let mut values = Vec::new();
        for id in order {
            if let Some(c) = done.iter().find(|c| c.lesson == id) {
                merge(&mut values, &c.values);
            }
        }
        values
    }

    fn add_captures(&self, lesson: &Lesson, values: Vec<(String, String)>) {
        if let Ok(mut done) = self.captures.lock() {
            done.push(Captured {
                lesson: lesson.id.clone(),
                needs: lesson.needs.clone(),
                values,
            });
        }
    }

    /// The footprint of `lesson` when lessons run side by side.
    fn footprint(&self, lesson: &Lesson) -> Option<&Footprint> {
        self.side_by_side.as_ref()?.get(&lesson.id)
    }
}

/// Put `new` into `into`, a later value replacing an earlier one.
fn merge(into: &mut Vec<(String, String)>, new: &[(String, String)]) {
    for (name, value) in new {
        into.retain(|(n, _)| n != name);
        into.push((name.clone(), value.clone()));
    }
}

/// Whether a command may leave an image dangling: a docker command that
/// builds, pulls, tags, loads, imports or commits. Runs without one do not
/// look at images at all (two docker calls fewer, and a dangling image
/// another client makes meanwhile is never theirs to remove). A miss (docker
/// called from a script) only leaves an image behind.
pub(crate) fn may_untag_images(command: &str) -> bool {
    command.contains("docker")
        && command
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| {
                matches!(
                    w,
                    "build" | "buildx" | "pull" | "tag" | "load" | "import" | "commit"
                )
            })
}

/// A fresh id for labelling what this run creates.
pub fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{:x}{:08x}", std::process::id(), nanos)
}

impl<'a> Runner<'a> {
    /// Steps run in lesson shells on `engine`, in `workdir`.
    pub fn on_engine(engine: &'a Engine, workdir: std::path::PathBuf) -> Runner<'a> {
        Runner::on_engine_as(engine, workdir, new_run_id())
    }

    /// The same, labelling what the run makes with `run_id`.
    pub fn on_engine_as(
        engine: &'a Engine,
        workdir: std::path::PathBuf,
        run_id: String,
    ) -> Runner<'a> {
        Runner {
            engine: Some(engine),
            backend: Box::new(OnEngine::new(engine, workdir, run_id)),
        }
    }

    /// No engine: every step plays its documented output.
    pub fn playback() -> Runner<'a> {
        Runner {
            engine: None,
            backend: Box::new(Docs),
        }
    }

    /// Run the planned lessons in order; what the run created (containers,
    /// images it left dangling) is removed at the end, whatever happened.
    pub fn run(&self, plan: &[(&Lesson, bool)], observer: &mut dyn Observer) -> RunOutcome {
        let shared = Shared::default();
        self.begin(plan);
        let mut lessons = Vec::new();
        for (lesson, asked) in plan {
            let needed_only = !asked;
            observer.lesson_start(lesson, needed_only);
            let lo = self.run_lesson(lesson, needed_only, &shared, observer);
            observer.lesson_done(&lo);
            lessons.push(lo);
        }
        self.finish(lessons, &shared)
    }

    /// Before the first lesson: what the backend notes of the engine.
    fn begin(&self, plan: &[(&Lesson, bool)]) {
        let images = plan
            .iter()
            .any(|(lesson, _)| lesson.steps.iter().any(|s| may_untag_images(&s.run)));
        self.backend.begin(images);
    }

    /// After the last lesson: the cleanup, and the run's outcome.
    fn finish(&self, lessons: Vec<LessonOutcome>, shared: &Shared) -> RunOutcome {
        let cleaned = self.backend.cleanup();
        RunOutcome {
            environment: self.engine.cloned(),
            lessons,
            cleaned: cleaned.containers,
            cleaned_images: cleaned.images,
            interrupted: shared.interrupted.load(Ordering::SeqCst),
            engine_lost: shared.engine_lost.load(Ordering::SeqCst),
        }
    }

    /// The documented outcome a step is compared against here.
    fn choose<'s>(&self, step: &'s Step) -> Choice<'s> {
        match self.engine {
            Some(engine) => step.choose(&engine.facts),
            // No engine, so no facts to pick a variant by: the default output.
            None => Choice {
                expected: &step.expected,
                variant: None,
                index: None,
            },
        }
    }
}

/// A step outcome with everything known before running it.
pub(crate) fn blank(index: usize, step: &Step, choice: &Choice) -> StepOutcome {
    StepOutcome {
        index,
        title: step.title.clone(),
        command: step.run.clone(),
        status: Status::NotRun,
        failures: Vec::new(),
        skip_reason: None,
        variant: VariantRef::of(choice),
        duration_ms: 0,
        expected_exit: choice.expected.exit,
        actual_exit: None,
        stopped: false,
        expected: choice.expected.output.source().to_string(),
        actual: None,
        diff: Vec::new(),
        dropped_bytes: 0,
        warnings: Vec::new(),
        recorded: false,
        captures: Vec::new(),
    }
}

/// How long a duration reads in a report.
pub fn seconds(ms: u64) -> String {
    format!("{:.2}s", Duration::from_millis(ms).as_secs_f64())
}
