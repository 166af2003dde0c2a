//! Several engines in one run: one [`Runner`] per engine, each on its own
//! thread, each with its own run id, detected facts, variant choices,
//! sessions and cleanup.
//!
//! Engines share nothing but the plan: every docker process of an engine's
//! run gets that engine's environment (see `target`), so a container is made,
//! listed and removed on one engine only. An engine that does not answer is
//! recorded as unreachable and the others go on. Threads, not processes: the
//! lessons and their compiled patterns are read-only and shared, and Ctrl-C
//! reaches every session through the one interrupt flag.

use std::path::PathBuf;

use crate::engine;
use crate::lesson::{Lesson, Step};
use crate::lock;
use crate::outcome::{Cell, EngineOutcome, LessonOutcome, MatrixOutcome, StepOutcome};
use crate::runner::{new_run_id, Observer, Runner};
use crate::target::Target;

/// Prints a line per finished lesson and engine on stderr (a terminal only:
/// the threads finish in no fixed order).
struct Progress<'a> {
    engine: &'a str,
    show: bool,
}

impl Observer for Progress<'_> {
    fn step_done(&mut self, _l: &Lesson, _s: &Step, _o: &StepOutcome, _needed_only: bool) {}

    fn lesson_done(&mut self, lesson: &LessonOutcome) {
        if self.show {
            eprintln!("{}: {} {}", self.engine, lesson.id, Cell::of(lesson).text());
        }
    }
}

/// What every engine's run shares.
pub struct Plan<'a> {
    pub docker: PathBuf,
    pub workdir: PathBuf,
    pub lessons: &'a [(&'a Lesson, bool)],
    /// Show a line per finished lesson on stderr.
    pub progress: bool,
    /// Lessons at once on each engine (`--jobs`).
    pub jobs: usize,
    /// Tells the user about the engine lock (waiting, a stale lock removed).
    pub say: &'a (dyn Fn(&str) + Sync),
}

/// Run the plan on every target at once; the outcomes in the targets' order.
pub fn run(plan: &Plan, targets: &[Target]) -> MatrixOutcome {
    let engines = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .iter()
            .enumerate()
            .map(|(i, target)| scope.spawn(move || run_one(plan, target, i)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("an engine's run does not panic"))
            .collect()
    });
    MatrixOutcome {
        engines,
        planned: plan
            .lessons
            .iter()
            .map(|(lesson, asked)| (lesson.id.clone(), !asked))
            .collect(),
    }
}

fn run_one(plan: &Plan, target: &Target, index: usize) -> EngineOutcome {
    let name = target.label();
    let needs = engine::Needs::of(plan.lessons.iter().map(|(l, _)| *l));
    let engine = match engine::detect(&plan.docker, target, needs) {
        Ok(e) => e,
        Err(u) => {
            return EngineOutcome {
                name,
                unreachable: Some(u.to_string()),
                run: None,
            }
        }
    };
    // Each engine's own lock: a second run on it waits (see `lock`).
    let _lock = match lock::acquire(&plan.docker, target, &mut |msg| (plan.say)(msg)) {
        Ok(l) => l,
        Err(e) => {
            return EngineOutcome {
                name,
                unreachable: Some(e.to_string()),
                run: None,
            }
        }
    };
    // Threads start within the same nanosecond at times: the index keeps
    // the runs' labels apart.
    let runner = Runner::on_engine_as(
        &engine,
        plan.workdir.clone(),
        format!("{}-{index}", new_run_id()),
    );
    let mut progress = Progress {
        engine: &name,
        show: plan.progress,
    };
    let run = runner.run_jobs(plan.lessons, plan.jobs, &mut progress);
    EngineOutcome {
        name,
        unreachable: None,
        run: Some(run),
    }
}

/// Engines named twice would run on one engine at once.
pub fn targets(names: &[String]) -> Result<Vec<Target>, String> {
    let mut targets: Vec<Target> = Vec::new();
    for name in names {
        let target = Target::parse(name)?;
        if targets.contains(&target) {
            return Err(format!("`--engine {name}` is named twice"));
        }
        targets.push(target);
    }
    Ok(targets)
}
