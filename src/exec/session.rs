//! The session shell and the life of one step.
//!
//! Each step is one control line on the shell's stdin: prepare (step number,
//! captures, saved state), source the step's file with stdin from
//! `/dev/null`, print the end marker with `$?`. The Rust side reads until the
//! end marker, watching the timeout, the stop condition and the interrupt
//! flag every 50 ms.
//!
//! Ending a step early kills the processes it started (the shell's
//! descendants that were not there before the step), then waits briefly for
//! the end marker. If none comes, the shell itself is busy (a loop made of
//! builtins), so the whole shell is killed and a fresh one restores the state
//! saved before the step. The same happens when a step ends the shell
//! (`exit 3`), whose code is then the step's.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tempfile::TempDir;

use super::output::Output;
use super::pty::{self, Pty};
use super::script::{self, Files};
use super::stream::{spawn_reader, Event, Stream};
use super::{docker, interrupted, kill, shim, End, Exchange, SessionConfig, StepResult, StepRun};

/// How often a running step checks its clock and the interrupt flag.
const POLL: Duration = Duration::from_millis(50);
/// SIGTERM to SIGKILL.
const KILL_GRACE: Duration = Duration::from_secs(1);
/// How long a shell whose step was killed may take to print its end marker.
const MARKER_GRACE: Duration = Duration::from_millis(500);
/// How long the rest of the output may take once the shell has exited.
const DRAIN: Duration = Duration::from_millis(500);
/// How long the idle shell may take for its own bookkeeping.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The session's folder: in memory (`/dev/shm`) where there is one, since
/// every step writes small files there and a disk file system flushes them.
fn session_dir() -> std::io::Result<TempDir> {
    let builder = || {
        let mut b = tempfile::Builder::new();
        b.prefix("knowing-scratch-");
        b
    };
    let shm = Path::new("/dev/shm");
    if std::env::var_os("TMPDIR").is_none() && shm.is_dir() {
        if let Ok(dir) = builder().tempdir_in(shm) {
            return Ok(dir);
        }
    }
    builder().tempdir()
}

/// A long-lived shell shared by the steps of one lesson.
pub struct Session {
    config: SessionConfig,
    nonce: String,
    interrupt: Arc<AtomicBool>,
    // Dropped in this order: the shell, then its folder.
    shell: Shell,
    dir: TempDir,
}

/// How a step's wait for its end marker ended.
enum Outcome {
    Done(End),
    ShellExited(ExitStatus),
    Kill(End),
}

impl Session {
    /// Start the shell in `config.workdir`, with the docker shim first on PATH.
    pub fn start(config: &SessionConfig) -> anyhow::Result<Session> {
        if !config.docker.is_absolute() {
            bail!(
                "the docker client must be given as an absolute path, not `{}`",
                config.docker.display()
            );
        }
        let dir = session_dir().context("create the session's temporary folder")?;
        let nonce = nonce().context("read /dev/urandom")?;
        let lib = dir.path().join("lib.sh");
        write(&lib, script::library(&nonce).as_bytes())?;
        write(&dir.path().join("setup.sh"), script::setup(&lib).as_bytes())?;
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).with_context(|| format!("create `{}`", bin.display()))?;
        let shim_path = bin.join("docker");
        let shim_text = shim::docker_shim(&config.docker, &config.run_id, dir.path());
        write(&shim_path, shim_text.as_bytes())?;
        fs::set_permissions(&shim_path, fs::Permissions::from_mode(0o755))
            .with_context(|| format!("make `{}` executable", shim_path.display()))?;

        let shell = Shell::spawn(config, dir.path(), &nonce)?;
        let mut session = Session {
            config: config.clone(),
            nonce,
            interrupt: Arc::new(AtomicBool::new(false)),
            shell,
            dir,
        };
        session.handshake()?;
        Ok(session)
    }

    /// A flag that interrupts this session's steps when set, as
    /// [`super::request_interrupt`] does for every session.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.interrupt)
    }

    fn interrupt_requested(&self) -> bool {
        interrupted() || self.interrupt.load(Ordering::SeqCst)
    }

    fn files(&self) -> Files<'_> {
        Files {
            dir: self.dir.path(),
        }
    }

    /// Run one step; `live` receives output as it arrives (for walk/run).
    /// An `Err` means the session itself broke (the shell died), not that the
    /// command failed. Capture names must be shell variable names.
    pub fn run(
        &mut self,
        step: &StepRun,
        live: &mut dyn FnMut(&str),
    ) -> anyhow::Result<StepResult> {
        let started = Instant::now();
        if let Some((name, _)) = step.captures.iter().find(|(n, _)| !script::is_name(n)) {
            bail!("capture `{name}` is not a shell variable name");
        }
        let mut result = StepResult {
            output: String::new(),
            end: End::Interrupted,
            dropped: 0,
            duration: Duration::ZERO,
            session_restarted: false,
            removed_containers: Vec::new(),
            warnings: Vec::new(),
        };
        if self.interrupt_requested() {
            return Ok(result);
        }

        let files = self.files();
        let mut command = step.command.to_string();
        if !command.ends_with('\n') {
            command.push('\n');
        }
        write(
            &files.path(&script::step_file(step.index)),
            command.as_bytes(),
        )?;
        write(&files.path("captures.env"), &script::pairs(step.captures))?;
        let created = files.path(&format!("created-{}", step.index));
        let _ = fs::remove_file(&created);

        let mut out = Output::new(self.config.output_limit, step.stop.lines, live);
        let end = match step.tty {
            None => self.run_plain(step, started, &mut out, &mut result.session_restarted)?,
            Some(exchanges) => self.run_pty(step, exchanges, started, &mut out)?,
        };
        (result.output, result.dropped) = out.finish();

        if matches!(end, End::Stopped | End::TimedOut) && created.exists() {
            match docker::remove_step_containers(
                &self.config.docker,
                &self.config.env,
                &self.config.run_id,
                step.index,
            ) {
                Ok(ids) => result.removed_containers = ids,
                Err(e) => result.warnings.push(format!("{e:#}")),
            }
        }
        if result.session_restarted {
            result.warnings.push(String::from(
                "the session shell was restarted: what this step set is lost",
            ));
        }
        result.end = end;
        result.duration = started.elapsed();
        Ok(result)
    }

    fn run_plain(
        &mut self,
        step: &StepRun,
        started: Instant,
        out: &mut Output,
        restarted: &mut bool,
    ) -> anyhow::Result<End> {
        // What was already running (background jobs of earlier steps) is spared.
        let baseline = kill::descendants(self.shell.pid);
        let deadline = started + step.timeout;
        let stop_at = step.stop.after.map(|d| started + d);
        let line = self.files().step_line(step.index);
        self.shell.send(&line)?;

        let mut begun = false;
        let outcome = loop {
            let now = Instant::now();
            if self.interrupt_requested() {
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
            match self.shell.stream.next(wait) {
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
                    if let Some(status) = self.shell.exited()? {
                        break Outcome::ShellExited(status);
                    }
                    if event == Event::Closed {
                        std::thread::sleep(wait);
                    }
                }
            }
        };

        match outcome {
            Outcome::Done(end) => Ok(end),
            Outcome::ShellExited(status) => {
                let until = Instant::now() + DRAIN;
                while Instant::now() < until {
                    match self.shell.stream.next(POLL) {
                        Event::Output(bytes) => {
                            if begun {
                                out.push(&bytes);
                            }
                        }
                        Event::Begin => begun = true,
                        Event::End(_) => {}
                        Event::Idle | Event::Closed => break,
                    }
                }
                self.restart()?;
                *restarted = true;
                Ok(End::Exited(pty::code(status)))
            }
            Outcome::Kill(end) => {
                self.kill_step(&baseline);
                if !self.await_end(MARKER_GRACE)? {
                    self.restart()?;
                    *restarted = true;
                }
                Ok(end)
            }
        }
    }

    fn run_pty(
        &mut self,
        step: &StepRun,
        exchanges: &[Exchange],
        started: Instant,
        out: &mut Output,
    ) -> anyhow::Result<End> {
        let files = self.files();
        let prepare = files.prepare_line(step.index);
        let wrapper_path = files.path(&format!("pty-{}.sh", step.index));
        let wrapper = files.pty_wrapper(step.index);
        let pty_env = files.path("pty.env");
        let _ = fs::remove_file(&pty_env);
        let _ = fs::remove_file(files.path("pty.cwd"));
        write(&wrapper_path, wrapper.as_bytes())?;
        self.call(&prepare)?;

        let mut command = Command::new("bash");
        command
            .arg("--noprofile")
            .arg("--norc")
            .arg(&wrapper_path)
            .current_dir(&self.config.workdir)
            .env_clear()
            .env("PATH", shell_path(&self.config, self.dir.path()))
            .env("TERM", "dumb");
        let mut child = Pty::spawn(command).context("start a pseudo-terminal")?;
        let interrupt = Arc::clone(&self.interrupt);
        let stop_requested = move || interrupted() || interrupt.load(Ordering::SeqCst);
        let deadline = started + step.timeout;
        let stop_at = step.stop.after.map(|d| started + d);
        let end = child
            .drive(exchanges, deadline, stop_at, out, &stop_requested)
            .context("run a step in a pseudo-terminal")?;
        drop(child);

        if pty_env.exists() {
            let import = self.files().import_line();
            self.call(&import)?;
        }
        Ok(end)
    }

    /// Kill what the running step started: descendants not in `baseline`.
    fn kill_step(&mut self, baseline: &HashSet<i32>) {
        let started = |pid: &i32| !baseline.contains(pid);
        let pids: HashSet<i32> = kill::tree(self.shell.pid)
            .into_iter()
            .filter(started)
            .collect();
        kill::terminate(&pids, KILL_GRACE);
        // A loop in the shell may have started more meanwhile.
        let more: HashSet<i32> = kill::tree(self.shell.pid)
            .into_iter()
            .filter(started)
            .collect();
        kill::kill_now(&more);
    }

    /// Wait up to `grace` for the end marker, discarding output. False when
    /// it did not come (the shell is busy or gone).
    fn await_end(&mut self, grace: Duration) -> anyhow::Result<bool> {
        let until = Instant::now() + grace;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            match self.shell.stream.next(POLL.min(left)) {
                Event::End(_) => return Ok(true),
                Event::Output(_) | Event::Begin => {}
                Event::Idle | Event::Closed => {
                    if self.shell.exited()?.is_some() {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Run a bookkeeping `line` (which prints both markers) and wait for it.
    fn call(&mut self, line: &str) -> anyhow::Result<()> {
        self.shell.send(line)?;
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
            match self.shell.stream.next(POLL.min(left)) {
                Event::Begin => begun = true,
                Event::End(_) if begun => return Ok(()),
                Event::End(_) | Event::Output(_) => {}
                Event::Idle | Event::Closed => {
                    if let Some(status) = self.shell.exited()? {
                        bail!("the session shell exited unexpectedly ({status})");
                    }
                }
            }
        }
    }

    fn handshake(&mut self) -> anyhow::Result<()> {
        let line = self.files().start_line();
        self.call(&line).context("start the session shell")
    }

    /// Replace the shell with a fresh one holding the last saved state.
    fn restart(&mut self) -> anyhow::Result<()> {
        self.shell.kill_all();
        self.shell = Shell::spawn(&self.config, self.dir.path(), &self.nonce)?;
        self.handshake()
    }

    /// Whether a step of this session ran a command that creates containers:
    /// the shim leaves `created` before handing over to the client, so
    /// `false` means no container can carry this run's label from here.
    pub fn created_containers(&self) -> bool {
        self.files().path("created").exists()
    }

    /// End the shell (and anything still running in it).
    pub fn close(self) {}
}

/// The session's `bash` and the reading end of its output.
struct Shell {
    child: Child,
    stdin: ChildStdin,
    stream: Stream,
    pid: i32,
}

impl Shell {
    fn spawn(config: &SessionConfig, dir: &Path, nonce: &str) -> anyhow::Result<Shell> {
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
        let stream = Stream::new(spawn_reader(fs::File::from(read)), nonce);
        Ok(Shell {
            child,
            stdin,
            stream,
            pid,
        })
    }

    fn send(&mut self, line: &str) -> anyhow::Result<()> {
        let sent = self
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.write_all(b"\n"))
            .and_then(|()| self.stdin.flush());
        if let Err(e) = sent {
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!("the session shell exited unexpectedly ({status})");
            }
            return Err(e).context("write to the session shell");
        }
        Ok(())
    }

    fn exited(&mut self) -> anyhow::Result<Option<ExitStatus>> {
        self.child.try_wait().context("check on the session shell")
    }

    /// Kill the shell and everything it started.
    fn kill_all(&mut self) {
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
fn shell_path(config: &SessionConfig, dir: &Path) -> OsString {
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

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    fs::write(path, bytes).with_context(|| format!("write `{}`", path.display()))
}

/// 32 random hex digits.
fn nonce() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
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
