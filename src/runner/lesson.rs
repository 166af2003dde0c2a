//! One lesson, on its own: open its executor, settle each step (run it,
//! skip it, play it or leave it not run) and compare what ran.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use crate::engine;
use crate::exec::{End, Executor, Playback, Recorded, StepResult, StepRun};
use crate::lesson::{Choice, Lesson, Step};
use crate::matcher::Options;
use crate::outcome::{Failure, LessonOutcome, SkipReason, Status, StepOutcome};
use crate::target::Transport;

use super::{blank, merge, Decision, Observer, Runner, Shared};

/// Texts with which a docker client says the engine is gone.
fn looks_like_engine_gone(output: &str) -> bool {
    output.contains("Cannot connect to the Docker daemon")
        || output.contains("Is the docker daemon running")
        || output.contains("error during connect")
}

/// The state of one lesson while it runs.
struct LessonRun<'r, 'o> {
    runner: &'r Runner<'r>,
    lesson: &'r Lesson,
    needed_only: bool,
    shared: &'r Shared,
    observer: &'o mut dyn Observer,
    /// Earlier lessons' captures and this lesson's own so far.
    captures: Vec<(String, String)>,
    /// What this lesson captured, given back to `shared` at its end.
    captured: Vec<(String, String)>,
    /// For a reader who asks for the documented output instead.
    playback: Playback,
    /// Held from the first step of a section to its last (see `footprint`).
    section: Option<RwLockWriteGuard<'r, ()>>,
}

/// What a step holds while it runs beside other lessons' steps; the
/// guards let go when it is dropped.
#[derive(Default)]
struct Held<'g> {
    /// Outside a section: the engine, shared with other lessons' steps.
    _engine: Option<RwLockReadGuard<'g, ()>>,
    /// A quiet build.
    _build: Option<RwLockReadGuard<'g, ()>>,
    /// A build that shows its log.
    _build_alone: Option<RwLockWriteGuard<'g, ()>>,
}

impl Runner<'_> {
    /// Run one lesson: a lesson, the engine (in `self`) and the run's
    /// shared state in, its outcome out. The lesson's executor is closed
    /// when it ends; cleanup is the run's, in [`Runner::run`].
    pub fn run_lesson(
        &self,
        lesson: &Lesson,
        needed_only: bool,
        shared: &Shared,
        observer: &mut dyn Observer,
    ) -> LessonOutcome {
        let mut lo = LessonOutcome {
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            file: lesson.file.clone(),
            needed_only,
            steps: Vec::new(),
        };
        if let Some(reason) = shared.halted() {
            for (i, step) in lesson.steps.iter().enumerate() {
                let mut so = blank(i, step, &self.choose(step));
                so.skip_reason = Some(reason.clone());
                lo.steps.push(so);
            }
            return lo;
        }
        let mut run = LessonRun {
            runner: self,
            lesson,
            needed_only,
            shared,
            observer,
            captures: shared.captures_for(lesson),
            section: None,
            captured: Vec::new(),
            playback: Playback::default(),
        };
        match self.backend.open(&lesson.id) {
            Ok(mut executor) => {
                for (i, step) in lesson.steps.iter().enumerate() {
                    let so = run.step(executor.as_mut(), i, step);
                    lo.steps.push(so);
                }
                if executor.created_containers() {
                    self.backend.note_created();
                }
            }
            Err(e) => {
                let message = format!("{e:#}");
                for (i, step) in lesson.steps.iter().enumerate() {
                    let mut so = blank(i, step, &self.choose(step));
                    so.status = Status::Failed;
                    so.failures.push(Failure::Session {
                        message: message.clone(),
                    });
                    run.observer.step_done(lesson, step, &so, needed_only);
                    lo.steps.push(so);
                }
            }
        }
        let captured = std::mem::take(&mut run.captured);
        drop(run);
        shared.add_captures(lesson, captured);
        lo
    }
}

impl<'r> LessonRun<'r, '_> {
    /// Settle one step; the observer hears of every step it was asked about.
    fn step(&mut self, executor: &mut dyn Executor, index: usize, step: &Step) -> StepOutcome {
        let choice = self.runner.choose(step);
        let mut so = blank(index, step, &choice);
        if let Some(reason) = self.shared.halted() {
            so.skip_reason = Some(reason);
            return so;
        }
        if let Some(engine) = self.runner.engine {
            if let Some(missing) = engine::missing_requirements(&step.requires, engine) {
                so.status = Status::Skipped;
                so.skip_reason = Some(SkipReason::Requires(missing));
                self.done(step, &so);
                return so;
            }
        }
        let decision = self
            .observer
            .before_step(self.lesson, step, &choice, self.needed_only);
        match decision {
            Decision::Run => {
                let _gates = self.gates(index);
                self.execute(executor, step, &choice, &mut so);
                self.leave_section(index);
            }
            Decision::Recorded => {
                let mut playback = std::mem::take(&mut self.playback);
                self.execute(&mut playback, step, &choice, &mut so);
                self.playback = playback;
            }
            Decision::Skip => {
                so.status = Status::Skipped;
                so.skip_reason = Some(SkipReason::Reader);
            }
            Decision::Quit => {
                self.shared.quit.store(true, Ordering::SeqCst);
                so.skip_reason = self.shared.halted();
                return so;
            }
        }
        self.done(step, &so);
        so
    }

    /// Beside other lessons, wait until step `index` may run: inside a
    /// section the engine is this lesson's alone (the guard stays until the
    /// section's last step); outside one the step shares it. A build that
    /// shows its log keeps every other build out. Always the engine gate
    /// first, then the build gate, so two lessons never wait on each other.
    fn gates(&mut self, index: usize) -> Held<'r> {
        let shared: &'r Shared = self.shared;
        let mut held = Held::default();
        let Some(fp) = shared.footprint(self.lesson) else {
            return held;
        };
        if fp.section_of(index).is_some() {
            if self.section.is_none() {
                self.section = Some(unpoison(shared.engine_gate.write()));
            }
        } else {
            held._engine = Some(unpoison(shared.engine_gate.read()));
        }
        match fp.build_at(index) {
            Some(true) => held._build_alone = Some(unpoison(shared.build_gate.write())),
            Some(false) => held._build = Some(unpoison(shared.build_gate.read())),
            None => {}
        }
        held
    }

    /// After step `index`: a section that ends here lets the others in.
    fn leave_section(&mut self, index: usize) {
        let ends = self
            .shared
            .footprint(self.lesson)
            .and_then(|fp| fp.section_of(index))
            .is_some_and(|s| s.last == index);
        if ends {
            self.section = None;
        }
    }

    fn done(&mut self, step: &Step, so: &StepOutcome) {
        self.observer
            .step_done(self.lesson, step, so, self.needed_only);
    }

    /// Run the step on `executor` and judge what it did.
    fn execute(
        &mut self,
        executor: &mut dyn Executor,
        step: &Step,
        choice: &Choice,
        so: &mut StepOutcome,
    ) {
        let started = Instant::now();
        let request = StepRun {
            index: so.index,
            command: &step.run,
            timeout: step.timeout,
            stop: step.stop,
            tty: step.tty.as_deref(),
            captures: &self.captures,
            recorded: Recorded {
                output: choice.expected.output.source(),
                exit: choice.expected.exit,
            },
        };
        let observer = &mut *self.observer;
        let result = executor.run(&request, &mut |text| observer.output(text));
        match result {
            Ok(result) => self.judge(result, step, choice, so, started),
            Err(e) => {
                so.duration_ms = millis(started);
                so.status = Status::Failed;
                so.failures.push(Failure::Session {
                    message: format!("{e:#}"),
                });
            }
        }
    }

    fn judge(
        &mut self,
        result: StepResult,
        step: &Step,
        choice: &Choice,
        so: &mut StepOutcome,
        started: Instant,
    ) {
        if result.end == End::Played {
            so.status = Status::Skipped;
            so.recorded = true;
            so.skip_reason = Some(SkipReason::Shown);
            return;
        }
        so.duration_ms = millis(started);
        so.dropped_bytes = result.dropped;
        so.warnings = result.warnings;
        so.actual = Some(result.output.clone());
        let expected = choice.expected;
        match result.end {
            End::Interrupted => {
                so.status = Status::Failed;
                so.failures.push(Failure::Interrupted);
                self.shared.interrupted.store(true, Ordering::SeqCst);
                return;
            }
            End::TimedOut => {
                so.failures.push(Failure::TimedOut {
                    seconds: step.timeout.as_secs_f64(),
                });
            }
            End::Stopped => so.stopped = true,
            End::Exited(code) => {
                so.actual_exit = Some(code);
                // An exit the docs leave out is not compared.
                if code != expected.exit && !expected.unknown.exit {
                    so.failures.push(Failure::ExitCode {
                        expected: expected.exit,
                        actual: code,
                    });
                }
            }
            End::Played => unreachable!("handled above"),
        }
        let known: HashMap<String, String> = self.captures.iter().cloned().collect();
        let options = Options {
            over_ssh: self
                .runner
                .engine
                .is_some_and(|e| e.transport == Transport::Ssh),
            ..expected.options
        };
        let cmp = expected.output.compare(&result.output, &options, &known);
        if cmp.matched {
            so.captures.clone_from(&cmp.captures);
            merge(&mut self.captures, &cmp.captures);
            merge(&mut self.captured, &cmp.captures);
        } else if !expected.unknown.output {
            so.diff = cmp.diff;
            so.failures.insert(0, Failure::Output);
        }
        if !so.failures.is_empty() && looks_like_engine_gone(&result.output) {
            if let Err(message) = self.runner.backend.engine_answers() {
                so.failures = vec![Failure::EngineLost { message }];
                self.shared.engine_lost.store(true, Ordering::SeqCst);
            }
        }
        so.status = if so.failures.is_empty() {
            Status::Passed
        } else {
            Status::Failed
        };
    }
}

/// A gate whose holder panicked still guards the engine.
fn unpoison<G>(r: Result<G, std::sync::PoisonError<G>>) -> G {
    r.unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
