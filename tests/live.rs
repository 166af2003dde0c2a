//! End to end against the real Docker engines that `tests/engine/setup.sh`
//! starts: the built binary checks every lesson on each engine of the matrix
//! with two clients, and catches drift made on purpose by wrapper clients
//! (`tests/engine/wrappers/`) on the default engine and on Engine 28.5 with
//! the containerd image store.
//!
//! The matrix: the default engine (20.10, or whatever `DOCKER_HOST` or
//! `DOCKER_CONTEXT` name) with client 20.10 (built-in BuildKit) and client
//! 28.2 (buildx 0.13); the contexts `ks-28.5` (classic store) and
//! `ks-28.5-containerd` (containerd store), each with client 28.5 (buildx
//! 0.29) and client 28.2. The tests reach a context's engine through its
//! address (`DOCKER_HOST`), not `DOCKER_CONTEXT`: buildx names its default
//! builder after the current context, and the lessons show the name
//! `default`, as readers see it.
//!
//! These tests fail, not skip, when no engine answers: a green run must mean
//! the lessons were really replayed. The clients' paths are facts of the
//! machine, so environment variables can name others:
//! `KNOWING_SCRATCH_E2E_CLIENT_OLD` (default `/usr/bin/docker`, 20.10 with
//! its built-in BuildKit), `KNOWING_SCRATCH_E2E_CLIENT_NEW` (default
//! `/usr/local/bin/docker`, 28.2 with the buildx plugin) and
//! `KNOWING_SCRATCH_E2E_CLIENT_28_5` (default
//! `/opt/knowing-scratch/docker-28.5/bin/docker`, 28.5 with buildx 0.29).
//!
//! Tests on one engine share its images and tags, so they take turns
//! (`support::engine`, one lock per engine). Different engines run side by
//! side. The test harness starts
//! tests in name order, so the names (`matrix_1_…` to `matrix_6_…`, then
//! the wrappers' tests) put each test next to ones on other engines: two
//! test threads then rarely wait for the same lock.
//! Docker Hub is declared unreachable (`KNOWING_SCRATCH_REGISTRY=0`) so the
//! counts do not depend on the network: the steps that need it are skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::engine::Engine;
use support::expect::{
    all_lessons, all_passed, ONE_WORD_DRIFT, VARIANTS_20_10, VARIANTS_20_10_28_2,
};
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
const CONTAINERD_BUILDX: &str =
    "engine [V] (containerd image store), client [V] with buildx, runc [V]\n";

/// The verdicts that name a variant on Engine 28.5. With client 28.5 and the
/// classic store, none: the lessons show that pair first.
const VARIANTS_28_5_CLASSIC_28_5: &[(&str, &str)] = &[];
const VARIANTS_28_5_CLASSIC_28_2: &[(&str, &str)] =
    &[("shell-form/RUN in a scratch stage", "client < 28.5")];
const VARIANTS_28_5_CONTAINERD_28_5: &[(&str, &str)] = &[
    ("create-from-scratch/Build the image", "store == containerd"),
    (
        "create-from-scratch/Look at its size",
        "store == containerd",
    ),
    (
        "non-root-user/Build the non-root image",
        "store == containerd",
    ),
];
const VARIANTS_28_5_CONTAINERD_28_2: &[(&str, &str)] = &[
    ("create-from-scratch/Build the image", "store == containerd"),
    (
        "create-from-scratch/Look at its size",
        "store == containerd",
    ),
    (
        "non-root-user/Build the non-root image",
        "store == containerd",
    ),
    ("shell-form/RUN in a scratch stage", "client < 28.5"),
];

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

fn client_28_5() -> PathBuf {
    client(
        "KNOWING_SCRATCH_E2E_CLIENT_28_5",
        "/opt/knowing-scratch/docker-28.5/bin/docker",
    )
}

/// An engine of the matrix: `None` is the user's (the default socket unless
/// `DOCKER_HOST` or `DOCKER_CONTEXT` say otherwise), `Some` a context that
/// the set-up script registers.
type Context = Option<&'static str>;
const DEFAULT: Context = None;
const ENGINE_28_5: Context = Some("ks-28.5");
const ENGINE_28_5_CONTAINERD: Context = Some("ks-28.5-containerd");

/// One engine, held for one test: its turn, and where the tool reaches it.
struct OnEngine {
    _turn: Engine,
    host: Option<String>,
}

impl OnEngine {
    /// Wait for the other live tests on this engine, then make sure it answers.
    fn take(context: Context, client: &Path) -> OnEngine {
        let Some(name) = context else {
            return OnEngine {
                _turn: Engine::take(client),
                host: None,
            };
        };
        let host = context_host(name, client);
        OnEngine {
            _turn: Engine::take_other(name, client, &host),
            host: Some(host),
        }
    }

    /// The tool, run where the engine answers.
    fn test(&self) -> Test {
        let mut test = Test::new().timeout(CHECK_TIMEOUT).redact(HEADER, HEADER_AS);
        match &self.host {
            Some(host) => test = test.env("DOCKER_HOST", host),
            None => {
                for (name, value) in support::user_docker_env() {
                    test = test.env(name, &value);
                }
            }
        }
        test
    }
}

/// The address of the engine a context names.
fn context_host(name: &str, client: &Path) -> String {
    let out = Command::new(client)
        .args([
            "context",
            "inspect",
            "--format",
            "{{.Endpoints.docker.Host}}",
            name,
        ])
        .output()
        .expect("run the docker client");
    assert!(
        out.status.success(),
        "no Docker context `{name}`: run `sudo tests/engine/setup.sh` (without KNOWING_SCRATCH_ENGINES=default): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn wrapper(name: &str) -> PathBuf {
    repo().join("tests/engine/wrappers").join(name)
}

/// `check` of every lesson on one engine with one client passes, comparing
/// the steps named in `variants` against those variants.
fn every_lesson_passes(context: Context, docker: &Path, header: &str, variants: &[(&str, &str)]) {
    let engine = OnEngine::take(context, docker);
    let mut test = engine.test().docker(docker);
    if docker == old_client().as_path() {
        test = test.env("DOCKER_BUILDKIT", "1");
    }
    test.redact(CLEANED, CLEANED_AS)
        .arg("check")
        .stdout(&all_passed(header, &all_lessons(), variants, &IDS))
        .stderr("")
        .run();
}

#[test]
fn matrix_1_engine_20_10_client_20_10_builtin_buildkit() {
    every_lesson_passes(DEFAULT, &old_client(), CLASSIC_BUILTIN, VARIANTS_20_10);
}

#[test]
fn matrix_4_engine_20_10_client_28_2() {
    every_lesson_passes(DEFAULT, &new_client(), CLASSIC_BUILDX, VARIANTS_20_10_28_2);
}

#[test]
fn matrix_2_engine_28_5_client_28_5() {
    every_lesson_passes(
        ENGINE_28_5,
        &client_28_5(),
        CLASSIC_BUILDX,
        VARIANTS_28_5_CLASSIC_28_5,
    );
}

#[test]
fn matrix_5_engine_28_5_client_28_2() {
    every_lesson_passes(
        ENGINE_28_5,
        &new_client(),
        CLASSIC_BUILDX,
        VARIANTS_28_5_CLASSIC_28_2,
    );
}

#[test]
fn matrix_3_engine_28_5_containerd_store_client_28_5() {
    every_lesson_passes(
        ENGINE_28_5_CONTAINERD,
        &client_28_5(),
        CONTAINERD_BUILDX,
        VARIANTS_28_5_CONTAINERD_28_5,
    );
}

#[test]
fn matrix_6_engine_28_5_containerd_store_client_28_2() {
    every_lesson_passes(
        ENGINE_28_5_CONTAINERD,
        &new_client(),
        CONTAINERD_BUILDX,
        VARIANTS_28_5_CONTAINERD_28_2,
    );
}

/// The drift wrapper changes `reserved name` to `reserved word` in the real
/// output of `image pull` only.
fn one_changed_word_is_drift(context: Context, docker: &Path, header: &str) {
    let engine = OnEngine::take(context, docker);
    engine
        .test()
        .docker(&wrapper("docker-drift"))
        .env("KNOWING_SCRATCH_REAL_DOCKER", &docker.to_string_lossy())
        .args(["check", "interesting-outputs"])
        .stdout(&format!("{header}{}", unindent(ONE_WORD_DRIFT)))
        .stderr("")
        .status(1)
        .run();
}

#[test]
fn one_changed_word_of_a_real_output_is_drift() {
    one_changed_word_is_drift(DEFAULT, &new_client(), CLASSIC_BUILDX);
}

#[test]
fn one_changed_word_is_drift_on_engine_28_5_containerd_store() {
    one_changed_word_is_drift(ENGINE_28_5_CONTAINERD, &client_28_5(), CONTAINERD_BUILDX);
}

/// The volatile wrapper changes IDs, digests and sizes in real outputs.
fn volatile_changes_are_not_drift(
    context: Context,
    docker: &Path,
    header: &str,
    variants: &[(&str, &str)],
) {
    let engine = OnEngine::take(context, docker);
    engine
        .test()
        .docker(&wrapper("docker-volatile"))
        .env("KNOWING_SCRATCH_REAL_DOCKER", &docker.to_string_lossy())
        .redact(CLEANED, CLEANED_AS)
        .arg("check")
        .stdout(&all_passed(header, &all_lessons(), variants, &IDS))
        .stderr("")
        .run();
}

#[test]
fn volatile_changes_to_real_outputs_are_not_drift() {
    volatile_changes_are_not_drift(DEFAULT, &new_client(), CLASSIC_BUILDX, VARIANTS_20_10_28_2);
}

#[test]
fn volatile_changes_are_not_drift_on_engine_28_5_containerd_store() {
    volatile_changes_are_not_drift(
        ENGINE_28_5_CONTAINERD,
        &client_28_5(),
        CONTAINERD_BUILDX,
        VARIANTS_28_5_CONTAINERD_28_5,
    );
}
