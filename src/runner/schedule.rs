//! `check --jobs N`: lessons side by side on one engine.
//!
//! A lesson may start when every earlier lesson of the plan that it must
//! follow has ended: one it needs, one whose footprint meets its own (one
//! writes an image or container the other reads or writes), and every
//! earlier lesson when either of the two runs alone. That keeps, for every
//! pair that could see each other, the order of a serial run, so each
//! lesson sees the engine as it would serially; `footprint` errs towards
//! "alone" where it cannot tell. Steps then pass the gates in `lesson.rs`
//! (sections, builds that show their log).
//!
//! `N` workers take the first lesson in file order that may start. The
//! observer hears of steps as they happen (one lesson at a time, under a
//! lock), of what is running after every change, and of each lesson's end
//! in file order, so the verdicts read as in a serial run.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::engine::{self, Engine};
use crate::lesson::footprint::{footprint_of, Footprint};
use crate::lesson::{Choice, Lesson, Step};
use crate::outcome::{LessonOutcome, RunOutcome, StepOutcome};

use super::{Decision, Observer, Runner, Shared};

/// What is running, for a live view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Running {
    /// Lesson ids with the number of their steps settled and their steps.
    pub lessons: Vec<(String, usize, usize)>,
    pub done: usize,
    pub total: usize,
}

/// Whether a step will run on `engine`: one skipped for a requirement the
/// engine or the machine lacks runs nothing, so it keeps no lesson waiting.
pub fn will_run(engine: Option<&Engine>) -> impl Fn(&Step) -> bool + Copy + '_ {
    move |step| engine.is_none_or(|e| engine::missing_requirements(&step.requires, e).is_none())
}

/// The plan's order constraints: `after[j]` holds the earlier lessons `j`
/// waits for.
pub fn constraints(plan: &[(&Lesson, bool)], footprints: &[Footprint]) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> = plan
        .iter()
        .enumerate()
        .map(|(i, (l, _))| (l.id.as_str(), i))
        .collect();
    // Lessons each one needs, directly or not, among the planned ones.
    let mut needed: Vec<Vec<bool>> = vec![vec![false; plan.len()]; plan.len()];
    for (j, (lesson, _)) in plan.iter().enumerate() {
        let mut todo: Vec<&str> = lesson.needs.iter().map(String::as_str).collect();
        while let Some(id) = todo.pop() {
            if let Some(&i) = index.get(id) {
                if !needed[j][i] {
                    needed[j][i] = true;
                    todo.extend(plan[i].0.needs.iter().map(String::as_str));
                }
            }
        }
    }
    (0..plan.len())
        .map(|j| {
            (0..j)
                .filter(|&i| {
                    footprints[i].alone.is_some()
                        || footprints[j].alone.is_some()
                        || needed[j][i]
                        || footprints[i].meets(&footprints[j])
                })
                .collect()
        })
        .collect()
}

struct State {
    started: Vec<bool>,
    done: Vec<bool>,
    outcomes: Vec<Option<LessonOutcome>>,
    /// The next lesson whose end the observer hears of.
    reported: usize,
    running: Vec<(usize, usize)>,
}

impl State {
    fn view(&self, plan: &[(&Lesson, bool)]) -> Running {
        Running {
            lessons: self
                .running
                .iter()
                .map(|&(i, settled)| (plan[i].0.id.clone(), settled, plan[i].0.steps.len()))
                .collect(),
            done: self.done.iter().filter(|d| **d).count(),
            total: plan.len(),
        }
    }
}

/// The run's observer and scheduling state, each behind its own lock
/// (taken in that order when both are needed).
struct Board<'p, 'o> {
    plan: &'p [(&'p Lesson, bool)],
    observer: Mutex<&'o mut (dyn Observer + Send)>,
    state: Mutex<State>,
    changed: Condvar,
}

impl<'o> Board<'_, 'o> {
    fn observer(&self) -> MutexGuard<'_, &'o mut (dyn Observer + Send)> {
        self.observer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One lesson's view of the shared observer.
struct Relay<'b, 'p, 'o> {
    board: &'b Board<'p, 'o>,
    index: usize,
}

impl Relay<'_, '_, '_> {
    /// Tell the observer what runs now (observer lock held by the caller).
    fn moved(&self, obs: &mut (dyn Observer + Send), settled: Option<usize>) {
        let view = {
            let mut st = self.board.state();
            if let Some(n) = settled {
                if let Some(r) = st.running.iter_mut().find(|r| r.0 == self.index) {
                    r.1 = n;
                }
            }
            st.view(self.board.plan)
        };
        obs.running(&view);
    }
}

impl Observer for Relay<'_, '_, '_> {
    fn lesson_start(&mut self, lesson: &Lesson, needed_only: bool) {
        let mut obs = self.board.observer();
        obs.lesson_start(lesson, needed_only);
        self.moved(&mut **obs, None);
    }

    fn before_step(&mut self, l: &Lesson, s: &Step, c: &Choice, needed_only: bool) -> Decision {
        self.board.observer().before_step(l, s, c, needed_only)
    }

    fn output(&mut self, text: &str) {
        self.board.observer().output(text);
    }

    fn step_done(&mut self, l: &Lesson, s: &Step, o: &StepOutcome, needed_only: bool) {
        let mut obs = self.board.observer();
        obs.step_done(l, s, o, needed_only);
        self.moved(&mut **obs, Some(o.index + 1));
    }
}

impl Runner<'_> {
    /// Run the plan with up to `jobs` lessons at once (see the module
    /// note); `jobs` of 1 is [`Runner::run`].
    pub fn run_jobs(
        &self,
        plan: &[(&Lesson, bool)],
        jobs: usize,
        observer: &mut (dyn Observer + Send),
    ) -> RunOutcome {
        if jobs <= 1 || plan.len() <= 1 {
            return self.run(plan, observer);
        }
        let workdir = self.backend.workdir().unwrap_or(Path::new("."));
        let footprints: Vec<Footprint> = plan
            .iter()
            .map(|(l, _)| footprint_of(l, workdir, will_run(self.engine)))
            .collect();
        let after = constraints(plan, &footprints);
        let shared = Shared {
            side_by_side: Some(
                plan.iter()
                    .zip(&footprints)
                    .map(|((l, _), fp)| (l.id.clone(), fp.clone()))
                    .collect(),
            ),
            ..Shared::default()
        };
        self.begin(plan);
        let n = plan.len();
        let board = Board {
            plan,
            observer: Mutex::new(observer),
            state: Mutex::new(State {
                started: vec![false; n],
                done: vec![false; n],
                outcomes: (0..n).map(|_| None).collect(),
                reported: 0,
                running: Vec::new(),
            }),
            changed: Condvar::new(),
        };
        std::thread::scope(|scope| {
            for _ in 0..jobs.min(n) {
                scope.spawn(|| self.worker(&board, &after, &shared));
            }
        });
        let state = board.state.into_inner().unwrap_or_else(|e| e.into_inner());
        self.finish(state.outcomes.into_iter().flatten().collect(), &shared)
    }

    /// Take the first lesson that may start, run it, repeat.
    fn worker(&self, board: &Board, after: &[Vec<usize>], shared: &Shared) {
        loop {
            let next = {
                let mut st = board.state();
                loop {
                    let ready = (0..board.plan.len())
                        .find(|&j| !st.started[j] && after[j].iter().all(|&i| st.done[i]));
                    if let Some(j) = ready {
                        st.started[j] = true;
                        st.running.push((j, 0));
                        break Some(j);
                    }
                    if st.started.iter().all(|s| *s) {
                        break None;
                    }
                    st = board.changed.wait(st).unwrap_or_else(|e| e.into_inner());
                }
            };
            let Some(j) = next else { return };
            let (lesson, asked) = board.plan[j];
            let mut relay = Relay { board, index: j };
            relay.lesson_start(lesson, !asked);
            let outcome = self.run_lesson(lesson, !asked, shared, &mut relay);
            // Ends are told in file order: this one, and any later ones
            // that ended before it.
            let mut obs = board.observer();
            let mut st = board.state();
            st.outcomes[j] = Some(outcome);
            st.done[j] = true;
            st.running.retain(|r| r.0 != j);
            while st.reported < board.plan.len() {
                let Some(ended) = st.outcomes[st.reported].as_ref() else {
                    break;
                };
                obs.lesson_done(ended);
                st.reported += 1;
            }
            let view = st.view(board.plan);
            drop(st);
            obs.running(&view);
            drop(obs);
            board.changed.notify_all();
        }
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
