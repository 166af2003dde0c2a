//! `check --bless=variant`: a drift on one engine becomes a new variant, and
//! the lessons then pass on that engine and on the one they were recorded on.

use support::test::Test;
use support::text::unindent;
use support::{tape, tutorial_with_recorded_drift};

/// The 28 tape as an Engine 28.5 prints it where the lessons drift: `docker
/// exec` of a missing binary exits 127, and runc's message lost `: unknown`.
fn engine_28_5_tape() -> String {
    let real = std::fs::read_to_string(tape("docker-28-buildx.tape")).expect("read the tape");
    let exec = "$ docker container exec -it 90aff01ee1b1 bash\n@exit 126\nOCI runtime exec failed: exec failed: unable to start container process: exec: \"bash\": executable file not found in $PATH: unknown\n";
    assert_eq!(real.matches(exec).count(), 1, "the exec entry as recorded");
    let versions: Vec<&str> = real
        .lines()
        .filter(|l| l.contains("20.10.24+dfsg1"))
        .collect();
    assert_eq!(
        versions.len(),
        1,
        "the engine's version only in `docker version`"
    );
    real.replace("20.10.24+dfsg1", "28.5.2").replace(
        exec,
        "$ docker container exec -it 90aff01ee1b1 bash\n@exit 127\nOCI runtime exec failed: exec failed: unable to start container process: exec: \"bash\": executable file not found in $PATH\n",
    )
}

const CHECKED: &str = "
    create-from-scratch · Create your image from scratch (needed by a later lesson)
      ok Build the image [TIME]
      ok Look at its size [TIME]
      ok Run it [TIME]
    debug-without-shell · Access and debug images without shell
      ok Start the app in the background [TIME]
    ";

#[test]
fn a_drift_blessed_into_a_variant_passes_on_both_engines() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let lessons = tutorial_with_recorded_drift(tmp.path());
    let file = lessons.join("05-debug-without-shell.yaml");
    let before = std::fs::read_to_string(&file).expect("read the lesson");
    let header_28_5 =
        "engine 28.5.2 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1\n";

    Test::new()
        .lessons_at(&lessons)
        .tape_text(&engine_28_5_tape())
        .args(["check", "--bless=variant", "debug-without-shell"])
        .redact(&regex::escape(&tmp.path().display().to_string()), "[MINE]")
        .stdout(&format!(
            "{header_28_5}{}{}",
            unindent(CHECKED),
            unindent(
                "
                  FAIL Try to open a shell [TIME]
                    where: debug-without-shell › step 2 `Try to open a shell`
                    why: output differs from the docs; exit code 127, documented 126
                    command: { …
                    diff: - documented + real
                    - OCI runtime exec failed: exec failed: unable to start container process: exec: \"bash\": executable file not found in $PATH: unknown
                    + OCI runtime exec failed: exec failed: unable to start container process: exec: \"bash\": executable file not found in $PATH
                  ok Borrow the tools of a debug container [TIME]
                cleaned up 1 container(s) this run created: 90aff01ee1b1
                5 passed, 1 failed, 0 skipped
                blessed [MINE]/lessons/05-debug-without-shell.yaml: step 'Try to open a shell' as a new variant `server >= 28`
                "
            )
        ))
        .stderr("")
        .status(0)
        .run();

    // The file differs by exactly the new variant, after the last one.
    let after = std::fs::read_to_string(&file).expect("read the lesson");
    let last = "          OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: \"bash\": executable file not found in $PATH: unknown\n";
    assert_eq!(
        before.matches(last).count(),
        1,
        "the runc < 1.1 variant's output"
    );
    let variant = "      - when: server >= 28
        recorded: Docker 28.2.2 client (buildx 0.13.1), engine 28.5.2, runc 1.1.5, classic store
        exit: 127
        output: |
          OCI runtime exec failed: exec failed: unable to start container process: exec: \"bash\": executable file not found in $PATH
";
    assert_eq!(after, before.replace(last, &format!("{last}{variant}")));

    // The next check passes on the 28.5 engine, with the new variant...
    Test::new()
        .lessons_at(&lessons)
        .tape_text(&engine_28_5_tape())
        .args(["check", "debug-without-shell"])
        .stdout(&format!(
            "{header_28_5}{}{}",
            unindent(CHECKED),
            unindent(
                "
                  ok Try to open a shell [variant: server >= 28] [TIME]
                  ok Borrow the tools of a debug container [TIME]
                cleaned up 1 container(s) this run created: 90aff01ee1b1
                6 passed, 0 failed, 0 skipped
                "
            )
        ))
        .stderr("")
        .run();
    // ...and on the engine the lessons were recorded on, with their own output.
    Test::new()
        .lessons_at(&lessons)
        .tape("docker-28-buildx.tape")
        .args(["check", "debug-without-shell"])
        .stdout(&format!(
            "engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1\n{}{}",
            unindent(CHECKED),
            unindent(
                "
                  ok Try to open a shell [TIME]
                  ok Borrow the tools of a debug container [TIME]
                cleaned up 1 container(s) this run created: 90aff01ee1b1
                6 passed, 0 failed, 0 skipped
                "
            )
        ))
        .stderr("")
        .run();
}

/// On the engine the lessons were recorded on, no fact tells a drift's
/// engine from the recorded one: nothing is written and the run exits 1.
#[test]
fn a_drift_on_the_recorded_engine_is_not_blessed_into_a_variant() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let lessons = tutorial_with_recorded_drift(tmp.path());
    let file = lessons.join("02-interesting-outputs.yaml");
    let before = std::fs::read_to_string(&file).expect("read the lesson");
    let real = std::fs::read_to_string(tape("docker-28-buildx.tape")).expect("read the tape");
    let pull = "$ docker image pull scratch\n@exit 1\nUsing default tag: latest\n@stderr\nError response from daemon: 'scratch' is a reserved name\n";
    assert_eq!(real.matches(pull).count(), 1, "the pull entry as recorded");
    let drifted = real.replace(pull, &pull.replace("reserved name", "reserved word"));
    let out = Test::new()
        .lessons_at(&lessons)
        .tape_text(&drifted)
        .args(["check", "--bless=variant", "interesting-outputs"])
        .redact(&regex::escape(&tmp.path().display().to_string()), "[MINE]")
        .stderr(
            "not blessed [MINE]/lessons/02-interesting-outputs.yaml: step 'image pull': no detected fact tells this engine (Docker 28.2.2 client (buildx 0.13.1), engine 20.10.24, runc 1.1.5, classic store) from the one its output was recorded on: the lesson's `recorded:` says `Docker 28.2.2 client (buildx 0.13.1), engine 20.10.24, runc 1.1.5`\n",
        )
        .status(1)
        .run();
    assert!(
        out.stdout.ends_with("3 passed, 1 failed, 1 skipped\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("blessed"), "{}", out.stdout);
    assert_eq!(
        std::fs::read_to_string(&file).expect("read the lesson"),
        before
    );
}
