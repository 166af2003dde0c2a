//! Helpers: a temporary lab folder, running the binary with a deadline (and
//! signals, and its peak memory), and exact comparisons that print a diff.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn script(name: &str) -> PathBuf {
    root().join("tests/hardening").join(name)
}

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

    pub fn lesson(&self, name: &str, text: &str) {
        fs::write(self.dir.path().join("lessons").join(name), text).unwrap();
    }

    /// A state folder for the fake docker client, inside the lab.
    pub fn fake_state(&self) -> PathBuf {
        let d = self.file("fake");
        fs::create_dir_all(&d).unwrap();
        d
    }

    pub fn calls(&self) -> String {
        fs::read_to_string(self.file("fake/calls.log")).unwrap_or_default()
    }
}

/// The binary, in `cwd`, with an environment that does not leak the
/// caller's docker settings.
pub fn ks(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_knowing-scratch"));
    c.current_dir(cwd)
        .env_remove("KNOWING_SCRATCH_DOCKER")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_BUILDKIT")
        .env("KNOWING_SCRATCH_REGISTRY", "0")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
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

/// A unified diff of two texts, for failure messages.
pub fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .header("expected", "actual")
        .to_string()
}

/// Assert two texts are equal, printing a diff when they are not.
#[track_caller]
pub fn assert_text(what: &str, expected: &str, actual: &str) {
    if expected != actual {
        panic!(
            "{what} differs:\n{}\n--- actual, verbatim:\n{actual}",
            diff(expected, actual)
        );
    }
}

/// Step durations (`0.01s`) and long hex IDs vary from run to run, and the
/// header's version numbers are facts of the machine.
pub fn normalize(text: &str) -> String {
    let durations = regex::Regex::new(r"\b\d+\.\d\ds\b").unwrap();
    let ids = regex::Regex::new(r"\b[0-9a-f]{12}\b").unwrap();
    let versions = regex::Regex::new(r"\A(.*)").unwrap();
    let version = regex::Regex::new(r"\b(engine|client|buildx|runc) \d[\w.+~-]*").unwrap();
    let text = durations.replace_all(text, "N.NNs");
    let text = versions.replace(&text, |c: &regex::Captures| {
        version.replace_all(&c[1], "$1 V").into_owned()
    });
    ids.replace_all(&text, "<id>").into_owned()
}

/// The header of a run through `fake-docker` or on the live engine with client 28.
pub const HEADER: &str = "engine V (classic image store), client V with buildx V, runc V\n";
