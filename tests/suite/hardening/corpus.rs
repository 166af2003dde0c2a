//! The bad-input corpus: every folder under `tests/bad_lessons/` holds a
//! broken `lessons/` folder and `expected.txt`, the whole stderr the check
//! must print. Each must exit 2 before any command runs: the docker client
//! given is the fake with a tape that records nothing, which logs any call.

use std::fs;
use std::time::Duration;

use std::path::Path;
use std::process::Command;

use support::lab::{ks, run, Lab};
use support::text::{assert_text, diff};

fn cases() -> Vec<std::path::PathBuf> {
    let mut cases: Vec<_> = fs::read_dir(support::repo().join("tests/bad_lessons"))
        .expect("the corpus folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// The fake docker with a tape that records nothing, its state (and so its
/// log of calls, `calls`) in `state`: the state folder exists only once it
/// was called.
fn no_docker(cmd: &mut Command, state: &Path) {
    cmd.env("FAKE_DOCKER_TAPE", support::tape("faults/nothing.tape"))
        .env("FAKE_DOCKER_STATE", state)
        .arg("--docker")
        .arg(support::fake_docker());
}

#[test]
fn every_bad_lesson_is_refused_before_anything_runs() {
    let cases = cases();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    let calls = Lab::new();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(expected) = fs::read_to_string(case.join("expected.txt")) else {
            failures.push(format!("== {name}\nno expected.txt"));
            continue;
        };
        let state = calls.file(&name);
        let marker = state.join("calls");
        let mut cmd = ks(case);
        cmd.arg("--color=never");
        no_docker(&mut cmd, &state);
        cmd.args(["check", "--lessons", "lessons"]);
        let ran = run(cmd, Duration::from_secs(30));
        let mut problems = Vec::new();
        if ran.code != Some(2) {
            problems.push(format!("exit {:?}, expected 2", ran.code));
        }
        if ran.stderr != expected {
            problems.extend(diff("stderr", &expected, &ran.stderr));
        }
        if !ran.stdout.is_empty() {
            problems.push(format!("stdout not empty:\n{}", ran.stdout));
        }
        if marker.exists() {
            problems.push(format!(
                "docker was called: {}",
                fs::read_to_string(&marker).unwrap()
            ));
        }
        if !problems.is_empty() {
            failures.push(format!("== {name}\n{}", problems.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every message names a file and, except for whole-file or whole-folder
/// problems, the line and column.
#[test]
fn every_message_names_the_file_and_line() {
    let located = regex::Regex::new(r"^error: lessons/[a-z]+\.yaml:\d+:\d+: \S").unwrap();
    let whole = ["30-empty-file", "31-no-lessons"];
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected = fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
        let first = expected.lines().next().unwrap_or_default();
        if whole.contains(&name.as_str()) {
            assert!(first.starts_with("error: lessons"), "{name}: {first}");
        } else {
            assert!(
                located.is_match(first),
                "{name} lacks file:line:column: {first}"
            );
        }
    }
}

/// The corpus's proof that nothing ran is only worth something if the
/// marker client does notice a run.
#[test]
fn the_marker_client_notices_a_run() {
    let lab = Lab::new();
    lab.lessons(&["hello.yaml"], &[]);
    let marker = lab.file("fake/calls");
    let mut cmd = ks(lab.path());
    no_docker(&mut cmd, &lab.file("fake"));
    cmd.args(["check", "--lessons", "lessons"]);
    let ran = run(cmd, Duration::from_secs(30));
    assert_eq!(ran.code, Some(3), "{ran:?}");
    assert_eq!(
        fs::read_to_string(&marker).unwrap(),
        "version --format '{{json .}}'\n"
    );
}

fn two_lessons() -> Lab {
    let lab = Lab::new();
    lab.lessons(
        &["two-lessons/01-build.yaml", "two-lessons/02-hello.yaml"],
        &[],
    );
    lab
}

#[test]
fn an_unknown_lesson_on_the_command_line_lists_the_known_ones() {
    let lab = two_lessons();
    for sub in ["check", "run"] {
        let state = lab.file(sub);
        let marker = state.join("calls");
        let mut cmd = ks(lab.path());
        no_docker(&mut cmd, &state);
        cmd.args([sub, "--lessons", "lessons", "hello", "helo"]);
        let ran = run(cmd, Duration::from_secs(30));
        assert_eq!(ran.code, Some(2), "{sub}: {ran:?}");
        assert_text(
            sub,
            "error: unknown lesson `helo`; known lessons: build, hello\n\
             hint: see `knowing-scratch list`\n",
            &ran.stderr,
        );
        assert_eq!(ran.stdout, "");
        assert!(!marker.exists(), "{sub} called docker");
    }
}
