//! The harness of the integration tests, one crate shared by the suite
//! (`tests/suite/`, fast, fake engine) and the live tests (`tests/live.rs`,
//! slow, real engine).
//!
//! - [`test`]: the builder most tests go through: a temporary folder, the
//!   tool run with the fake `docker` and a tape, exact assertions on stdout,
//!   stderr and the exit code.
//! - [`lab`]: for what the builder cannot do: run the tool in the background,
//!   signal it, measure its memory.
//! - [`text`]: the one way to compare texts (with a diff) and to mask what
//!   varies from run to run.
//! - [`engine`]: the turn on the real engine, for the tests that need it.
//! - [`expect`]: the reports the repository's lessons give, on either engine.
//! - the paths below: the binary, the repository, the fake `docker` and the
//!   fixtures (tapes, lessons) under `tests/fixtures/`.
//!
//! A crate rather than a module included by each test binary: a binary that
//! uses only part of a shared module gets dead-code warnings for the rest; a
//! library's public items never do.

pub mod engine;
pub mod expect;
pub mod lab;
pub mod test;
pub mod text;

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (where `Cargo.toml`, `lessons/` and `tests/` are).
pub fn repo() -> PathBuf {
    // This crate lives in `tests/support/`.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/support sits two folders below the repository")
        .to_path_buf()
}

/// The tool's binary, as built for the tests of the package.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("knowing-scratch")
}

/// The binary, run in `cwd` with an environment that leaks none of the
/// caller's docker settings, colors or fake settings: no color, Docker Hub
/// declared unreachable (so the steps that need it are skipped, whatever the
/// network), and only what the test then sets.
pub fn command(cwd: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(cwd);
    for name in [
        "DOCKER_HOST",
        "DOCKER_CONTEXT",
        "DOCKER_BUILDKIT",
        "KNOWING_SCRATCH_DOCKER",
        "KNOWING_SCRATCH_ALLOW_HOST",
        "FAKE_DOCKER_TAPE",
        "FAKE_DOCKER_STATE",
        "FAKE_DOCKER_DOWN",
        "FAKE_DOCKER_TIMESCALE",
        "CLICOLOR_FORCE",
        "TERM",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("NO_COLOR", "1")
        .env("KNOWING_SCRATCH_REGISTRY", "0");
    cmd
}

/// Where the user's own docker connects (`DOCKER_HOST`, `DOCKER_CONTEXT`, when
/// set), for the tests that run against the real engine.
pub fn user_docker_env() -> Vec<(&'static str, String)> {
    ["DOCKER_HOST", "DOCKER_CONTEXT"]
        .into_iter()
        .filter_map(|name| Some((name, std::env::var(name).ok()?)))
        .collect()
}

/// The one fake `docker`: it plays back the tape named by `FAKE_DOCKER_TAPE`
/// (see `tests/fixtures/tapes/README.md`).
pub fn fake_docker() -> PathBuf {
    repo().join("tests/fake/docker")
}

/// A file or folder of `tests/fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    repo().join("tests/fixtures").join(path)
}

/// A tape of `tests/fixtures/tapes/`.
pub fn tape(name: &str) -> PathBuf {
    fixture("tapes").join(name)
}

/// The text of a lesson of `tests/fixtures/lessons/`, with each `@NAME@` of
/// `values` replaced (for what only the test knows, such as a pid file's path).
pub fn lesson(name: &str, values: &[(&str, &dyn Display)]) -> String {
    let path = fixture("lessons").join(name);
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read the lesson fixture {}: {e}", path.display()));
    for (name, value) in values {
        let placeholder = format!("@{name}@");
        assert!(
            text.contains(&placeholder),
            "{} has no {placeholder}",
            path.display()
        );
        text = text.replace(&placeholder, &value.to_string());
    }
    assert!(
        !regex::Regex::new(r"@[A-Z_]+@").unwrap().is_match(&text),
        "{} has a placeholder no value was given for",
        path.display()
    );
    text
}

/// A copy of the tutorial in `dir` (the lessons, `app/`, the Dockerfiles),
/// with lesson 5 as recorded before Engine 28 (`tests/fixtures/recorded-drift`),
/// so `--bless` can write into it; returns its `lessons/` folder.
pub fn tutorial_with_recorded_drift(dir: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        if from.is_dir() {
            std::fs::create_dir_all(to).expect("create a folder");
            for entry in std::fs::read_dir(from).expect("read a folder") {
                let entry = entry.expect("a folder entry");
                copy(&entry.path(), &to.join(entry.file_name()));
            }
        } else {
            std::fs::copy(from, to).expect("copy a file");
        }
    }
    for name in [
        "lessons",
        "app",
        "Dockerfile",
        "Dockerfile-simple",
        ".dockerignore",
    ] {
        copy(&repo().join(name), &dir.join(name));
    }
    let lesson = "05-debug-without-shell.yaml";
    copy(
        &fixture("recorded-drift").join(lesson),
        &dir.join("lessons").join(lesson),
    );
    dir.join("lessons")
}
