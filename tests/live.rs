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

/// The line about the images a run left dangling and removed. Whether there
/// is one depends on what the engine held before: a rebuild untags the
/// previous image only when no other tag (one a previous run left, such as
/// `knowing-scratch-lab:non-root` on the same image) still names it, and
/// the containerd image store drops such images itself. So the reports are
/// compared without it, and the tests that run everything assert instead
/// that the engine's dangling images after the run are exactly those before.
const IMAGES: &str =
    r"(?m)^removed [1-9]\d* dangling image\(s\) this run left:(?: [0-9a-f]{12})+\n";

/// The engine's dangling images, sorted (`host`: the engine's address, else
/// the user's).
fn dangling(client: &Path, host: Option<&str>) -> Vec<String> {
    let mut cmd = Command::new(client);
    if let Some(host) = host {
        cmd.env("DOCKER_HOST", host);
    }
    let out = cmd
        .args([
            "image",
            "ls",
            "-q",
            "--no-trunc",
            "--filter",
            "dangling=true",
        ])
        .output()
        .expect("run the docker client");
    assert!(out.status.success(), "{out:?}");
    let mut ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    ids.sort();
    ids
}

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

/// The tool, run where the user's docker would connect (for tests that take
/// the default engine's turn themselves).
fn live_test() -> Test {
    let mut test = Test::new().timeout(CHECK_TIMEOUT).redact(HEADER, HEADER_AS);
    for (name, value) in support::user_docker_env() {
        test = test.env(name, &value);
    }
    test
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
    every_lesson_passes_with_jobs(context, docker, header, variants, 1);
}

/// The same with up to `jobs` lessons at once: the report is the same, word
/// for word, as the serial run's.
fn every_lesson_passes_with_jobs(
    context: Context,
    docker: &Path,
    header: &str,
    variants: &[(&str, &str)],
    jobs: u8,
) {
    let engine = OnEngine::take(context, docker);
    let mut test = engine.test().docker(docker);
    if docker == old_client().as_path() {
        test = test.env("DOCKER_BUILDKIT", "1");
    }
    let before = dangling(docker, engine.host.as_deref());
    let passed = all_passed(header, &all_lessons(), variants, &IDS);
    test.redact(CLEANED, CLEANED_AS)
        .redact(IMAGES, "")
        .args(["check", "--jobs", &jobs.to_string()])
        .stdout(&passed)
        .stderr("")
        .run();
    // The images dangling before the run are still there, and no other.
    assert_eq!(dangling(docker, engine.host.as_deref()), before);
}

#[test]
fn matrix_1_engine_20_10_client_20_10_builtin_buildkit() {
    every_lesson_passes(DEFAULT, &old_client(), CLASSIC_BUILTIN, VARIANTS_20_10);
}

#[test]
fn matrix_4_engine_20_10_client_28_2() {
    every_lesson_passes(DEFAULT, &new_client(), CLASSIC_BUILDX, VARIANTS_20_10_28_2);
}

/// `--jobs 2` gives the verdicts of `--jobs 1` (matrix_4's pair).
#[test]
fn side_by_side_engine_20_10_client_28_2() {
    every_lesson_passes_with_jobs(
        DEFAULT,
        &new_client(),
        CLASSIC_BUILDX,
        VARIANTS_20_10_28_2,
        2,
    );
}

/// `--jobs 2` gives the verdicts of `--jobs 1` (matrix_3's pair).
#[test]
fn side_by_side_engine_28_5_containerd_store_client_28_5() {
    every_lesson_passes_with_jobs(
        ENGINE_28_5_CONTAINERD,
        &client_28_5(),
        CONTAINERD_BUILDX,
        VARIANTS_28_5_CONTAINERD_28_5,
        2,
    );
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
    let passed = all_passed(header, &all_lessons(), variants, &IDS);
    engine
        .test()
        .docker(&wrapper("docker-volatile"))
        .env("KNOWING_SCRATCH_REAL_DOCKER", &docker.to_string_lossy())
        .redact(CLEANED, CLEANED_AS)
        .redact(IMAGES, "")
        .arg("check")
        .stdout(&passed)
        .stderr("")
        .run();
}

/// A lessons folder of its own beside the repository's Dockerfiles and app:
/// `00-hold.yaml` (its one step waits for the file `go` after touching
/// `ready`) and a copy of the real `create-from-scratch`.
fn held_lessons() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("ks-live-lock-")
        .tempdir()
        .expect("a temporary folder");
    let root = dir.path();
    std::fs::create_dir(root.join("lessons")).unwrap();
    // Copies, not links: BuildKit reads the Dockerfile inside its own mount
    // of the context, where a link to an absolute path leads nowhere.
    for name in ["Dockerfile", "Dockerfile-simple", "app"] {
        let copied = Command::new("cp")
            .arg("-R")
            .arg(repo().join(name))
            .arg(root.join(name))
            .status()
            .expect("run cp");
        assert!(copied.success(), "copy {name}");
    }
    std::fs::copy(
        repo().join("lessons/03-create-from-scratch.yaml"),
        root.join("lessons/03-create-from-scratch.yaml"),
    )
    .unwrap();
    std::fs::write(
        root.join("lessons/00-hold.yaml"),
        format!(
            "id: hold\ntitle: Hold the engine\nsteps:\n  - title: Wait for the test\n    timeout: 120s\n    run: |\n      touch {ready}\n      while [ ! -e {go} ]; do sleep 0.1; done\n",
            ready = root.join("ready").display(),
            go = root.join("go").display(),
        ),
    )
    .unwrap();
    dir
}

fn check_in(dir: &std::path::Path, docker: &PathBuf) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_knowing-scratch"))
        .current_dir(dir)
        .args(["--color", "never", "--docker"])
        .arg(docker)
        .args(["check", "hold", "create-from-scratch"])
        .env("KNOWING_SCRATCH_REGISTRY", "0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start knowing-scratch")
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(120), "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Two `check`s at once on one engine (two CI jobs on one runner) take
/// turns through the lock the engine holds: the second says it waits, and
/// neither sees the other's build (BuildKit would merge two identical
/// builds, and the log of one would lack steps).
#[test]
fn two_checks_at_once_on_one_engine_take_turns_and_neither_drifts() {
    use std::io::Read;
    let docker = new_client();
    let _engine = Engine::take(&docker);
    let before = dangling(&docker, None);
    let dir = held_lessons();
    let first = check_in(dir.path(), &docker);
    wait_for("the first run holds the engine", || {
        dir.path().join("ready").exists()
    });
    let mut second = check_in(dir.path(), &docker);
    // The second run says it waits before anything of it runs.
    let mut stderr = second.stderr.take().unwrap();
    let mut said = Vec::new();
    let mut byte = [0u8; 1];
    while !said.ends_with(b"\n") && stderr.read(&mut byte).unwrap() == 1 {
        said.push(byte[0]);
    }
    let waiting = String::from_utf8_lossy(&said).into_owned();
    let expected = regex::Regex::new(&format!(
        r"^waiting for the engine at unix:///var/run/docker\.sock: another run holds it \(process {} on `[^`]+`, for \d+ s\); giving up after 30 min\n$",
        first.id()
    ))
    .unwrap();
    assert!(expected.is_match(&waiting), "{waiting:?}");
    std::fs::write(dir.path().join("go"), "").unwrap();
    let a = first.wait_with_output().unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let b = second.wait_with_output().unwrap();
    let mask = |s: &[u8]| {
        let text = String::from_utf8_lossy(s).into_owned();
        let text = regex::Regex::new(HEADER)
            .unwrap()
            .replace(&text, HEADER_AS)
            .into_owned();
        let text = regex::Regex::new(IMAGES).unwrap().replace(&text, "");
        regex::Regex::new(r"(?m) \d+\.\d\ds$")
            .unwrap()
            .replace_all(&text, " [TIME]")
            .into_owned()
    };
    let want = format!(
        "{CLASSIC_BUILDX}hold · Hold the engine\n  ok Wait for the test [TIME]\n\
         create-from-scratch · Create your image from scratch\n  ok Build the image [TIME]\n  ok Look at its size [TIME]\n  ok Run it [TIME]\n\
         4 passed, 0 failed, 0 skipped\n"
    );
    assert_eq!(a.status.code(), Some(0), "{}", mask(&a.stdout));
    assert_eq!(b.status.code(), Some(0), "{}", mask(&b.stdout));
    assert_eq!(mask(&a.stdout), want);
    assert_eq!(mask(&b.stdout), want);
    // Each run removed what it left dangling, and nothing else.
    assert_eq!(dangling(&docker, None), before);
    assert_eq!(String::from_utf8_lossy(&a.stderr), "");
    assert!(
        regex::Regex::new(r"^got the engine at unix:///var/run/docker\.sock after \d+ s\n$")
            .unwrap()
            .is_match(&rest),
        "{rest:?}"
    );
    let lock = Command::new(&docker)
        .args(["container", "inspect", "knowing-scratch-lock"])
        .output()
        .unwrap();
    assert!(!lock.status.success(), "the lock outlived both runs");
}

/// A remote engine through a real sshd on loopback (`tests/engine/setup.sh`
/// starts it in front of the default engine; `KNOWING_SCRATCH_SSH_ENGINE`
/// names another). The ssh connection helper's log lines are transport
/// noise there, never drift.
#[test]
fn lessons_match_on_an_engine_over_ssh() {
    let docker = new_client();
    let _engine = Engine::take(&docker);
    let url = std::env::var("KNOWING_SCRATCH_SSH_ENGINE")
        .unwrap_or_else(|_| "ssh://root@127.0.0.1:2222".to_string());
    live_test()
        .docker(&docker)
        .redact(
            r"(?m)^(ssh://\S+: 6 passed, 0 failed, 0 skipped) \(.*\)$",
            "$1 (ENGINE)",
        )
        .args([
            "check",
            "create-from-scratch",
            "debug-without-shell",
            "--engine",
            &url,
        ])
        .stdout(&format!(
            "
            lesson               {url}
            create-from-scratch  ok
            debug-without-shell  ok

            {url}: 6 passed, 0 failed, 0 skipped (ENGINE)
            6 passed, 0 failed, 0 skipped
            "
        ))
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
