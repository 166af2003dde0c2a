//! The builder most tests go through: a temporary folder, the tool run
//! with the fake `docker` and a tape, and exact assertions on stdout, stderr
//! and the exit code, with a diff of what differs.
//!
//! Two things vary from run to run and are masked before comparing: step
//! durations as the tool prints them (`0.05s`, always two decimals, shown as
//! `[TIME]`) and the temporary folder's path (`[TMP]`). Docker's own
//! durations (`DONE 5.4s`) keep one decimal and are never masked.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;

use crate::text::{diff, mask, unindent};
use crate::{fake_docker, repo, tape};

pub struct Test {
    dir: TempDir,
    args: Vec<OsString>,
    env: Vec<(String, String)>,
    tape: Option<PathBuf>,
    lessons: PathBuf,
    docker: Option<PathBuf>,
    stdout: Option<String>,
    stderr: Option<String>,
    status: i32,
    timeout: Duration,
    redactions: Vec<(regex::Regex, String)>,
}

/// What a run printed (masked), for checks beyond exact text.
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
    /// The fake's record of every docker call, one per line.
    pub calls: String,
    _keep: TempDir,
}

impl Default for Test {
    fn default() -> Test {
        Test::new()
    }
}

impl Test {
    /// The repository's lessons, the Docker 28 + buildx tape, no registry.
    pub fn new() -> Test {
        Test {
            dir: tempfile::Builder::new()
                .prefix("ks-cli-")
                .tempdir()
                .expect("create a temporary folder"),
            args: Vec::new(),
            env: Vec::new(),
            tape: Some(tape("docker-28-buildx.tape")),
            lessons: repo().join("lessons"),
            docker: Some(fake_docker()),
            stdout: None,
            stderr: None,
            status: 0,
            timeout: Duration::from_secs(90),
            redactions: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Test {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Test {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Test {
        self.env.push((name.into(), value.into()));
        self
    }

    /// A tape of `tests/fixtures/tapes`.
    pub fn tape(mut self, name: &str) -> Test {
        self.tape = Some(tape(name));
        self
    }

    /// A tape written by the test, into the temporary folder.
    pub fn tape_text(mut self, text: &str) -> Test {
        let path = self.dir.path().join("test.tape");
        std::fs::write(&path, unindent(text)).expect("write the tape");
        self.tape = Some(path);
        self
    }

    /// Use `lessons/` of the temporary folder, and write `name` into it.
    pub fn lesson(mut self, name: &str, yaml: &str) -> Test {
        let dir = self.dir.path().join("lessons");
        std::fs::create_dir_all(&dir).expect("create the lessons folder");
        std::fs::write(dir.join(name), unindent(yaml)).expect("write the lesson");
        self.lessons = dir;
        self
    }

    /// Run with this client instead of the fake.
    pub fn docker(mut self, path: &Path) -> Test {
        self.docker = Some(path.to_path_buf());
        self
    }

    /// Kill the tool after this long (the default is 90 s).
    pub fn timeout(mut self, timeout: Duration) -> Test {
        self.timeout = timeout;
        self
    }

    /// Replace what `pattern` matches in stdout and stderr before comparing
    /// (for values only a real engine makes up, such as container IDs).
    pub fn redact(mut self, pattern: &str, with: &str) -> Test {
        self.redactions.push((
            regex::Regex::new(pattern).expect("a valid regex"),
            with.into(),
        ));
        self
    }

    pub fn stdout(mut self, text: &str) -> Test {
        self.stdout = Some(unindent(text));
        self
    }

    pub fn stderr(mut self, text: &str) -> Test {
        self.stderr = Some(unindent(text));
        self
    }

    pub fn status(mut self, code: i32) -> Test {
        self.status = code;
        self
    }

    /// Run, and check the exit code and whichever of stdout and stderr were
    /// given (an expectation not given is not checked: use `""` for "nothing").
    pub fn run(self) -> Output {
        let expected_stdout = self.stdout.clone();
        let expected_stderr = self.stderr.clone();
        let status = self.status;
        let out = self.execute();
        let mut report = String::new();
        if let Some(want) = &expected_stdout {
            report.extend(diff("stdout", want, &out.stdout));
        }
        if let Some(want) = &expected_stderr {
            report.extend(diff("stderr", want, &out.stderr));
        }
        if out.status != status {
            report.push_str(&format!(
                "exit code: expected {status}, got {}\n--- stdout:\n{}--- stderr:\n{}",
                out.status, out.stdout, out.stderr
            ));
        }
        assert!(
            report.is_empty(),
            "knowing-scratch did not do what was expected:\n{report}"
        );
        out
    }

    fn execute(self) -> Output {
        let mut cmd = assert_cmd::Command::from_std(crate::command(self.dir.path()));
        let state = self.dir.path().join("fake-state");
        // Only the system's tools: a step that needs `regctl` is skipped
        // whatever else this machine has installed.
        cmd.env("PATH", "/usr/bin:/bin")
            .env("FAKE_DOCKER_STATE", &state)
            .env("FAKE_DOCKER_TIMESCALE", "0.02");
        if let Some(tape) = &self.tape {
            cmd.env("FAKE_DOCKER_TAPE", tape);
        }
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        let mut args: Vec<OsString> = Vec::new();
        if let Some(docker) = &self.docker {
            args.push("--docker".into());
            args.push(docker.into());
        }
        args.push("--lessons".into());
        args.push(self.lessons.clone().into());
        args.extend(self.args.iter().cloned());
        cmd.args(&args).timeout(self.timeout);
        let output = cmd.output().expect("run knowing-scratch");
        let tmp = self.dir.path().to_string_lossy().into_owned();
        let mask = |bytes: &[u8]| {
            let mut text = mask(&String::from_utf8_lossy(bytes), &tmp);
            for (pattern, with) in &self.redactions {
                text = pattern.replace_all(&text, with.as_str()).into_owned();
            }
            text
        };
        let calls = std::fs::read_to_string(state.join("calls")).unwrap_or_default();
        Output {
            stdout: mask(&output.stdout),
            stderr: mask(&output.stderr),
            status: output.status.code().unwrap_or(-1),
            calls,
            _keep: self.dir,
        }
    }
}
