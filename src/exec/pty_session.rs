//! The pseudo-terminal as an executor: each step is a fresh `bash` in a
//! terminal, started from saved state and saving its own when it ends.
//!
//! Inside a [`Session`](super::Session) the state comes from the session
//! shell (its prepare line saves it) and goes back to it. On its own, a
//! `PtySession` carries the state from one step to the next through the
//! same files, so it behaves as a lesson's shell does: variables, captures
//! and the folder persist. That is what lets one conformance suite check it
//! alongside the shell and playback.
//!
//! The transcript is a terminal's: lines end in `\r\n`.

use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use super::output::Output;
use super::pty::Pty;
use super::shell::shell_path;
use super::workspace::{interrupt_requested, write, Frame, Ran};
use super::{Exchange, Executor, SessionConfig, StepResult, StepRun};

/// Steps run in a pseudo-terminal.
pub struct PtySession {
    frame: Frame,
    /// On its own: the process environment and `config.env` start it;
    /// inside a session, the session's saved state does.
    own: bool,
}

impl PtySession {
    /// A pseudo-terminal executor on its own, with its own folder and shim.
    pub fn start(config: &SessionConfig) -> anyhow::Result<PtySession> {
        Ok(PtySession {
            frame: Frame::new(config)?,
            own: true,
        })
    }

    /// The terminal steps of a session, sharing its folder and flag.
    pub(crate) fn within(frame: Frame) -> PtySession {
        PtySession { frame, own: false }
    }

    /// Run the step's command in a terminal, typing `exchanges`.
    pub(crate) fn run_in_terminal(
        &mut self,
        step: &StepRun,
        exchanges: &[Exchange],
        started: Instant,
        out: &mut Output,
    ) -> anyhow::Result<Ran> {
        let config = &self.frame.config;
        let files = self.frame.space.files();
        let wrapper_path = files.path(&format!("pty-{}.sh", step.index));
        write(&wrapper_path, files.pty_wrapper(step.index).as_bytes())?;

        let mut command = Command::new("bash");
        command
            .arg("--noprofile")
            .arg("--norc")
            .arg(&wrapper_path)
            .current_dir(&config.workdir);
        if self.own {
            command.envs(config.env.iter().map(|(k, v)| (k, v)));
        } else {
            command.env_clear();
        }
        command
            .env("PATH", shell_path(config, self.frame.space.path()))
            .env("TERM", "dumb");
        let mut child = Pty::spawn(command).context("start a pseudo-terminal")?;
        let interrupt = Arc::clone(&self.frame.interrupt);
        let stop_requested = move || interrupt_requested(&interrupt);
        let deadline = started + step.timeout;
        let stop_at = step.stop.after.map(|d| started + d);
        let mut ran = Ran::end(super::End::Interrupted);
        ran.end = child
            .drive(
                exchanges,
                deadline,
                stop_at,
                out,
                &stop_requested,
                &mut ran.warnings,
            )
            .context("run a step in a pseudo-terminal")?;
        Ok(ran)
    }
}

impl Executor for PtySession {
    fn run(&mut self, step: &StepRun, live: &mut dyn FnMut(&str)) -> anyhow::Result<StepResult> {
        let exchanges = step.tty.unwrap_or(&[]);
        let frame = self.frame.clone();
        frame.run_step(step, live, |out, started| {
            self.run_in_terminal(step, exchanges, started, out)
        })
    }

    fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.frame.interrupt)
    }
}
