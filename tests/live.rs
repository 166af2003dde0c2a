//! End to end against the real Docker engine that `tests/engine/setup.sh`
//! starts: the built binary checks every lesson with both clients the
//! lessons were recorded with, and catches drift made on purpose by wrapper
//! clients (`tests/engine/wrappers/`).
//!
//! These tests fail, not skip, when no engine answers: a green run must mean
//! the lessons were really replayed. The clients' paths are facts of the
//! machine, so environment variables can name others:
//! `KNOWING_SCRATCH_E2E_CLIENT_OLD` (default `/usr/bin/docker`, 20.10 with
//! its built-in BuildKit) and `KNOWING_SCRATCH_E2E_CLIENT_NEW` (default
//! `/usr/local/bin/docker`, 28 with the buildx plugin).
//!
//! The tests share one engine and one image tag, so they take turns
//! (`support::engine`).
//! Docker Hub is declared unreachable (`KNOWING_SCRATCH_REGISTRY=0`) so the
//! counts do not depend on the network: the steps that need it are skipped.

use std::path::PathBuf;
use std::time::Duration;

use support::engine::Engine;
use support::expect::{all_lessons, all_passed, ONE_WORD_DRIFT, VARIANTS_20_10};
use support::repo;
use support::test::Test;
use support::text::unindent;

/// A whole check builds two images and waits on the app: minutes at worst.
const CHECK_TIMEOUT: Duration = Duration::from_secs(600);

/// The IDs of the containers the lessons leave for the cleanup (the real
/// engine makes them up): two `run --detach` of the tutorial, the `container
/// create` of look-inside and the app of debug-namespaces.
const CLEANED: &str = r"(?m)^(cleaned up 4 container\(s\) this run created:)(?: [0-9a-f]{12}){4}$";
const CLEANED_AS: &str = "$1 [ID] [ID] [ID] [ID]";
const IDS: [&str; 4] = ["[ID]"; 4];

/// The report's first line names the engine; its version numbers are facts of
/// the machine, its store and builder are what these tests check.
const HEADER: &str = r"\Aengine [^ ,]+ \((\w+) image store\), client [^ ,]+ with (buildx|built-in BuildKit)(?: [^ ,]+)?, runc [^ ,\n]+\n";
const HEADER_AS: &str = "engine [V] ($1 image store), client [V] with $2, runc [V]\n";
const CLASSIC_BUILTIN: &str =
    "engine [V] (classic image store), client [V] with built-in BuildKit, runc [V]\n";
const CLASSIC_BUILDX: &str = "engine [V] (classic image store), client [V] with buildx, runc [V]\n";

fn client(var: &str, default: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    assert!(
        path.is_file(),
        "no docker client at {}: install it (`sudo tests/engine/setup.sh`) or name another with {var}",
        path.display()
    );
    path
}

fn old_client() -> PathBuf {
    client("KNOWING_SCRATCH_E2E_CLIENT_OLD", "/usr/bin/docker")
}

fn new_client() -> PathBuf {
    client("KNOWING_SCRATCH_E2E_CLIENT_NEW", "/usr/local/bin/docker")
}

/// The tool, run where the user's docker would connect.
fn live_test() -> Test {
    let mut test = Test::new().timeout(CHECK_TIMEOUT).redact(HEADER, HEADER_AS);
    for (name, value) in support::user_docker_env() {
        test = test.env(name, &value);
    }
    test
}

fn wrapper(name: &str) -> PathBuf {
    repo().join("tests/engine/wrappers").join(name)
}

#[test]
fn lessons_match_on_client_20_10_with_builtin_buildkit() {
    let docker = old_client();
    let _engine = Engine::take(&docker);
    live_test()
        .docker(&docker)
        .env("DOCKER_BUILDKIT", "1")
        .redact(CLEANED, CLEANED_AS)
        .arg("check")
        .stdout(&all_passed(
            CLASSIC_BUILTIN,
            &all_lessons(),
            VARIANTS_20_10,
            &IDS,
        ))
        .stderr("")
        .run();
}

#[test]
fn lessons_match_on_client_28_with_buildx() {
    let docker = new_client();
    let _engine = Engine::take(&docker);
    live_test()
        .docker(&docker)
        .redact(CLEANED, CLEANED_AS)
        .arg("check")
        .stdout(&all_passed(CLASSIC_BUILDX, &all_lessons(), &[], &IDS))
        .stderr("")
        .run();
}

/// The drift wrapper changes `reserved name` to `reserved word` in the real
/// output of `image pull` only.
#[test]
fn one_changed_word_of_a_real_output_is_drift() {
    let docker = new_client();
    let _engine = Engine::take(&docker);
    live_test()
        .docker(&wrapper("docker-drift"))
        .env("KNOWING_SCRATCH_REAL_DOCKER", &docker.to_string_lossy())
        .args(["check", "interesting-outputs"])
        .stdout(&format!("{CLASSIC_BUILDX}{}", unindent(ONE_WORD_DRIFT)))
        .stderr("")
        .status(1)
        .run();
}

/// The volatile wrapper changes IDs, digests and sizes in real outputs.
#[test]
fn volatile_changes_to_real_outputs_are_not_drift() {
    let docker = new_client();
    let _engine = Engine::take(&docker);
    live_test()
        .docker(&wrapper("docker-volatile"))
        .env("KNOWING_SCRATCH_REAL_DOCKER", &docker.to_string_lossy())
        .redact(CLEANED, CLEANED_AS)
        .arg("check")
        .stdout(&all_passed(CLASSIC_BUILDX, &all_lessons(), &[], &IDS))
        .stderr("")
        .run();
}
