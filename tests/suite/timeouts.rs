//! Steps that never end: stopped on purpose, or killed at their timeout.

use std::time::{Duration, Instant};

use support::test::Test;
use support::text::unindent;

const VERSION: &str = r#"
    $ docker version --format '{{json .}}'
    {"Client":{"Version":"28.2.2"},"Server":{"Version":"20.10.24+dfsg1","Components":[{"Name":"runc","Version":"1.1.5+ds1"}]}}

    $ docker buildx version
    @offline
    github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3
"#;

#[test]
fn a_hanging_step_times_out_quickly() {
    let started = Instant::now();
    Test::new()
        .lesson(
            "hang.yaml",
            "
            id: hang
            title: A command that never ends
            steps:
              - title: Follow the logs
                run: docker container logs --follow app
                timeout: 1s
                output: |
                  listening on :8080
              - title: Show the logs
                run: docker container logs app
                output: |
                  listening on :8080
            ",
        )
        .tape_text(&format!(
            "{}\n{}",
            unindent(VERSION),
            unindent(
                "
                $ docker container logs --follow app
                @hang
                listening on :8080

                $ docker container logs app
                listening on :8080
                "
            )
        ))
        .arg("check")
        // This tape records no `docker info`, so the header names no image store.
        .stdout(
            "
            engine 20.10.24+dfsg1, client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            hang · A command that never ends
              FAIL Follow the logs [TIME]
                where: hang › step 1 `Follow the logs`
                why: timed out after 1s
                command: docker container logs --follow app
              ok Show the logs [TIME]
            1 passed, 1 failed, 0 skipped
            ",
        )
        .stderr("")
        .status(1)
        .run();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "took {took:?}");
}
