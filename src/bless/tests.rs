//! The plan, on a lesson loaded from a file and run outcomes made by hand.

use super::*;
use crate::engine::Engine;
use crate::lesson::{load_dir, Builder, Facts, Store, Version};
use crate::outcome::LessonOutcome;

const LESSON: &str = "id: demo
title: Demo
recorded: Docker 28.2.2 client (buildx 0.13.1), engine 20.10.24, runc 1.1.5
steps:
  - title: size
    run: echo 5MB
    output: |
      {{BIG=size}}
  - title: smaller
    run: echo 2MB; echo hello
    output: |
      {{size<BIG}}
      hi
    variants:
      - when: client < 28
        output: |
          {{size<BIG}}
          hi
  - title: gone
    run: echo hi; sleep 9
    timeout: 1s
    output: hi
  - title: code
    run: exit 4
    exit: 3
";

fn set() -> (tempfile::TempDir, LessonSet) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("01-demo.yaml"), LESSON).unwrap();
    let set = load_dir(dir.path()).unwrap();
    (dir, set)
}

fn engine(client: &str, server: &str, builder: Builder) -> Engine {
    let v = |s: &str| Version::parse_loose(s);
    Engine {
        docker: "docker".into(),
        client: client.into(),
        server: server.into(),
        runc: Some("1.1.5+ds1".into()),
        containerd: None,
        buildx: Some("0.29.1".into()),
        builder,
        store: Some(Store::Classic),
        endpoint: String::new(),
        transport: Default::default(),
        target: Default::default(),
        registry: Some(false),
        facts: Facts {
            client: v(client),
            server: v(server),
            runc: v("1.1.5"),
            builder,
            store: Some(Store::Classic),
        },
    }
}

/// The outcome of a run of the demo lesson on `engine`, where step
/// `smaller` was compared with `variant` and printed `hello`.
fn outcome(set: &LessonSet, engine: Engine, variant: Option<usize>) -> RunOutcome {
    let lesson = set.get("demo").unwrap();
    let step = |i: usize, status: Status, actual: &str, failures: Vec<Failure>| {
        let s = &lesson.steps[i];
        StepOutcome {
            index: i,
            title: s.title.clone(),
            command: s.run.clone(),
            status,
            failures,
            skip_reason: None,
            variant: None,
            duration_ms: 1,
            expected_exit: s.expected.exit,
            actual_exit: None,
            stopped: false,
            expected: String::new(),
            actual: Some(actual.into()),
            diff: Vec::new(),
            dropped_bytes: 0,
            warnings: Vec::new(),
            recorded: false,
            captures: Vec::new(),
        }
    };
    let mut first = step(0, Status::Passed, "5MB\n", vec![]);
    first.captures = vec![("BIG".into(), "5MB".into())];
    let mut second = step(1, Status::Failed, "2MB\nhello\n", vec![Failure::Output]);
    second.variant = variant.map(|index| VariantRef {
        index,
        when: "client < 28".into(),
    });
    let third = step(
        2,
        Status::Failed,
        "hi\n",
        vec![Failure::TimedOut { seconds: 1.0 }],
    );
    let fourth = step(
        3,
        Status::Failed,
        "",
        vec![Failure::ExitCode {
            expected: 3,
            actual: 4,
        }],
    );
    RunOutcome {
        environment: Some(engine),
        lessons: vec![LessonOutcome {
            id: "demo".into(),
            title: "Demo".into(),
            file: lesson.file.clone(),
            needed_only: false,
            steps: vec![first, second, third, fourth],
        }],
        cleaned: Vec::new(),
        cleaned_images: Vec::new(),
        interrupted: false,
        engine_lost: false,
    }
}

fn edit(step: usize, title: &str, change: Change) -> Edit {
    Edit {
        step,
        title: title.into(),
        change,
    }
}

#[test]
fn replace_rewrites_the_compared_output_keeping_markers_that_still_match() {
    let (_dir, set) = set();
    let run = outcome(&set, engine("28.2.2", "20.10.24", Builder::Buildx), None);
    let file = set.lessons[0].file.clone();
    assert_eq!(
        plan(&set, &run, Bless::Replace),
        Plan {
            files: vec![FilePlan {
                file: file.clone(),
                edits: vec![
                    // `{{size<BIG}}` still matches thanks to the first step's capture.
                    edit(
                        1,
                        "smaller",
                        Change::Replace {
                            variant: None,
                            output: Some("{{size<BIG}}\nhello\n".into()),
                            exit: None,
                            fill: false,
                        }
                    ),
                    edit(
                        3,
                        "code",
                        Change::Replace {
                            variant: None,
                            output: None,
                            exit: Some(4),
                            fill: false,
                        }
                    ),
                ],
            }],
            left: vec![Left {
                file,
                title: "gone".into(),
                why: "timed out after 1s".into(),
            }],
        }
    );
}

#[test]
fn variant_adds_after_the_last_when_the_step_output_was_compared() {
    let (_dir, set) = set();
    let run = outcome(&set, engine("28.5.2", "28.5.2", Builder::Buildx), None);
    let recorded = "Docker 28.5.2 client (buildx 0.29.1), engine 28.5.2, runc 1.1.5, classic store";
    let p = plan(&set, &run, Bless::Variant);
    assert_eq!(
        p.files[0].edits,
        [
            edit(
                1,
                "smaller",
                Change::AddVariant {
                    at: 1,
                    variant: NewVariant {
                        when: "server >= 28".into(),
                        also: vec!["client >= 28.5".into()],
                        recorded: recorded.into(),
                        mode: None,
                        exit: None,
                        output: "{{size<BIG}}\nhello\n".into(),
                    },
                }
            ),
            // Only the exit code differed: the variant keeps the output.
            edit(
                3,
                "code",
                Change::AddVariant {
                    at: 0,
                    variant: NewVariant {
                        when: "server >= 28".into(),
                        also: vec!["client >= 28.5".into()],
                        recorded: recorded.into(),
                        mode: None,
                        exit: Some(4),
                        output: String::new(),
                    },
                }
            ),
        ]
    );
    assert_eq!(p.left.len(), 1);
}

#[test]
fn variant_goes_before_the_compared_variant() {
    let (_dir, set) = set();
    let run = outcome(
        &set,
        engine("20.10.24", "28.5.2", Builder::Builtin),
        Some(0),
    );
    let p = plan(&set, &run, Bless::Variant);
    assert_eq!(
        p.files[0].edits[0].change,
        Change::AddVariant {
            at: 0,
            variant: NewVariant {
                when: "server >= 28".into(),
                // The variant says only `client < 28`: its client is unknown.
                also: vec![],
                recorded:
                    "Docker 20.10.24 client (built-in BuildKit), engine 28.5.2, runc 1.1.5, classic store"
                        .into(),
                mode: None,
                exit: None,
                output: "{{size<BIG}}\nhello\n".into(),
            },
        }
    );
}

#[test]
fn variant_is_refused_when_no_known_fact_differs() {
    let (_dir, set) = set();
    let run = outcome(
        &set,
        engine("20.10.24", "20.10.24", Builder::Builtin),
        Some(0),
    );
    let p = plan(&set, &run, Bless::Variant);
    assert_eq!(
        p.left[0],
        Left {
            file: set.lessons[0].file.clone(),
            title: "smaller".into(),
            why: "no detected fact tells this engine (Docker 20.10.24 client (built-in BuildKit), engine 20.10.24, runc 1.1.5, classic store) from the one its output was recorded on: the variant `client < 28` was recorded on an engine that differs in nothing known (give it a `recorded:`)".into(),
        }
    );
    // The step's own output was recorded on a client 28.2.2.
    assert_eq!(
        p.files[0].edits,
        [edit(
            3,
            "code",
            Change::AddVariant {
                at: 0,
                variant: NewVariant {
                    when: "client < 28".into(),
                    also: vec![],
                    recorded:
                        "Docker 20.10.24 client (built-in BuildKit), engine 20.10.24, runc 1.1.5, classic store"
                            .into(),
                    mode: None,
                    exit: Some(4),
                    output: String::new(),
                },
            }
        )]
    );
}
