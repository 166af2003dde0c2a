//! Replaying lessons: choose each step's documented outcome, run the command
//! in the lesson's shell session, compare, and collect a [`RunOutcome`].
//!
//! The runner knows nothing about terminals or formats: `check`, `run` and
//! `walk` differ only in the [`Observer`] they pass in.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::engine::{self, Engine};
use crate::exec::{self, End, Session, SessionConfig, StepRun};
use crate::lesson::{Choice, Lesson, Step};
use crate::outcome::{Failure, LessonOutcome, RunOutcome, Status, StepOutcome};

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
}

/// Everything a run needs besides the lessons.
pub struct Runner<'a> {
    pub engine: &'a Engine,
    pub workdir: PathBuf,
    pub run_id: String,
}

/// A fresh id for labelling what this run creates.
pub fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{:x}{:08x}", std::process::id(), nanos)
}

/// Texts with which a docker client says the engine is gone.
fn looks_like_engine_gone(output: &str) -> bool {
    output.contains("Cannot connect to the Docker daemon")
        || output.contains("Is the docker daemon running")
        || output.contains("error during connect")
}

impl Runner<'_> {
    /// Run the planned lessons in order; containers the run created are
    /// removed at the end, whatever happened.
    pub fn run(&self, plan: &[(&Lesson, bool)], observer: &mut dyn Observer) -> RunOutcome {
        let mut outcome = RunOutcome {
            environment: Some(self.engine.clone()),
            lessons: Vec::new(),
            cleaned: Vec::new(),
            interrupted: false,
            engine_lost: false,
        };
        let mut captures: Vec<(String, String)> = Vec::new();
        let mut quit = false;
        for (lesson, asked) in plan {
            let needed_only = !asked;
            observer.lesson_start(lesson, needed_only);
            let lo = match halted(&outcome, quit) {
                Some(reason) => not_run_lesson(lesson, needed_only, self.engine, reason),
                None => self.run_lesson(
                    lesson,
                    needed_only,
                    &mut captures,
                    observer,
                    &mut outcome,
                    &mut quit,
                ),
            };
            observer.lesson_done(&lo);
            outcome.lessons.push(lo);
        }
        outcome.cleaned = exec::cleanup(&self.engine.docker, &self.run_id).unwrap_or_default();
        outcome
    }

    fn run_lesson(
        &self,
        lesson: &Lesson,
        needed_only: bool,
        captures: &mut Vec<(String, String)>,
        observer: &mut dyn Observer,
        run: &mut RunOutcome,
        quit: &mut bool,
    ) -> LessonOutcome {
        let mut lo = LessonOutcome {
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            file: lesson.file.clone(),
            needed_only,
            steps: Vec::new(),
        };
        let config = SessionConfig {
            workdir: self.workdir.clone(),
            docker: self.engine.docker.clone(),
            run_id: self.run_id.clone(),
            env: Vec::new(),
            output_limit: OUTPUT_LIMIT,
        };
        let mut session = match Session::start(&config) {
            Ok(s) => Some(s),
            Err(e) => {
                let message = format!("{e:#}");
                for (i, step) in lesson.steps.iter().enumerate() {
                    let choice = step.choose(&self.engine.facts);
                    let mut so = blank(i, step, &choice);
                    so.status = Status::Failed;
                    so.failures.push(Failure::Session {
                        message: message.clone(),
                    });
                    observer.step_done(lesson, step, &so, needed_only);
                    lo.steps.push(so);
                }
                return lo;
            }
        };
        for (i, step) in lesson.steps.iter().enumerate() {
            let choice = step.choose(&self.engine.facts);
            let mut so = blank(i, step, &choice);
            if let Some(reason) = halted(run, *quit) {
                so.status = Status::NotRun;
                so.skip_reason = Some(reason.into());
                lo.steps.push(so);
                continue;
            }
            if let Some(reason) = engine::missing_requirements(&step.requires, self.engine) {
                so.status = Status::Skipped;
                so.skip_reason = Some(reason);
                observer.step_done(lesson, step, &so, needed_only);
                lo.steps.push(so);
                continue;
            }
            match observer.before_step(lesson, step, &choice, needed_only) {
                Decision::Run => {}
                Decision::Skip => {
                    so.status = Status::Skipped;
                    so.skip_reason = Some("skipped by the reader".into());
                    observer.step_done(lesson, step, &so, needed_only);
                    lo.steps.push(so);
                    continue;
                }
                Decision::Recorded => {
                    so.status = Status::Skipped;
                    so.recorded = true;
                    so.skip_reason = Some("shown from the docs, not run".into());
                    observer.step_done(lesson, step, &so, needed_only);
                    lo.steps.push(so);
                    continue;
                }
                Decision::Quit => {
                    *quit = true;
                    so.status = Status::NotRun;
                    so.skip_reason = halted(run, true).map(Into::into);
                    lo.steps.push(so);
                    continue;
                }
            }
            let s = session
                .as_mut()
                .expect("the session is open while steps run");
            self.run_step(s, i, step, &choice, captures, &mut so, observer);
            if so
                .failures
                .iter()
                .any(|f| matches!(f, Failure::Interrupted))
            {
                run.interrupted = true;
            }
            if so
                .failures
                .iter()
                .any(|f| matches!(f, Failure::EngineLost { .. }))
            {
                run.engine_lost = true;
            }
            observer.step_done(lesson, step, &so, needed_only);
            lo.steps.push(so);
        }
        if let Some(s) = session {
            s.close();
        }
        lo
    }

    #[allow(clippy::too_many_arguments)]
    fn run_step(
        &self,
        session: &mut Session,
        index: usize,
        step: &Step,
        choice: &Choice,
        captures: &mut Vec<(String, String)>,
        so: &mut StepOutcome,
        observer: &mut dyn Observer,
    ) {
        let started = Instant::now();
        let request = StepRun {
            index,
            command: &step.run,
            timeout: step.timeout,
            stop: step.stop,
            tty: step.tty.as_deref(),
            captures,
        };
        let result = session.run(&request, &mut |text| observer.output(text));
        so.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                so.status = Status::Failed;
                so.failures.push(Failure::Session {
                    message: format!("{e:#}"),
                });
                return;
            }
        };
        so.dropped_bytes = result.dropped;
        so.warnings = result.warnings.clone();
        so.actual = Some(result.output.clone());
        let expected = choice.expected;
        match result.end {
            End::Interrupted => {
                so.status = Status::Failed;
                so.failures.push(Failure::Interrupted);
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
        }
        let known: HashMap<String, String> = captures.iter().cloned().collect();
        let cmp = expected
            .output
            .compare(&result.output, &expected.options, &known);
        if cmp.matched {
            for (name, value) in cmp.captures {
                captures.retain(|(n, _)| *n != name);
                captures.push((name, value));
            }
        } else if !expected.unknown.output {
            so.diff = cmp.diff;
            so.failures.insert(0, Failure::Output);
        }
        if !so.failures.is_empty() && looks_like_engine_gone(&result.output) {
            if let Err(gone) = engine::detect(&self.engine.docker) {
                so.failures = vec![Failure::EngineLost {
                    message: gone.detail.clone(),
                }];
            }
        }
        so.status = if so.failures.is_empty() {
            Status::Passed
        } else {
            Status::Failed
        };
    }
}

/// Why nothing more runs: an interrupt, a lost engine, or a reader who quit.
fn halted(run: &RunOutcome, quit: bool) -> Option<&'static str> {
    if run.interrupted {
        Some("not run: the run was interrupted")
    } else if run.engine_lost {
        Some("not run: the Docker engine stopped answering")
    } else if quit {
        Some("not run: the walkthrough ended")
    } else {
        None
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
        variant: choice.label(),
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
    }
}

fn not_run_lesson(
    lesson: &Lesson,
    needed_only: bool,
    engine: &Engine,
    reason: &str,
) -> LessonOutcome {
    LessonOutcome {
        id: lesson.id.clone(),
        title: lesson.title.clone(),
        file: lesson.file.clone(),
        needed_only,
        steps: lesson
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut so = blank(i, s, &s.choose(&engine.facts));
                so.skip_reason = Some(reason.to_string());
                so
            })
            .collect(),
    }
}

/// How long a duration reads in a report.
pub fn seconds(ms: u64) -> String {
    format!("{:.2}s", Duration::from_millis(ms).as_secs_f64())
}
