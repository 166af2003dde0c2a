//! The runner driven by a scripted executor: no shell, no docker.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::*;
use crate::exec::{End, Executor, StepResult, StepRun};
use crate::lesson::{load_dir, Facts, LessonSet, Version};
use crate::outcome::Failure;

/// What each command prints and how it ends; anything else fails the test.
#[derive(Clone, Default)]
struct Script {
    answers: HashMap<&'static str, (&'static str, End)>,
    /// Every step run: `command [NAME=value ...]`.
    log: Arc<Mutex<Vec<String>>>,
    /// `open` fails with this.
    broken: Option<&'static str>,
    /// `engine_answers` says the engine is gone.
    gone: bool,
}

impl Script {
    fn new(answers: &[(&'static str, &'static str, End)]) -> Script {
        Script {
            answers: answers
                .iter()
                .map(|(c, o, e)| (*c, (*o, e.clone())))
                .collect(),
            ..Script::default()
        }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

struct Scripted {
    script: Script,
    interrupt: Arc<AtomicBool>,
}

impl Executor for Scripted {
    fn run(&mut self, step: &StepRun, live: &mut dyn FnMut(&str)) -> anyhow::Result<StepResult> {
        let mut entry = step.command.trim_end().to_string();
        for (name, value) in step.captures {
            entry.push_str(&format!(" {name}={value}"));
        }
        self.script.log.lock().unwrap().push(entry);
        let Some((output, end)) = self.script.answers.get(step.command.trim_end()) else {
            anyhow::bail!("no answer scripted for `{}`", step.command);
        };
        live(output);
        Ok(StepResult::ended(output.to_string(), end.clone()))
    }

    fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.interrupt)
    }
}

impl Backend for Script {
    fn open(&self, _lesson: &str) -> anyhow::Result<Box<dyn Executor>> {
        if let Some(why) = self.broken {
            anyhow::bail!("{why}");
        }
        Ok(Box::new(Scripted {
            script: self.clone(),
            interrupt: Arc::default(),
        }))
    }

    fn engine_answers(&self) -> Result<(), String> {
        if self.gone {
            Err("connection refused".into())
        } else {
            Ok(())
        }
    }

    fn cleanup(&self) -> Cleaned {
        Cleaned {
            containers: vec!["0123456789ab".into()],
            images: vec!["abcdef012345".into()],
        }
    }
}

/// Records what the runner tells it and answers with scripted decisions.
#[derive(Default)]
struct Watch {
    decisions: Vec<Decision>,
    seen: Vec<String>,
}

impl Observer for Watch {
    fn lesson_start(&mut self, lesson: &Lesson, needed_only: bool) {
        self.seen
            .push(format!("lesson {} needed_only={needed_only}", lesson.id));
    }
    fn before_step(&mut self, _l: &Lesson, step: &Step, choice: &Choice, _n: bool) -> Decision {
        self.seen.push(format!(
            "ask {} [{}]",
            step.title,
            choice.variant.map_or("default", |v| v.when.text())
        ));
        if self.decisions.is_empty() {
            Decision::Run
        } else {
            self.decisions.remove(0)
        }
    }
    fn output(&mut self, text: &str) {
        self.seen.push(format!("output {text:?}"));
    }
    fn step_done(&mut self, _l: &Lesson, step: &Step, outcome: &StepOutcome, _n: bool) {
        self.seen
            .push(format!("done {} {:?}", step.title, outcome.status));
    }
    fn lesson_done(&mut self, lesson: &LessonOutcome) {
        self.seen.push(format!("lesson done {}", lesson.id));
    }
}

const FIRST: &str = r#"id: first
title: First
steps:
  - title: Greet
    run: echo hello
    output: |
      hello
  - title: Make one
    run: make one
    output: |
      made {{ID=hex12}}
  - title: Versioned
    run: version
    output: |
      new
    variants:
      - when: client < 25
        output: |
          old
"#;

const SECOND: &str = r#"id: second
title: Second
needs: [first]
steps:
  - title: Use it
    run: use it
    output: |
      used
  - title: Push
    run: push
    requires: [registry]
    output: ""
"#;

fn lessons() -> (tempfile::TempDir, LessonSet) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("01-first.yaml"), FIRST).unwrap();
    std::fs::write(dir.path().join("02-second.yaml"), SECOND).unwrap();
    let set = load_dir(dir.path()).unwrap();
    (dir, set)
}

/// An engine of client and server `client` (also for the scheduler's tests).
pub(super) fn engine(client: &str) -> Engine {
    Engine {
        docker: PathBuf::from("/nonexistent/docker"),
        client: client.into(),
        server: client.into(),
        runc: None,
        containerd: None,
        buildx: None,
        builder: Default::default(),
        store: None,
        endpoint: "test".into(),
        transport: Default::default(),
        target: Default::default(),
        registry: Some(false),
        facts: Facts {
            client: Version::parse_loose(client),
            ..Facts::default()
        },
    }
}

const ANSWERS: [(&str, &str, End); 5] = [
    ("echo hello", "hello\n", End::Exited(0)),
    ("make one", "made 0123456789ab\n", End::Exited(0)),
    ("version", "new\n", End::Exited(0)),
    ("use it", "used\n", End::Exited(0)),
    ("push", "", End::Exited(0)),
];

fn run(script: &Script, engine: &Engine, watch: &mut Watch) -> (RunOutcome, tempfile::TempDir) {
    let (dir, set) = lessons();
    let runner = Runner {
        engine: Some(engine),
        backend: Box::new(script.clone()),
    };
    let plan = vec![
        (set.get("first").unwrap(), true),
        (set.get("second").unwrap(), true),
    ];
    (runner.run(&plan, watch), dir)
}

fn statuses(outcome: &RunOutcome) -> Vec<String> {
    outcome
        .lessons
        .iter()
        .flat_map(|l| &l.steps)
        .map(|s| match &s.skip_reason {
            Some(why) => format!("{} {:?} ({why})", s.title, s.status),
            None => format!("{} {:?}", s.title, s.status),
        })
        .collect()
}

#[test]
fn steps_run_in_order_with_captures_and_cleanup() {
    let script = Script::new(&ANSWERS);
    let mut watch = Watch::default();
    let (outcome, _dir) = run(&script, &engine("28.2.2"), &mut watch);
    assert_eq!(
        statuses(&outcome),
        [
            "Greet Passed",
            "Make one Passed",
            "Versioned Passed",
            "Use it Passed",
            "Push Skipped (needs `registry`: Docker Hub is not reachable)",
        ]
    );
    // The capture of the first lesson reaches the second.
    assert_eq!(
        script.log(),
        [
            "echo hello",
            "make one",
            "version ID=0123456789ab",
            "use it ID=0123456789ab",
        ]
    );
    assert_eq!(outcome.cleaned, ["0123456789ab"]);
    assert_eq!(outcome.cleaned_images, ["abcdef012345"]);
    assert_eq!(
        watch.seen,
        [
            "lesson first needed_only=false",
            "ask Greet [default]",
            "output \"hello\\n\"",
            "done Greet Passed",
            "ask Make one [default]",
            "output \"made 0123456789ab\\n\"",
            "done Make one Passed",
            "ask Versioned [default]",
            "output \"new\\n\"",
            "done Versioned Passed",
            "lesson done first",
            "lesson second needed_only=false",
            "ask Use it [default]",
            "output \"used\\n\"",
            "done Use it Passed",
            "done Push Skipped",
            "lesson done second",
        ]
    );
    assert_eq!(outcome.exit(), crate::error::Exit::Ok);
}

#[test]
fn variants_follow_the_engine_and_drift_fails() {
    let script = Script::new(&ANSWERS);
    let (outcome, _dir) = run(&script, &engine("20.10.24"), &mut Watch::default());
    let step = &outcome.lessons[0].steps[2];
    assert_eq!(step.variant_label(), "client < 25");
    assert_eq!(step.status, Status::Failed);
    assert_eq!(step.failures, [Failure::Output]);
    assert_eq!(step.actual.as_deref(), Some("new\n"));
    assert_eq!(outcome.exit(), crate::error::Exit::Drift);
}

#[test]
fn exit_codes_and_timeouts_are_failures() {
    let mut script = Script::new(&ANSWERS);
    script
        .answers
        .insert("echo hello", ("hello\n", End::Exited(3)));
    script.answers.insert("version", ("new\n", End::TimedOut));
    let (outcome, _dir) = run(&script, &engine("28.2.2"), &mut Watch::default());
    let steps = &outcome.lessons[0].steps;
    assert_eq!(
        steps[0].failures,
        [Failure::ExitCode {
            expected: 0,
            actual: 3
        }]
    );
    assert_eq!(steps[0].actual_exit, Some(3));
    assert_eq!(steps[2].failures, [Failure::TimedOut { seconds: 120.0 }]);
}

#[test]
fn an_interrupt_leaves_the_rest_not_run() {
    let mut script = Script::new(&ANSWERS);
    script.answers.insert("make one", ("", End::Interrupted));
    let (outcome, _dir) = run(&script, &engine("28.2.2"), &mut Watch::default());
    assert_eq!(
        statuses(&outcome),
        [
            "Greet Passed",
            "Make one Failed",
            "Versioned NotRun (not run: the run was interrupted)",
            "Use it NotRun (not run: the run was interrupted)",
            "Push NotRun (not run: the run was interrupted)",
        ]
    );
    assert!(outcome.interrupted);
    assert_eq!(outcome.cleaned, ["0123456789ab"], "cleanup still runs");
    assert_eq!(outcome.exit(), crate::error::Exit::Interrupted);
}

#[test]
fn a_lost_engine_replaces_the_failures_and_halts() {
    let mut script = Script::new(&ANSWERS);
    let refused =
        "Cannot connect to the Docker daemon at unix:///x. Is the docker daemon running?\n";
    script.answers.insert("make one", (refused, End::Exited(1)));
    script.gone = true;
    let (outcome, _dir) = run(&script, &engine("28.2.2"), &mut Watch::default());
    assert_eq!(
        outcome.lessons[0].steps[1].failures,
        [Failure::EngineLost {
            message: "connection refused".into()
        }]
    );
    assert_eq!(
        statuses(&outcome)[2..],
        [
            "Versioned NotRun (not run: the Docker engine stopped answering)",
            "Use it NotRun (not run: the Docker engine stopped answering)",
            "Push NotRun (not run: the Docker engine stopped answering)",
        ]
    );
    assert!(outcome.engine_lost);
    assert_eq!(outcome.exit(), crate::error::Exit::Engine);
}

#[test]
fn output_that_only_looks_like_a_lost_engine_is_drift() {
    let mut script = Script::new(&ANSWERS);
    let refused = "error during connect: this is a tutorial about errors\n";
    script.answers.insert("make one", (refused, End::Exited(0)));
    let (outcome, _dir) = run(&script, &engine("28.2.2"), &mut Watch::default());
    assert_eq!(outcome.lessons[0].steps[1].failures, [Failure::Output]);
    assert!(!outcome.engine_lost);
    assert_eq!(outcome.counts().passed, 3);
}

#[test]
fn the_readers_decisions() {
    let script = Script::new(&ANSWERS);
    let mut watch = Watch {
        decisions: vec![Decision::Skip, Decision::Recorded, Decision::Quit],
        ..Watch::default()
    };
    let (outcome, _dir) = run(&script, &engine("28.2.2"), &mut watch);
    assert_eq!(
        statuses(&outcome),
        [
            "Greet Skipped (skipped by the reader)",
            "Make one Skipped (shown from the docs, not run)",
            "Versioned NotRun (not run: the walkthrough ended)",
            "Use it NotRun (not run: the walkthrough ended)",
            "Push NotRun (not run: the walkthrough ended)",
        ]
    );
    // Nothing ran: the documented output was played instead.
    assert!(script.log().is_empty());
    let shown = &outcome.lessons[0].steps[1];
    assert!(shown.recorded && shown.actual.is_none());
    assert!(watch
        .seen
        .contains(&"output \"made {{ID=hex12}}\\n\"".to_string()));
    assert_eq!(outcome.exit(), crate::error::Exit::Ok);
}

#[test]
fn a_broken_executor_fails_every_step_of_its_lesson() {
    let mut script = Script::new(&ANSWERS);
    script.broken = Some("bash is missing");
    let (outcome, _dir) = run(&script, &engine("28.2.2"), &mut Watch::default());
    let failures: Vec<&Vec<Failure>> = outcome.lessons[0]
        .steps
        .iter()
        .map(|s| &s.failures)
        .collect();
    let broken = vec![Failure::Session {
        message: "bash is missing".into(),
    }];
    assert_eq!(failures, [&broken, &broken, &broken]);
}

#[test]
fn playback_shows_the_default_output_of_every_step() {
    let (_dir, set) = lessons();
    let plan = vec![(set.get("second").unwrap(), true)];
    let mut watch = Watch::default();
    let outcome = Runner::playback().run(&plan, &mut watch);
    assert_eq!(
        statuses(&outcome),
        [
            "Use it Skipped (shown from the docs, not run)",
            // No engine: requirements are not checked, nothing runs anyway.
            "Push Skipped (shown from the docs, not run)",
        ]
    );
    assert!(outcome.environment.is_none() && outcome.cleaned.is_empty());
}

#[test]
fn only_commands_that_can_untag_an_image_make_the_run_look_at_images() {
    for yes in [
        "docker image build --no-cache --tag app .",
        "docker build -t app .",
        "docker buildx build .",
        "docker image pull busybox",
        "docker tag a b",
        "docker image load -i x.tar",
        "docker container commit c img",
    ] {
        assert!(may_untag_images(yes), "{yes}");
    }
    for no in [
        "docker container run --rm app",
        "docker image ls app",
        "echo build",
        "docker inspect --format '{{.Size}}' app",
    ] {
        assert!(!may_untag_images(no), "{no}");
    }
}

#[test]
fn a_lesson_runs_on_its_own_with_shared_state() {
    let (_dir, set) = lessons();
    let script = Script::new(&ANSWERS);
    let engine = engine("28.2.2");
    let runner = Runner {
        engine: Some(&engine),
        backend: Box::new(script.clone()),
    };
    let shared = Shared::default();
    let first = runner.run_lesson(
        set.get("first").unwrap(),
        true,
        &shared,
        &mut Watch::default(),
    );
    assert!(first.needed_only);
    assert_eq!(
        shared.captures(),
        [("ID".to_string(), "0123456789ab".to_string())]
    );
    // The runner and the shared state can go to other threads.
    fn sync<T: Sync>(_: &T) {}
    sync(&runner);
    sync(&shared);
    let second = std::thread::scope(|s| {
        s.spawn(|| {
            runner.run_lesson(
                set.get("second").unwrap(),
                false,
                &shared,
                &mut Watch::default(),
            )
        })
        .join()
        .unwrap()
    });
    assert_eq!(second.steps[0].status, Status::Passed);
    assert_eq!(script.log().last().unwrap(), "use it ID=0123456789ab");
}
