//! The session's long-lived `bash` process and the reading end of its
//! output: starting it, sending it a line, waiting for its markers, and
//! ending it with everything it started.
//!
//! stdout and stderr share one pipe, so they arrive in the order printed.
//! The shell leads its own session and process group, so what it runs can
//! be found and ended (see `kill`).

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::kill;
use super::stream::{Event, Source, Stream};
use super::SessionConfig;

/// How often a wait checks its clock.
pub(crate) const POLL: Duration = Duration::from_millis(50);
/// How long the idle shell may take for its own bookkeeping.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The session's `bash` and the reading end of its output.
pub(crate) struct Shell {
    child: Child,
    stdin: ChildStdin,
    pub(crate) stream: Stream,
    pub(crate) pid: i32,
}

impl Shell {
    pub(crate) fn spawn(config: &SessionConfig, dir: &Path, nonce: &str) -> anyhow::Result<Shell> {
        let (read, write) = pipe().context("create a pipe")?;
        let mut command = Command::new("bash");
        command
            .arg("--noprofile")
            .arg("--norc")
            .current_dir(&config.workdir)
            .stdin(Stdio::piped())
            .stdout(Stdio::from(write.try_clone().context("duplicate a pipe")?))
            .stderr(Stdio::from(write))
            .env_remove("BASH_ENV")
            .env_remove("ENV");
        for (name, value) in &config.env {
            command.env(name, value);
        }
        command.env("PATH", shell_path(config, dir));
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("start bash in `{}`", config.workdir.display()))?;
        drop(command); // our copies of the pipe's writing end
        let pid = child.id() as i32;
        kill::register_group(pid);
        let stdin = child.stdin.take().context("the shell's stdin")?;
        let stream = Stream::new(Source::pipe(fs::File::from(read)), nonce);
        Ok(Shell {
            child,
            stdin,
            stream,
            pid,
        })
    }

    pub(crate) fn send(&mut self, line: &str) -> anyhow::Result<()> {
        // One write: the shell wakes once per line.
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        let sent = self
            .stdin
            .write_all(&bytes)
            .and_then(|()| self.stdin.flush());
        if let Err(e) = sent {
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!("the session shell exited unexpectedly ({status})");
            }
            return Err(e).context("write to the session shell");
        }
        Ok(())
    }

    pub(crate) fn exited(&mut self) -> anyhow::Result<Option<ExitStatus>> {
        self.child.try_wait().context("check on the session shell")
    }

    /// Run a bookkeeping `line` (which prints both markers) and wait for it.
    pub(crate) fn call(&mut self, line: &str) -> anyhow::Result<()> {
        self.send(line)?;
        let until = Instant::now() + CALL_TIMEOUT;
        let mut begun = false;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!(
                    "the session shell did not answer within {} s",
                    CALL_TIMEOUT.as_secs()
                );
            }
            match self.stream.next(POLL.min(left)) {
                Event::Begin => begun = true,
                Event::End(_) if begun => return Ok(()),
                Event::End(_) | Event::Output(_) => {}
                Event::Idle | Event::Closed => {
                    if let Some(status) = self.exited()? {
                        bail!("the session shell exited unexpectedly ({status})");
                    }
                }
            }
        }
    }

    /// Wait up to `grace` for the end marker, discarding output. False when
    /// it did not come (the shell is busy or gone).
    pub(crate) fn await_end(&mut self, grace: Duration) -> anyhow::Result<bool> {
        let until = Instant::now() + grace;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            match self.stream.next(POLL.min(left)) {
                Event::End(_) => return Ok(true),
                Event::Output(_) | Event::Begin => {}
                Event::Idle | Event::Closed => {
                    if self.exited()?.is_some() {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Kill the shell and everything it started.
    pub(crate) fn kill_all(&mut self) {
        let mut pids = kill::tree(self.pid);
        if matches!(self.child.try_wait(), Ok(None)) {
            pids.insert(self.pid);
        }
        kill::terminate(&pids, Duration::from_millis(500));
        let _ = self.child.wait();
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        self.kill_all();
        kill::unregister_group(self.pid);
    }
}

/// The session's PATH: the shim's folder, then the configured or own PATH.
pub(crate) fn shell_path(config: &SessionConfig, dir: &Path) -> OsString {
    let base = config
        .env
        .iter()
        .rev()
        .find(|(name, _)| name == "PATH")
        .map(|(_, value)| OsString::from(value))
        .or_else(|| std::env::var_os("PATH"))
        .unwrap_or_default();
    let mut path = OsString::from(dir.join("bin"));
    if !base.is_empty() {
        path.push(":");
        path.push(base);
    }
    path
}

/// A pipe whose ends close on exec.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the two descriptors, which we then own.
    unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])))
    }
}
