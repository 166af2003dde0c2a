use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use super::*;
use crate::lesson::{load_dir, LessonSet};
use crate::outcome::SkipReason;
use crate::runner::Runner;

/// A walk without an engine, as `walk` runs it: the runner plays the docs.
fn play(screen: Screen, wanted: &[&Lesson]) -> RunOutcome {
    let plan: Vec<(&Lesson, bool)> = wanted.iter().map(|l| (*l, true)).collect();
    let mut walker = Walker::playing(screen, &plan);
    let mut outcome = Runner::playback().run(&plan, &mut walker);
    walker.finish(&mut outcome);
    outcome
}

/// A writer whose bytes the test reads afterwards.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.borrow().clone()).unwrap()
    }
}

const LESSON_A: &str = r#"id: first
title: The first lesson
recorded: Docker 28.2.2 client, engine 20.10.24
intro: |
  An intro.
steps:
  - title: Pull it
    text: |
      Try to pull.
    run: docker image pull scratch
    output: |
      Using default tag: latest
      Error response from daemon: 'scratch' is a reserved name
    exit: 1
  - title: Start one
    run: |
      docker container run \
        --detach busybox
    output: |
      {{hex64}}
  - title: Say hello
    run: echo hello
    output: |
      hello
"#;

const LESSON_B: &str = r#"id: second
title: The second lesson
needs: [first]
steps:
  - title: Only step
    run: echo two
    output: |
      two
"#;

fn lessons() -> (tempfile::TempDir, LessonSet) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("01-first.yaml"), LESSON_A).unwrap();
    std::fs::write(dir.path().join("02-second.yaml"), LESSON_B).unwrap();
    let set = load_dir(dir.path()).unwrap();
    (dir, set)
}

fn screen<'a>(out: &Shared, err: &Shared, keys: Option<&'a mut dyn KeySource>) -> Screen<'a> {
    Screen {
        out: Box::new(out.clone()),
        err: Box::new(err.clone()),
        palette: Palette { enabled: false },
        err_palette: Palette { enabled: false },
        erase_prompt: false,
        keys,
        interrupted: false,
    }
}

#[test]
fn readable_turns_markers_into_placeholders() {
    assert_eq!(readable(""), "");
    assert_eq!(readable("plain"), "plain\n");
    assert_eq!(readable("{{hex64}}\n"), "<hex64>\n");
    assert_eq!(
        readable("scratch   bu{{*}}   {{int}}       [OK]\n"),
        "scratch   bu…   <int>       [OK]\n"
    );
    assert_eq!(readable("{{...}}\n/ # ps\n"), "…\n/ # ps\n");
    assert_eq!(
        readable("id {{ID=hex12}} size {{size<ID}}\n"),
        "id <hex12> size <size>\n"
    );
    assert_eq!(readable("v{{/[0-9]+/}}\n"), "v…\n");
    assert_eq!(
        readable("\\{{.Size}} {{ .Size }}\n"),
        "{{.Size}} {{ .Size }}\n"
    );
    assert_eq!(readable("open {{ never closed\n"), "open {{ never closed\n");
}

#[test]
fn play_shows_recorded_outputs_and_counts_them_skipped() {
    let (_dir, set) = lessons();
    let (out, err) = (Shared::default(), Shared::default());
    let mut keys = Scripted::new(&[Key::Enter, Key::Char('x'), Key::Char('s'), Key::Char('r')]);
    let s = screen(&out, &err, Some(&mut keys));
    let wanted: Vec<&Lesson> = vec![set.get("first").unwrap()];
    let outcome = play(s, &wanted);
    assert_eq!(
        out.text(),
        "
Lesson 1/1 · The first lesson (first)
An intro.

Step 1/3 · Pull it
Try to pull.

$ docker image pull scratch
recorded output · Docker 28.2.2 client, engine 20.10.24
Using default tag: latest
Error response from daemon: 'scratch' is a reserved name
(exit code 1)
  skip Pull it (shown from the docs, not run)

Step 2/3 · Start one

$ docker container run \\
    --detach busybox
  skip Start one (skipped by the reader)

Step 3/3 · Say hello

$ echo hello
recorded output · Docker 28.2.2 client, engine 20.10.24
hello
  skip Say hello (shown from the docs, not run)

played 2 recorded output(s); nothing ran, so there is nothing to clean up
0 passed, 0 failed, 3 skipped
"
    );
    let prompt = "[Enter] show the recorded output  [s] skip  [q] quit  [?] keys \n";
    assert_eq!(err.text(), prompt.repeat(4));
    assert_eq!(outcome.exit(), crate::error::Exit::Ok);
    let steps = &outcome.lessons[0].steps;
    assert!(steps[0].recorded && !steps[1].recorded && steps[2].recorded);
}

#[test]
fn play_quits_and_says_where() {
    let (_dir, set) = lessons();
    let (out, err) = (Shared::default(), Shared::default());
    let mut keys = Scripted::new(&[Key::Char('?'), Key::Enter, Key::Char('q')]);
    let s = screen(&out, &err, Some(&mut keys));
    let wanted: Vec<&Lesson> = set.lessons.iter().collect();
    let outcome = play(s, &wanted);
    let text = out.text();
    assert!(
        text.ends_with(
            "
$ docker container run \\
    --detach busybox

walk ended at first step 2; `knowing-scratch walk first` starts that lesson again
played 1 recorded output(s); nothing ran, so there is nothing to clean up
0 passed, 0 failed, 4 skipped
"
        ),
        "{text}"
    );
    assert!(!text.contains("Lesson 2/2"), "{text}");
    assert!(err.text().contains(help(Mode::Recorded)));
    assert_eq!(outcome.counts().not_run, 3);
}

#[test]
fn play_without_keys_shows_everything() {
    let (_dir, set) = lessons();
    let (out, err) = (Shared::default(), Shared::default());
    let s = screen(&out, &err, None);
    let wanted: Vec<&Lesson> = set.lessons.iter().collect();
    let outcome = play(s, &wanted);
    assert_eq!(err.text(), "");
    assert!(out.text().contains(
        "
Lesson 2/2 · The second lesson (second)

Step 1/1 · Only step

$ echo two
recorded output
two
  skip Only step (shown from the docs, not run)
"
    ));
    assert_eq!(outcome.summary_line(), "0 passed, 0 failed, 4 skipped");
}

fn outcome_of(step: &Step, index: usize, status: Status) -> StepOutcome {
    let own = crate::lesson::Choice {
        expected: &step.expected,
        variant: None,
        index: None,
    };
    StepOutcome {
        status,
        duration_ms: 120,
        actual_exit: Some(0),
        ..crate::runner::blank(index, step, &own)
    }
}

/// The walker as the runner drives it, keys scripted.
#[test]
fn walker_asks_shows_output_and_verdicts() {
    let (_dir, set) = lessons();
    let first = set.get("first").unwrap();
    let second = set.get("second").unwrap();
    let plan = vec![(first, false), (second, true)];
    let (out, err) = (Shared::default(), Shared::default());
    let mut keys = Scripted::new(&[Key::Enter, Key::Char('r'), Key::Char('q')]);
    let mut w = Walker::new(
        screen(&out, &err, Some(&mut keys)),
        Spinner::new(false),
        &plan,
    );
    // The needed lesson runs without asking; only its failure shows.
    w.lesson_start(first, true);
    for (i, step) in first.steps.iter().enumerate() {
        let choice = step.choose(&Default::default());
        assert_eq!(w.before_step(first, step, &choice, true), Decision::Run);
        w.output("hidden\n");
        let mut so = outcome_of(step, i, Status::Passed);
        if i == 2 {
            so.status = Status::Failed;
            so.failures.push(Failure::ExitCode {
                expected: 0,
                actual: 2,
            });
        }
        w.step_done(first, step, &so, true);
    }
    w.lesson_done(&LessonOutcome {
        id: first.id.clone(),
        title: first.title.clone(),
        file: first.file.clone(),
        needed_only: true,
        steps: vec![{
            let mut so = outcome_of(&first.steps[2], 2, Status::Failed);
            so.failures.push(Failure::Output);
            so
        }],
    });
    w.lesson_start(second, false);
    let step = &second.steps[0];
    let choice = step.choose(&Default::default());
    assert_eq!(w.before_step(second, step, &choice, false), Decision::Run);
    w.output("tw");
    w.output("o");
    w.step_done(second, step, &outcome_of(step, 0, Status::Passed), false);
    // The same step again, shown from the docs, then quit.
    assert_eq!(
        w.before_step(second, step, &choice, false),
        Decision::Recorded
    );
    let mut so = outcome_of(step, 0, Status::Skipped);
    so.skip_reason = Some(SkipReason::Shown);
    w.step_done(second, step, &so, false);
    assert_eq!(w.before_step(second, step, &choice, false), Decision::Quit);
    let mut run = RunOutcome {
        environment: None,
        lessons: vec![LessonOutcome {
            id: second.id.clone(),
            title: second.title.clone(),
            file: second.file.clone(),
            needed_only: false,
            steps: vec![outcome_of(step, 0, Status::Passed)],
        }],
        cleaned: vec!["0123456789ab".into()],
        cleaned_images: Vec::new(),
        interrupted: false,
        engine_lost: false,
    };
    w.finish(&mut run);
    drop(w);
    assert_eq!(
        out.text(),
        "
running `first` first, without stopping: a later lesson needs it…
  FAIL Say hello 0.12s
    where: first › step 3 `Say hello`
    why: exit code 2, documented 0
    command: echo hello
`first` had 1 failing step(s): what follows may fail too

Lesson 1/1 · The second lesson (second)

Step 1/1 · Only step

$ echo two
two
  ok Only step 0.12s

Step 1/1 · Only step

$ echo two
documented output, not run:
two
  skip Only step (shown from the docs, not run)

Step 1/1 · Only step

$ echo two

walk ended at second step 1; `knowing-scratch walk second` starts that lesson again
cleaned up 1 container(s) this run created: 0123456789ab
1 passed, 0 failed, 0 skipped
"
    );
    let prompt = "[Enter] run  [s] skip  [r] documented output  [q] quit  [?] keys \n";
    assert_eq!(err.text(), prompt.repeat(3));
}

#[test]
fn walker_shows_steps_the_runner_skipped_unasked() {
    let (_dir, set) = lessons();
    let first = set.get("first").unwrap();
    let plan = vec![(first, true)];
    let (out, err) = (Shared::default(), Shared::default());
    let mut keys = Scripted::new(&[]);
    let mut w = Walker::new(
        screen(&out, &err, Some(&mut keys)),
        Spinner::new(false),
        &plan,
    );
    let step = &first.steps[0];
    let mut so = outcome_of(step, 0, Status::Skipped);
    so.skip_reason = Some(SkipReason::Requires(
        "needs `registry`: Docker Hub is not reachable".into(),
    ));
    w.step_done(first, step, &so, false);
    w.finish(&mut RunOutcome {
        environment: None,
        lessons: Vec::new(),
        cleaned: Vec::new(),
        cleaned_images: Vec::new(),
        interrupted: false,
        engine_lost: false,
    });
    drop(w);
    assert_eq!(
        out.text(),
        "
Step 1/3 · Pull it
Try to pull.

$ docker image pull scratch
  skip Pull it (needs `registry`: Docker Hub is not reachable)

nothing to clean up: this walk left no containers
0 passed, 0 failed, 0 skipped
"
    );
    assert_eq!(err.text(), "");
}

#[test]
fn ctrl_c_at_a_prompt_ends_the_walk_as_interrupted() {
    let (_dir, set) = lessons();
    let (out, err) = (Shared::default(), Shared::default());
    let mut keys = Scripted::new(&[Key::Enter, Key::Interrupt]);
    let s = screen(&out, &err, Some(&mut keys));
    let wanted: Vec<&Lesson> = vec![set.get("first").unwrap()];
    let outcome = play(s, &wanted);
    let text = out.text();
    assert!(
        text.ends_with(
            "
$ docker container run \\
    --detach busybox

played 1 recorded output(s); nothing ran, so there is nothing to clean up
interrupted
0 passed, 0 failed, 3 skipped
"
        ),
        "{text}"
    );
    assert_eq!(outcome.exit(), crate::error::Exit::Interrupted);
}
