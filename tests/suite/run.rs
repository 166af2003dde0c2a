//! `run` shows each command, its real output as it arrives, and a verdict.

use support::test::Test;

#[test]
fn run_shows_command_output_and_verdict() {
    Test::new()
        .args(["run", "interesting-outputs"])
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1

            interesting-outputs · Interesting command outputs

            image pull
            $ docker image pull scratch
            Using default tag: latest
            Error response from daemon: 'scratch' is a reserved name
              ok image pull [TIME]

            image ls
            $ docker image ls scratch
            REPOSITORY   TAG       IMAGE ID   CREATED   SIZE
              ok image ls [TIME]

            container run
            $ docker container run scratch
            Unable to find image 'scratch:latest' locally
            docker: Error response from daemon: 'scratch' is a reserved name

            Run 'docker run --help' for more information
              ok container run [TIME]

            scan
            $ docker scan scratch
            docker: unknown command: docker scan

            Run 'docker --help' for more information
              ok scan [TIME]
              skip regctl manifest (needs `registry`: Docker Hub is not reachable; needs `regctl`: not found on PATH)

            4 passed, 0 failed, 1 skipped
            ",
        )
        .stderr("")
        .run();
}

#[test]
fn run_runs_the_needed_lesson_first_quietly() {
    Test::new()
        .args(["run", "image-layers"])
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            running `create-from-scratch` first (needed)…

            image-layers · Image layers behavior

            Show the history
            $ docker image history knowing-scratch-image \\
                --format 'table {{.CreatedBy}}\\t{{.Size}}'
            CREATED BY                         SIZE
            ENTRYPOINT [\"/app\"]                0B
            COPY /go/bin/app /app # buildkit   2.21MB
              ok Show the history [TIME]

            4 passed, 0 failed, 0 skipped
            ",
        )
        .stderr("")
        .run();
}
