//! Running a lesson's commands: the [`Executor`] trait and its three
//! implementations.
//!
//! An executor runs one step "here" and reports what it printed and how it
//! ended; the runner decides what that means. The implementations:
//! - [`Session`]: a lesson's steps share one long-lived `bash`, as a
//!   reader's terminal does: a variable set by one step is seen by the next.
//!   Each step's command is written to a file and sourced with stdin from
//!   `/dev/null`, followed by an end marker carrying its exit code, so a
//!   step costs little more than its command. stdout and stderr share one
//!   pipe, so they arrive in the order printed. Steps that need a terminal
//!   (`docker exec -it`) go to the session's [`PtySession`].
//! - [`PtySession`]: each step in a pseudo-terminal with the state the
//!   previous step left, typing a scripted exchange.
//! - [`Playback`]: nothing runs; the documented output is shown.
//!
//! All three pass one conformance suite (`conformance.rs`). An executor is
//! `Send`, so lessons can run on threads of their own.
//!
//! Every `docker` a session runs goes through a small shim that labels the
//! containers it creates with the run's id, so cleanup removes exactly what
//! the run created and nothing else.
//!
//! A step that runs too long, is stopped (after N lines or seconds) or is
//! interrupted has the processes it started killed; a stopped or timed-out
//! step's running containers are removed too, since killing a `docker run`
//! client does not stop its container. When the shell itself cannot go on
//! (a busy builtin loop, or `exit`), a fresh shell takes over with the
//! variables and folder saved before the step.
//!
//! Files: `session` (the shell executor), `pty_session` (the terminal
//! executor), `playback`, `workspace` (the session's folder and the frame
//! around every step), `shell` (the `bash` process), `pty` (the terminal
//! itself), `stream` (markers in the shell's output), `output` (bounded,
//! live output), `script` (the shell-side functions), `shim` (the docker
//! shim), `docker` (removing containers and images), `kill` (finding and
//! ending processes), `interrupt` (Ctrl-C).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// Runs one step somewhere: in a lesson's shell, in a pseudo-terminal, or by
/// playing its documented output.
pub trait Executor: Send {
    /// Run `step`; `live` receives the kept output as it arrives. An `Err`
    /// means the executor itself broke (its shell died), not that the
    /// command failed.
    fn run(&mut self, step: &StepRun, live: &mut dyn FnMut(&str)) -> anyhow::Result<StepResult>;

    /// A flag that interrupts this executor's steps when set, as
    /// [`request_interrupt`] does for every executor.
    fn interrupt_flag(&self) -> Arc<AtomicBool>;

    /// Whether a step may have made a container that carries the run's
    /// label. Without one, the run's final listing of its containers is
    /// skipped; an executor that cannot tell says `true`.
    fn created_containers(&self) -> bool {
        true
    }
}

/// What a session needs to know about the world.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Where the commands run (the folder holding `Dockerfile` and `app/`).
    pub workdir: PathBuf,
    /// The real `docker` client the shim hands over to.
    pub docker: PathBuf,
    /// Labels every container this run creates: `io.knowing-scratch.run=<id>`.
    pub run_id: String,
    /// The lesson the session runs: a container's step label is
    /// `<lesson>/<step>`, so lessons side by side never share one.
    pub lesson: String,
    /// Extra environment for every step (e.g. `DOCKER_BUILDKIT=1`).
    pub env: Vec<(String, String)>,
    /// Most bytes of output kept per step; the rest is counted, not kept.
    pub output_limit: usize,
}

/// When to stop a command that would run forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stop {
    pub lines: Option<usize>,
    pub after: Option<Duration>,
}

/// One scripted exchange with a command in a pseudo-terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Text to wait for before sending (a prompt).
    pub wait: String,
    /// Line to type (a newline is added).
    pub send: String,
}

/// One step to run.
#[derive(Debug, Clone)]
pub struct StepRun<'a> {
    /// Position of the step in the lesson, for labels and file names.
    pub index: usize,
    pub command: &'a str,
    pub timeout: Duration,
    pub stop: Stop,
    /// `Some` runs the command in a pseudo-terminal with this script.
    pub tty: Option<&'a [Exchange]>,
    /// Values captured by earlier steps, exported as variables.
    pub captures: &'a [(String, String)],
    /// What the docs say the step prints, for [`Playback`].
    pub recorded: Recorded<'a>,
}

/// A step's documented output and exit code.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recorded<'a> {
    pub output: &'a str,
    pub exit: i32,
}

/// How a step's command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// It exited by itself with this code.
    Exited(i32),
    /// It was stopped as the step asked (after N lines or seconds).
    Stopped,
    /// It ran past its timeout and was killed.
    TimedOut,
    /// The run was interrupted (Ctrl-C, SIGTERM).
    Interrupted,
    /// Nothing ran: the documented output was played.
    Played,
}

/// What a step printed and how it ended.
#[derive(Debug, Clone)]
pub struct StepResult {
    /// stdout and stderr merged in the order printed (lossy UTF-8).
    pub output: String,
    pub end: End,
    /// Bytes dropped past `output_limit`.
    pub dropped: usize,
    pub duration: Duration,
    /// The shell was replaced after this step (it ended the shell, or was a
    /// busy loop that had to be killed with it). The new shell starts from
    /// the variables and folder saved before the step.
    pub session_restarted: bool,
    /// Running containers this step created, removed because it was stopped
    /// or timed out (short IDs).
    pub removed_containers: Vec<String>,
    /// Things worth telling the user that are not the step's output.
    pub warnings: Vec<String>,
}

impl StepResult {
    /// A step that printed `output` and ended so, and nothing more.
    pub(crate) fn ended(output: String, end: End) -> StepResult {
        StepResult {
            output,
            end,
            dropped: 0,
            duration: Duration::ZERO,
            session_restarted: false,
            removed_containers: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// A step that ended before it began: nothing printed, nothing done.
    pub(crate) fn interrupted() -> StepResult {
        StepResult::ended(String::new(), End::Interrupted)
    }
}

#[cfg(test)]
mod conformance;
mod docker;
mod interrupt;
mod kill;
mod output;
mod playback;
mod pty;
mod pty_session;
mod script;
mod session;
mod shell;
mod shim;
mod stream;
#[cfg(test)]
mod tests;
mod workspace;

pub use docker::{cleanup, dangling_images, remove_new_dangling};
pub use interrupt::{install_signal_handlers, interrupted, request_interrupt};
pub use playback::Playback;
pub use pty_session::PtySession;
pub use session::Session;
