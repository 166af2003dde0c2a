//! The session shell as an executor: the life of one step in it.
//!
//! Each step is one control line on the shell's stdin: prepare (step number,
//! captures), source the step's file with stdin from `/dev/null`, print the
//! end marker with `$?`, then save the state the next step starts from. The Rust side reads until the
//! end marker, watching the timeout, the stop condition and the interrupt
//! flag every 50 ms. The end marker is in the same pipe as the output, after
//! it, so a step's output is complete when its marker is read.
//!
//! Ending a step early kills the processes it started (the shell's
//! descendants that were not there before the step), then waits briefly for
//! the end marker. If none comes, the shell itself is busy (a loop made of
//! builtins), so the whole shell is killed and a fresh one restores the state
//! saved before the step. The same happens when a step ends the shell
//! (`exit 3`), whose code is then the step's: what it left behind is killed
//! and the pipe is read to its end, so nothing it printed is lost.
//!
//! A step with a `tty` script is handed to the session's [`PtySession`],
//! which starts from the shell's saved state and gives back its own.

use std::collections::HashSet;
use std::fs;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::output::Output;
use super::pty::{self, HELD_OPEN};
use super::pty_session::PtySession;
use super::shell::{Shell, POLL};
use super::stream::Event;
use super::workspace::{Frame, Ran};
use super::{kill, End, Exchange, Executor, SessionConfig, StepResult, StepRun};

/// SIGTERM to SIGKILL.
const KILL_GRACE: Duration = Duration::from_secs(1);
/// How long a shell whose step was killed may take to print its end marker.
const MARKER_GRACE: Duration = Duration::from_millis(500);

/// A long-lived shell shared by the steps of one lesson.
pub struct Session {
    // Dropped in this order: the shell, the terminal steps, then the folder.
    shell: Shell,
    pty: PtySession,
    frame: Frame,
}

/// How a step's wait for its end marker ended.
enum Outcome {
    Done(End),
    ShellExited(std::process::ExitStatus),
    Kill(End),
}

impl Session {
    /// Start the shell in `config.workdir`, with the docker shim first on PATH.
    pub fn start(config: &SessionConfig) -> anyhow::Result<Session> {
        let frame = Frame::new(config)?;
        let shell = Shell::spawn(config, frame.space.path(), frame.space.nonce())?;
        let pty = PtySession::within(frame.clone());
        let mut session = Session { shell, pty, frame };
        handshake(&mut session.shell, &session.frame)?;
        Ok(session)
    }

    /// A flag that interrupts this session's steps when set, as
    /// [`super::request_interrupt`] does for every session.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.frame.interrupt)
    }

    /// Whether a step of this session ran a command that creates containers:
    /// the shim leaves `created` before handing over to the client, so
    /// `false` means no container can carry this run's label from here.
    pub fn created_containers(&self) -> bool {
        self.frame.space.files().path("created").exists()
    }

    /// End the shell (and anything still running in it).
    pub fn close(self) {}
}

impl Executor for Session {
    /// An `Err` means the session itself broke (the shell died), not that the
    /// command failed. Capture names must be shell variable names.
    fn run(&mut self, step: &StepRun, live: &mut dyn FnMut(&str)) -> anyhow::Result<StepResult> {
        let Session { shell, pty, frame } = self;
        frame.run_step(step, live, |out, started| match step.tty {
            None => run_plain(shell, frame, step, started, out),
            Some(exchanges) => run_pty(shell, pty, frame, step, exchanges, started, out),
        })
    }

    fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Session::interrupt_flag(self)
    }

    fn created_containers(&self) -> bool {
        Session::created_containers(self)
    }
}

fn run_plain(
    shell: &mut Shell,
    frame: &Frame,
    step: &StepRun,
    started: Instant,
    out: &mut Output,
) -> anyhow::Result<Ran> {
    // What was already running (background jobs of earlier steps) is spared.
    let baseline = kill::descendants_of_single_threaded(shell.pid);
    let deadline = started + step.timeout;
    let stop_at = step.stop.after.map(|d| started + d);
    let line = frame
        .space
        .files()
        .step_line(step.index, !step.captures.is_empty());
    shell.send(&line)?;

    let mut begun = false;
    let outcome = loop {
        let now = Instant::now();
        if frame.interrupted() {
            break Outcome::Kill(End::Interrupted);
        }
        if out.lines_reached() || stop_at.is_some_and(|t| now >= t) {
            break Outcome::Kill(End::Stopped);
        }
        if now >= deadline {
            break Outcome::Kill(End::TimedOut);
        }
        let mut wait = POLL.min(deadline - now);
        if let Some(t) = stop_at {
            wait = wait.min(t - now);
        }
        match shell.stream.next(wait) {
            Event::Output(bytes) => {
                if begun {
                    out.push(&bytes);
                }
            }
            Event::Begin => begun = true,
            Event::End(code) => {
                if begun {
                    break Outcome::Done(End::Exited(code));
                }
            }
            event @ (Event::Idle | Event::Closed) => {
                if let Some(status) = shell.exited()? {
                    break Outcome::ShellExited(status);
                }
                if event == Event::Closed {
                    std::thread::sleep(wait);
                }
            }
        }
    };

    match outcome {
        Outcome::Done(end) => Ok(Ran::end(end)),
        Outcome::ShellExited(status) => {
            // What the shell left behind holds the pipe open: end it, then
            // read the pipe to its end. No timer decides when the output is
            // complete; only a holder we cannot find can keep it open.
            shell.kill_all();
            let mut ran = Ran::end(End::Exited(pty::code(status)));
            let until = Instant::now() + HELD_OPEN;
            loop {
                if Instant::now() >= until {
                    ran.warnings.push(format!(
                        "the shell's output stayed open {} s after it ended: the output may be cut",
                        HELD_OPEN.as_secs()
                    ));
                    break;
                }
                match shell.stream.next(POLL) {
                    Event::Output(bytes) => {
                        if begun {
                            out.push(&bytes);
                        }
                    }
                    Event::Begin => begun = true,
                    Event::End(_) | Event::Idle => {}
                    Event::Closed => break,
                }
            }
            restart(shell, frame)?;
            ran.restarted = true;
            Ok(ran)
        }
        Outcome::Kill(end) => {
            kill_step(shell, &baseline);
            let mut ran = Ran::end(end);
            if !shell.await_end(MARKER_GRACE)? {
                restart(shell, frame)?;
                ran.restarted = true;
            }
            Ok(ran)
        }
    }
}

/// A step in a pseudo-terminal: it starts from the shell's state (saved by
/// the prepare line) and the shell takes back what it exported.
fn run_pty(
    shell: &mut Shell,
    pty: &mut PtySession,
    frame: &Frame,
    step: &StepRun,
    exchanges: &[Exchange],
    started: Instant,
    out: &mut Output,
) -> anyhow::Result<Ran> {
    let files = frame.space.files();
    let carried = [files.path("pty.env"), files.path("pty.cwd")];
    for path in &carried {
        let _ = fs::remove_file(path);
    }
    shell.call(&files.prepare_line(step.index))?;
    let ran = pty.run_in_terminal(step, exchanges, started, out)?;
    if carried[0].exists() {
        shell.call(&files.import_line())?;
    }
    for path in &carried {
        let _ = fs::remove_file(path);
    }
    Ok(ran)
}

/// Kill what the running step started: descendants not in `baseline`.
fn kill_step(shell: &Shell, baseline: &HashSet<i32>) {
    let started = |pid: &i32| !baseline.contains(pid);
    let pids: HashSet<i32> = kill::tree(shell.pid).into_iter().filter(started).collect();
    kill::terminate(&pids, KILL_GRACE);
    // A loop in the shell may have started more meanwhile.
    let more: HashSet<i32> = kill::tree(shell.pid).into_iter().filter(started).collect();
    kill::kill_now(&more);
}

fn handshake(shell: &mut Shell, frame: &Frame) -> anyhow::Result<()> {
    use anyhow::Context;
    let line = frame.space.files().start_line();
    shell.call(&line).context("start the session shell")
}

/// Replace the shell with a fresh one holding the last saved state.
fn restart(shell: &mut Shell, frame: &Frame) -> anyhow::Result<()> {
    shell.kill_all();
    *shell = Shell::spawn(&frame.config, frame.space.path(), frame.space.nonce())?;
    handshake(shell, frame)
}
