//! `check --engine A --engine B`: several engines in one run, each an engine
//! of its own in the fake (`FAKE_DOCKER_TAPE_<context>`, its own containers),
//! and `DOCKER_HOST=unix:///nonexistent.sock` for one that does not answer.

use serde_json::Value;

use crate::check::one_word_drift_tape;
use support::tape;
use support::test::Test;

fn real_tape() -> String {
    std::fs::read_to_string(tape("docker-28-buildx.tape")).expect("read the tape")
}

/// Two engines that answer (one with a changed word) and one that does not.
fn three_engines() -> Test {
    Test::new()
        .context_tape("same", &real_tape())
        .context_tape("drift", &one_word_drift_tape())
        .args([
            "check",
            "interesting-outputs",
            "--engine",
            "same",
            "--engine",
            "drift",
            "--engine",
            "unix:///nonexistent.sock",
        ])
}

const MATRIX: &str = "
    lesson               same  drift   unix:///nonexistent.sock
    interesting-outputs  ok    FAIL 1  -

    drift › interesting-outputs · Interesting command outputs
      FAIL image pull [TIME]
        where: drift › interesting-outputs › step 1 `image pull`
        why: output differs from the docs
        command: docker image pull scratch
        diff: - documented + real
          Using default tag: latest
        - Error response from daemon: 'scratch' is a reserved name
        + Error response from daemon: 'scratch' is a reserved word

    same: 4 passed, 0 failed, 1 skipped (engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1)
    drift: 3 passed, 1 failed, 1 skipped (engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1)
    unix:///nonexistent.sock: unreachable: no Docker engine answers at unix:///nonexistent.sock: Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?
    7 passed, 1 failed, 2 skipped
    ";

#[test]
fn a_drifted_engine_exits_1_with_a_matrix_and_its_diff_labelled() {
    three_engines().stdout(MATRIX).stderr("").status(1).run();
}

#[test]
fn an_unreachable_engine_exits_3_while_the_others_report() {
    Test::new()
        .context_tape("same", &real_tape())
        .args([
            "check",
            "interesting-outputs",
            "--engine",
            "same",
            "--engine",
            "unix:///nonexistent.sock",
        ])
        .stdout(
            "
            lesson               same  unix:///nonexistent.sock
            interesting-outputs  ok    -

            same: 4 passed, 0 failed, 1 skipped (engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1)
            unix:///nonexistent.sock: unreachable: no Docker engine answers at unix:///nonexistent.sock: Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?
            4 passed, 0 failed, 1 skipped
            ",
        )
        .stderr("")
        .status(3)
        .run();
}

#[test]
fn all_engines_passing_exit_0_and_each_cleans_up_its_own_containers() {
    let out = Test::new()
        .context_tape("one", &real_tape())
        .context_tape("two", &real_tape())
        .args([
            "check",
            "debug-without-shell",
            "--engine",
            "one",
            "--engine",
            "two",
        ])
        .stdout(
            "
            lesson                        one  two
            create-from-scratch (needed)  ok   ok
            debug-without-shell           ok   ok

            one: 6 passed, 0 failed, 0 skipped (engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1; cleaned up 1 container(s))
            two: 6 passed, 0 failed, 0 skipped (engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1; cleaned up 1 container(s))
            12 passed, 0 failed, 0 skipped
            ",
        )
        .stderr("")
        .run();
    // Each engine's run has its own id, and its cleanup asks only for it.
    let runs: std::collections::BTreeSet<&str> = out
        .calls
        .lines()
        .filter_map(|l| l.split("io.knowing-scratch.run=").nth(1))
        .map(|rest| rest.split(' ').next().unwrap_or(rest))
        .collect();
    assert_eq!(runs.len(), 2, "two run ids: {runs:?}");
}

#[test]
fn markdown_is_a_table_for_a_job_summary_with_the_failing_steps_under_it() {
    three_engines()
        .args(["--format", "markdown"])
        .stdout(
            "
            ### knowing-scratch: 7 passed, 1 failed, 2 skipped

            | lesson | `same` | `drift` | `unix:///nonexistent.sock` |
            | --- | --- | --- | --- |
            | interesting-outputs | ok | **FAIL 1** | - |

            - `same`: engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1: 4 passed, 0 failed, 1 skipped
            - `drift`: engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1: 3 passed, 1 failed, 1 skipped
            - `unix:///nonexistent.sock`: unreachable: no Docker engine answers at unix:///nonexistent.sock: Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?

            #### Failing steps

            <details><summary><code>drift</code> › interesting-outputs › step 1 <code>image pull</code>: output differs from the docs</summary>

            ```diff
            $ docker image pull scratch
              Using default tag: latest
            - Error response from daemon: 'scratch' is a reserved name
            + Error response from daemon: 'scratch' is a reserved word
            ```

            </details>
            ",
        )
        .status(1)
        .run();
}

#[test]
fn json_has_an_engines_array_with_each_engines_environment_and_lessons() {
    let out = three_engines().args(["--format", "json"]).status(1).run();
    let doc: Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(doc["schema"], 2);
    assert_eq!(
        doc["summary"],
        serde_json::json!({ "passed": 7, "failed": 1, "skipped": 2, "not_run": 0 })
    );
    let engines = doc["engines"].as_array().expect("engines");
    let names: Vec<&str> = engines
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["same", "drift", "unix:///nonexistent.sock"]);
    assert_eq!(engines[0]["environment"]["server"], "20.10.24+dfsg1");
    assert_eq!(engines[0]["environment"]["transport"], "local");
    assert_eq!(engines[0]["environment"]["endpoint"], "the context `same`");
    assert_eq!(
        engines[1]["summary"],
        serde_json::json!({ "passed": 3, "failed": 1, "skipped": 1, "not_run": 0 })
    );
    assert_eq!(engines[1]["lessons"][0]["steps"][0]["status"], "failed");
    assert_eq!(engines[0]["lessons"][0]["steps"][0]["status"], "passed");
    assert!(engines[2].get("lessons").is_none());
    assert_eq!(
        engines[2]["unreachable"],
        "no Docker engine answers at unix:///nonexistent.sock: Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?"
    );
    // The human matrix goes to stderr.
    assert!(
        out.stderr.ends_with("7 passed, 1 failed, 2 skipped\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn junit_has_a_testsuite_per_lesson_and_engine() {
    let out = three_engines().args(["--format", "junit"]).status(1).run();
    let suites: Vec<String> = regex::Regex::new(
        r#"<testsuite name="([^"]*)" tests="(\d+)" disabled="\d+" errors="(\d+)" failures="(\d+)""#,
    )
    .unwrap()
    .captures_iter(&out.stdout)
    .map(|c| {
        format!(
            "{} tests={} errors={} failures={}",
            &c[1], &c[2], &c[3], &c[4]
        )
    })
    .collect();
    assert_eq!(
        suites,
        [
            "same › interesting-outputs tests=5 errors=0 failures=0",
            "drift › interesting-outputs tests=5 errors=0 failures=1",
            "unix:///nonexistent.sock tests=1 errors=1 failures=0",
        ]
    );
    assert!(out
        .stdout
        .contains(r#"classname="knowing-scratch.drift.interesting-outputs""#));
}

#[test]
fn an_engine_named_twice_is_a_usage_error() {
    Test::new()
        .args(["check", "--engine", "a", "--engine", "a"])
        .stdout("")
        .stderr("error: `--engine a` is named twice\n")
        .status(2)
        .run();
}

#[test]
fn bless_takes_one_engine() {
    Test::new()
        .args(["check", "--engine", "a", "--engine", "b", "--bless"])
        .stdout("")
        .stderr("error: `--bless` writes one engine's outputs: leave out `--engine`, and point DOCKER_HOST or DOCKER_CONTEXT at the engine\n")
        .status(2)
        .run();
}

/// Five lessons that only `echo`; `b` needs `a`.
fn five_lessons(k: &str) -> Test {
    let mut test = Test::new();
    for (i, id) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        let needs = if *id == "b" { "needs: [a]\n" } else { "" };
        test = test.lesson(
            &format!("{i:02}-{id}.yaml"),
            &format!(
                "id: {id}\ntitle: Lesson {id}\n{needs}steps:\n  - title: Say {id}\n    run: echo {id}\n    output: |\n      {id}\n"
            ),
        );
    }
    test.args(["check", "--shard", k])
}

#[test]
fn two_shards_cover_every_lesson_exactly_once_and_needs_come_along() {
    five_lessons("1/2")
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            a · Lesson a
              ok Say a [TIME]
            c · Lesson c
              ok Say c [TIME]
            e · Lesson e
              ok Say e [TIME]
            3 passed, 0 failed, 0 skipped
            ",
        )
        .stderr("")
        .run();
    five_lessons("2/2")
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            a · Lesson a (needed by a later lesson)
              ok Say a [TIME]
            b · Lesson b
              ok Say b [TIME]
            d · Lesson d
              ok Say d [TIME]
            3 passed, 0 failed, 0 skipped
            ",
        )
        .stderr("")
        .run();
}

#[test]
fn a_bad_shard_is_a_usage_error() {
    Test::new()
        .args(["check", "--shard", "3/2"])
        .stdout("")
        .stderr("error: invalid value '3/2' for '--shard <K/N>': expected K/N with 1 <= K <= N, e.g. `--shard 1/2`\n\nFor more information, try '--help'.\n")
        .status(2)
        .run();
}

#[test]
fn jobs_out_of_range_is_a_usage_error() {
    Test::new()
        .args(["check", "--jobs", "0"])
        .stdout("")
        .stderr("error: invalid value '0' for '--jobs <N>': 0 is not in 1..=64\n\nFor more information, try '--help'.\n")
        .status(2)
        .run();
}

#[test]
fn with_no_engine_answering_the_matrix_still_has_its_rows_and_exits_3() {
    Test::new()
        .args([
            "check",
            "debug-without-shell",
            "--engine",
            "unix:///nonexistent.sock",
        ])
        .stdout(
            "
            lesson                        unix:///nonexistent.sock
            create-from-scratch (needed)  -
            debug-without-shell           -

            unix:///nonexistent.sock: unreachable: no Docker engine answers at unix:///nonexistent.sock: Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?
            0 passed, 0 failed, 0 skipped
            ",
        )
        .stderr("")
        .status(3)
        .run();
}
