//! Running a lesson's commands.
//!
//! A lesson's steps share one long-lived `bash`, as a reader's terminal does:
//! a variable set by one step is seen by the next. Each step's command is
//! written to a file and sourced with stdin from `/dev/null`, followed by an
//! end marker carrying its exit code, so a step costs little more than its
//! command. stdout and stderr share one pipe, so they arrive in the order
//! printed. Steps that need a terminal (`docker exec -it`) run in a
//! pseudo-terminal with the session's variables, and hand them back.
//!
//! Every `docker` the session runs goes through a small shim that labels the
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
//! Files: `session` (the shell and a step's life), `pty` (terminal steps),
//! `stream` (markers in the shell's output), `output` (bounded, live output),
//! `script` (the shell-side functions), `shim` (the docker shim), `docker`
//! (removing containers), `kill` (finding and ending processes),
//! `interrupt` (Ctrl-C).

use std::path::PathBuf;
use std::time::Duration;

/// What a session needs to know about the world.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Where the commands run (the folder holding `Dockerfile` and `app/`).
    pub workdir: PathBuf,
    /// The real `docker` client the shim hands over to.
    pub docker: PathBuf,
    /// Labels every container this run creates: `io.knowing-scratch.run=<id>`.
    pub run_id: String,
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

mod docker;
mod interrupt;
mod kill;
mod output;
mod pty;
mod script;
mod session;
mod shim;
mod stream;
#[cfg(test)]
mod tests;

pub use docker::cleanup;
pub use interrupt::{install_signal_handlers, interrupted, request_interrupt};
pub use session::Session;
