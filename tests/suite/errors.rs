//! Errors of the tool itself: exit 2 for lessons and usage, 3 for no engine.

use support::expect::all_lessons;
use support::test::Test;

#[test]
fn unknown_lesson_for_check_lists_the_known_ones() {
    Test::new()
        .args(["check", "scratch-secrets"])
        .stdout("")
        .stderr(&format!(
            "
            error: unknown lesson `scratch-secrets`; known lessons: {}
            hint: see `knowing-scratch list`
            ",
            all_lessons().join(", ")
        ))
        .status(2)
        .run();
}

#[test]
fn unknown_lesson_for_run_lists_the_known_ones() {
    Test::new()
        .args(["run", "image-layers", "layers"])
        .stdout("")
        .stderr(&format!(
            "
            error: unknown lesson `layers`; known lessons: {}
            hint: see `knowing-scratch list`
            ",
            all_lessons().join(", ")
        ))
        .status(2)
        .run();
}

#[test]
fn malformed_lesson_is_named_with_file_line_and_column() {
    let out = Test::new()
        .lesson(
            "hello.yaml",
            "
            id: hello
            title: Hello
            steps:
              - title: Say hello
                run: docker version
                timeout: a while
            ",
        )
        .arg("check")
        .stdout("")
        .stderr(
            "
            error: [TMP]/lessons/hello.yaml:6:5: bad `timeout`: `a while` is not a duration: write it like `90s`, `2m` or `500ms`
            ",
        )
        .status(2)
        .run();
    // A lesson-file error stops everything before the engine is asked.
    assert_eq!(out.calls, "");
}

#[test]
fn no_engine_exits_3_naming_the_socket_and_how_to_start_one() {
    let out = Test::new()
        .env("FAKE_DOCKER_DOWN", "1")
        .arg("check")
        .stdout("")
        .stderr(
            "
            error: no Docker engine answers at unix:///var/run/docker.sock: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?
            hint: start one with `sudo systemctl start docker` (or `sudo dockerd &`), point `DOCKER_HOST` at a running engine, or run `sudo tests/engine/setup.sh` from this repository to install and start one
            ",
        )
        .status(3)
        .run();
    assert_eq!(out.calls, "version --format '{{json .}}'\n");
}

#[test]
fn no_engine_names_docker_host_when_set() {
    Test::new()
        .env("FAKE_DOCKER_DOWN", "1")
        .env("DOCKER_HOST", "tcp://10.0.0.7:2375")
        .args(["run", "interesting-outputs"])
        .stdout("")
        .stderr(
            "
            error: no Docker engine answers at DOCKER_HOST=tcp://10.0.0.7:2375: Cannot connect to the Docker daemon at tcp://10.0.0.7:2375. Is the docker daemon running?
            hint: start one with `sudo systemctl start docker` (or `sudo dockerd &`), point `DOCKER_HOST` at a running engine, or run `sudo tests/engine/setup.sh` from this repository to install and start one
            ",
        )
        .status(3)
        .run();
}
