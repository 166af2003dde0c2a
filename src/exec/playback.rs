//! Recorded playback as an executor: nothing runs, each step "prints" the
//! output its lesson documents.
//!
//! It is what a walk without an engine uses, and what a reader gets when
//! asking for the documented output instead of running a step. It keeps the
//! executor contract (the live view sees exactly the kept output, an
//! interrupt ends the step before anything is shown) and ends every step as
//! [`End::Played`], so nothing played can ever count as passed.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use super::workspace::interrupt_requested;
use super::{End, Executor, StepResult, StepRun};

/// Plays the documented output of each step.
#[derive(Default)]
pub struct Playback {
    interrupt: Arc<AtomicBool>,
}

impl Executor for Playback {
    fn run(&mut self, step: &StepRun, live: &mut dyn FnMut(&str)) -> anyhow::Result<StepResult> {
        let started = Instant::now();
        let mut result = StepResult::interrupted();
        if interrupt_requested(&self.interrupt) {
            return Ok(result);
        }
        let output = step.recorded.output;
        if !output.is_empty() {
            live(output);
        }
        result.output = output.to_string();
        result.end = End::Played;
        result.duration = started.elapsed();
        Ok(result)
    }

    fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.interrupt)
    }
}
