//! For what the [`Test`](crate::test::Test) builder cannot do: a temporary lab
//! folder, and the binary run in the background with a deadline, signalled,
//! and measured (its peak memory).

use std::fmt::Display;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The docker client on PATH (the real one), for tests against the engine.
pub fn real_docker() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("docker"))
        .find(|p| p.is_file())
        .expect("these tests need a `docker` client on PATH")
}

/// A temporary folder holding a `lessons/` folder; commands run beside it.
pub struct Lab {
    pub dir: tempfile::TempDir,
}

impl Default for Lab {
    fn default() -> Lab {
        Lab::new()
    }
}

impl Lab {
    pub fn new() -> Lab {
        let dir = tempfile::Builder::new()
            .prefix("ks-hard-")
            .tempdir()
            .expect("create a temporary folder");
        fs::create_dir(dir.path().join("lessons")).unwrap();
        Lab { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Write the lessons `names` of `tests/fixtures/lessons/` into `lessons/`
    /// under their file names, with `values` in place of their `@NAME@`s.
    pub fn lessons(&self, names: &[&str], values: &[(&str, &dyn Display)]) {
        for name in names {
            let file = Path::new(name).file_name().expect("a lesson file name");
            fs::write(
                self.dir.path().join("lessons").join(file),
                crate::lesson(name, values),
            )
            .unwrap();
        }
    }

    /// Ask `cmd` (a `check`) for a JSON report as well, in the lab.
    pub fn json_report(&self, cmd: &mut Command) {
        cmd.args(["--format", "json", "--report"])
            .arg(self.file("report.json"));
    }

    /// The text of the JSON report a [`json_report`](Lab::json_report) run wrote.
    pub fn report(&self) -> String {
        fs::read_to_string(self.file("report.json")).expect("the JSON report")
    }

    /// Run `cmd` with the fake `docker` (`--docker`), playing `tapes` of
    /// `tests/fixtures/tapes/` joined in this order, its state in `fake/`.
    pub fn fake_docker(&self, cmd: &mut Command, tapes: &[&str]) {
        let mut joined = String::new();
        for name in tapes {
            let path = crate::tape(name);
            joined.push_str(
                &fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("read the tape {}: {e}", path.display())),
            );
            joined.push('\n');
        }
        let tape = self.file("fake.tape");
        fs::write(&tape, joined).unwrap();
        cmd.env("FAKE_DOCKER_TAPE", tape)
            .env("FAKE_DOCKER_STATE", self.file("fake"))
            .arg("--docker")
            .arg(crate::fake_docker());
    }

    /// The fake's record of every docker call, one per line.
    pub fn calls(&self) -> String {
        fs::read_to_string(self.file("fake/calls")).unwrap_or_default()
    }
}

/// The binary in `cwd` ([`crate::command`]), with no input and its output
/// captured, for [`spawn`] and [`run`].
pub fn ks(cwd: &Path) -> Command {
    let mut c = crate::command(cwd);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// How a run ended.
#[derive(Debug)]
pub struct Ran {
    /// Exit code, or `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// Peak resident memory of the process itself, in KiB.
    pub max_rss_kib: i64,
}

/// A run in progress.
pub struct Running {
    child: Child,
    started: Instant,
    out: JoinHandle<String>,
    err: JoinHandle<String>,
}

fn drain(mut r: impl Read + Send + 'static) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

pub fn spawn(mut cmd: Command) -> Running {
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start knowing-scratch");
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
    Running {
        child,
        started,
        out,
        err,
    }
}

/// Run to the end; a run longer than `limit` is killed and fails the test.
pub fn run(cmd: Command, limit: Duration) -> Ran {
    spawn(cmd).wait(limit)
}

impl Running {
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.pid(), sig);
        }
    }

    /// Wait until `path` exists; false after `limit` or when the run ended.
    pub fn wait_for_file(&self, path: &Path, limit: Duration) -> bool {
        wait_until(limit, || path.exists() || !alive(self.pid())) && path.exists()
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Wait with wait4(2), which also tells the child's own peak memory.
    pub fn wait(self, limit: Duration) -> Ran {
        let pid = self.pid();
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value to be overwritten.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: plain syscall on our own child.
            let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
            if r == pid {
                break;
            }
            assert!(r == 0, "wait4 failed: {}", std::io::Error::last_os_error());
            if self.started.elapsed() > limit {
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::wait4(pid, &mut status, 0, &mut usage);
                }
                let stdout = self.out.join().unwrap_or_default();
                let stderr = self.err.join().unwrap_or_default();
                panic!(
                    "knowing-scratch ran past {limit:?} and was killed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
        let elapsed = self.started.elapsed();
        let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
        Ran {
            code,
            stdout: self.out.join().unwrap_or_default(),
            stderr: self.err.join().unwrap_or_default(),
            elapsed,
            max_rss_kib: usage.ru_maxrss,
        }
    }
}

/// Wait until `pred` holds; false after `limit`.
pub fn wait_until(limit: Duration, mut pred: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if pred() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    pred()
}

/// Whether a process exists and is not a zombie.
/// Whether a parent of `pid`, or a parent of one, up to init, passes `is`.
pub fn has_ancestor(mut pid: u32, is: impl Fn(u32) -> bool) -> bool {
    while pid > 1 {
        let Some(parent) = parent_of(pid) else {
            return false;
        };
        if is(parent) {
            return true;
        }
        pid = parent;
    }
    false
}

/// The parent of process `pid`, from `/proc/PID/stat` (after the command
/// name in parentheses: the state, then the parent).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub fn alive(pid: i32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // The state follows the command name, which is in parentheses.
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
        Err(_) => false,
    }
}
