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
use std::process::Command;
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

/// Where the context `ks-28.5` (Engine 28.5, overlay2 store, started by
/// `tests/engine/setup.sh`) listens. The tool is pointed there with
/// `DOCKER_HOST` rather than `DOCKER_CONTEXT`: buildx names its builder after
/// the context, which would change the build log's first line.
fn engine_28_5(client: &PathBuf) -> String {
    let out = Command::new(client)
        .args([
            "context",
            "inspect",
            "ks-28.5",
            "--format",
            "{{.Endpoints.docker.Host}}",
        ])
        .output()
        .expect("run the docker client");
    let host = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && !host.is_empty(),
        "no docker context `ks-28.5`: run `sudo tests/engine/setup.sh` to start the Engine 28.5 engines"
    );
    let answer = Command::new(client)
        .args(["-H", &host, "version", "--format", "{{.Server.Version}}"])
        .output()
        .expect("run the docker client");
    let version = String::from_utf8_lossy(&answer.stdout).trim().to_string();
    assert!(
        answer.status.success() && version.starts_with("28."),
        "the context `ks-28.5` at {host} answers {version:?}, not an Engine 28: {}",
        String::from_utf8_lossy(&answer.stderr)
    );
    host
}

/// The verdict and bless lines of a report: what these tests compare.
fn verdicts(stdout: &str) -> Vec<String> {
    let time = regex::Regex::new(r" \[TIME\]$").expect("a valid regex");
    stdout
        .lines()
        .filter(|l| l.starts_with("  ok ") || l.starts_with("  FAIL ") || l.starts_with("blessed "))
        .map(|l| time.replace(l, "").into_owned())
        .collect()
}

/// A drift recorded on Engine 28.5 is blessed into a new variant; then the
/// lessons pass on Engine 28.5 and on the 20.10 engine they were recorded on.
#[test]
fn a_drift_blessed_into_a_variant_passes_on_both_engines() {
    let docker = new_client();
    let _engine = Engine::take(&docker);
    let host = engine_28_5(&docker);
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let lessons = support::tutorial_with_recorded_drift(tmp.path());
    let read = |name: &str| std::fs::read_to_string(lessons.join(name)).expect("read a lesson");
    let names: Vec<String> = std::fs::read_dir(&lessons)
        .expect("read the lessons")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let before: Vec<String> = names.iter().map(|n| read(n)).collect();
    let on_28_5 = || {
        live_test()
            .docker(&docker)
            .lessons_at(&lessons)
            .env("DOCKER_CONTEXT", "")
            .env("DOCKER_HOST", &host)
    };

    // The image lesson 5 needs, built on Engine 28.5. Whether its build log
    // matches there is another lesson's business (and not blessed here), so
    // lesson 5 then runs alone.
    let built = on_28_5().args(["check", "create-from-scratch"]).run_any();
    assert!(
        matches!(built.status, 0 | 1) && built.stdout.contains("\n  ok Run it "),
        "building the image on Engine 28.5:\n{}{}",
        built.stdout,
        built.stderr
    );
    let out = on_28_5()
        .args([
            "check",
            "--bless=variant",
            "--no-deps",
            "debug-without-shell",
        ])
        .redact(&regex::escape(&tmp.path().display().to_string()), "[MINE]")
        .stderr("")
        .run();
    assert_eq!(
        verdicts(&out.stdout),
        [
            "  ok Start the app in the background",
            "  FAIL Try to open a shell",
            "  ok Borrow the tools of a debug container",
            "blessed [MINE]/lessons/05-debug-without-shell.yaml: step 'Try to open a shell' as a new variant `server >= 28`",
        ],
        "{}",
        out.stdout
    );

    // Only lesson 5 changed, by exactly the new variant after the last one,
    // recorded with this machine's versions, on Engine 28.
    let recorded = regex::Regex::new(
        r"(?m)^        recorded: Docker [0-9.]+ client \(buildx [0-9.]+\), engine 28\.[0-9.]+, runc [0-9.]+, classic store$",
    )
    .expect("a valid regex");
    for (name, old) in names.iter().zip(&before) {
        if name != "05-debug-without-shell.yaml" {
            assert_eq!(&read(name), old, "{name} changed");
            continue;
        }
        let last = "          OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: \"bash\": executable file not found in $PATH: unknown\n";
        assert_eq!(
            old.matches(last).count(),
            1,
            "the runc < 1.1 variant's output"
        );
        let after = read(name);
        let line = recorded
            .find(&after)
            .unwrap_or_else(|| panic!("no recorded: line in\n{after}"))
            .as_str();
        let variant = format!(
            "      - when: server >= 28\n{line}\n        exit: 127\n        output: |\n          OCI runtime exec failed: exec failed: unable to start container process: exec: \"bash\": executable file not found in $PATH\n"
        );
        assert_eq!(after, old.replace(last, &format!("{last}{variant}")));
    }

    // The next check passes on Engine 28.5, with the new variant...
    let out = on_28_5()
        .args(["check", "--no-deps", "debug-without-shell"])
        .stderr("")
        .run();
    assert_eq!(
        verdicts(&out.stdout),
        [
            "  ok Start the app in the background",
            "  ok Try to open a shell [variant: server >= 28]",
            "  ok Borrow the tools of a debug container",
        ],
        "{}",
        out.stdout
    );
    // ...and on the 20.10 engine, with the output it was recorded with.
    let out = live_test()
        .docker(&docker)
        .lessons_at(&lessons)
        .args(["check", "debug-without-shell"])
        .stderr("")
        .run();
    assert_eq!(
        verdicts(&out.stdout),
        [
            "  ok Build the image",
            "  ok Look at its size",
            "  ok Run it",
            "  ok Start the app in the background",
            "  ok Try to open a shell",
            "  ok Borrow the tools of a debug container",
        ],
        "{}",
        out.stdout
    );
}
