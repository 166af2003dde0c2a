//! The scheduler driven by a probe executor that records which lessons and
//! steps are running at every moment, and fails a step that breaks a rule.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::*;
use crate::exec::{End, Executor, StepResult, StepRun};
use crate::lesson::footprint::footprint;
use crate::lesson::load_dir;
use crate::outcome::Status;
use crate::runner::tests::engine;
use crate::runner::{Backend, Cleaned};

/// What is open and running right now, and what broke a rule.
#[derive(Default)]
struct Board {
    /// Lessons with an open executor.
    open: Vec<String>,
    /// (lesson, command) of the steps running.
    steps: Vec<(String, String)>,
    /// Lessons that started their first step, in order.
    started: Vec<String>,
    broken: Vec<String>,
    /// Lessons waiting at the rendezvous.
    waiting: usize,
}

#[derive(Clone, Default)]
struct Probe {
    board: Arc<(Mutex<Board>, Condvar)>,
    alone: Vec<&'static str>,
}

struct ProbeExec {
    probe: Probe,
    lesson: String,
    interrupt: Arc<AtomicBool>,
}

impl Probe {
    fn check(&self, b: &mut Board, lesson: &str, when: &str) {
        let others = b.open.iter().filter(|l| *l != lesson).count();
        let alone = self.alone.contains(&lesson);
        if others > 0 && (alone || b.open.iter().any(|l| self.alone.contains(&l.as_str()))) {
            b.broken
                .push(format!("{when}: {lesson} beside {:?}", b.open));
        }
    }
}

impl Backend for Probe {
    fn open(&self, lesson: &str) -> anyhow::Result<Box<dyn Executor>> {
        let mut b = self.board.0.lock().unwrap();
        b.open.push(lesson.to_string());
        self.check(&mut b, lesson, "open");
        Ok(Box::new(ProbeExec {
            probe: self.clone(),
            lesson: lesson.to_string(),
            interrupt: Arc::default(),
        }))
    }

    fn cleanup(&self) -> Cleaned {
        Cleaned::default()
    }
}

impl Drop for ProbeExec {
    fn drop(&mut self) {
        let mut b = self.probe.board.0.lock().unwrap();
        b.open.retain(|l| *l != self.lesson);
    }
}

impl Executor for ProbeExec {
    fn run(&mut self, step: &StepRun, live: &mut dyn FnMut(&str)) -> anyhow::Result<StepResult> {
        let (lock, cv) = &*self.probe.board;
        let command = step.command.trim_end().to_string();
        {
            let mut b = lock.lock().unwrap();
            if !b.started.contains(&self.lesson) {
                b.started.push(self.lesson.clone());
            }
            // Inside a section no other lesson runs a step.
            if command.contains("--latest") || command.contains("-d s") {
                if let Some(other) = b.steps.iter().find(|(l, _)| *l != self.lesson) {
                    let why = format!("section of {} beside {other:?}", self.lesson);
                    b.broken.push(why);
                }
            } else if let Some((l, _)) = b
                .steps
                .iter()
                .find(|(_, c)| c.contains("-d s") || c.contains("--latest"))
            {
                let why = format!("{} ran a step inside the section of {l}", self.lesson);
                b.broken.push(why);
            }
            b.steps.push((self.lesson.clone(), command.clone()));
            self.probe.check(&mut b, &self.lesson, "step");
        }
        let mut output = String::from("ok\n");
        if command.contains("meet") {
            // Two lessons meet here, or the step fails: it proves they ran at once.
            let mut b = lock.lock().unwrap();
            b.waiting += 1;
            cv.notify_all();
            let (b2, timeout) = cv
                .wait_timeout_while(b, Duration::from_secs(20), |b| b.waiting < 2)
                .unwrap();
            b = b2;
            if timeout.timed_out() {
                output = String::from("met nobody\n");
            }
            drop(b);
        } else {
            // Long enough for a wrongly started lesson to be caught beside it.
            std::thread::sleep(Duration::from_millis(30));
        }
        {
            let mut b = lock.lock().unwrap();
            self.probe.check(&mut b, &self.lesson, "end");
            let i = b.steps.iter().position(|(l, _)| *l == self.lesson).unwrap();
            b.steps.remove(i);
        }
        live(&output);
        Ok(StepResult::ended(output, End::Exited(0)))
    }

    fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.interrupt)
    }
}

/// Lessons whose steps all print `ok`: id, `exclusive`, commands.
const LESSONS: &[(&str, bool, &[&str])] = &[
    ("a", false, &["docker run --rm meet-a"]),
    ("b", false, &["docker run --rm meet-b"]),
    ("c", true, &["echo c"]),
    ("d", false, &["docker run --rm d"]),
    ("e", false, &["docker ps"]),
    ("f", false, &["docker build -q -t shared ."]),
    ("g", false, &["docker run --rm shared"]),
    (
        "h",
        false,
        &["docker run -d s", "docker container ls --latest -q"],
    ),
    ("i", false, &["docker run --rm i"]),
    ("j", false, &["docker run --rm j"]),
];

fn lesson_set() -> (tempfile::TempDir, crate::lesson::LessonSet) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    for (i, (id, exclusive, commands)) in LESSONS.iter().enumerate() {
        let mut yaml = format!("id: {id}\ntitle: {id}\nexclusive: {exclusive}\nsteps:\n");
        for (k, c) in commands.iter().enumerate() {
            yaml.push_str(&format!(
                "  - title: s{k}\n    run: {c}\n    output: \"ok\\n\"\n"
            ));
        }
        std::fs::write(dir.path().join(format!("{i:02}-{id}.yaml")), yaml).unwrap();
    }
    let set = load_dir(dir.path()).unwrap();
    (dir, set)
}

/// Hears of lesson ends, in the order told.
#[derive(Default)]
struct Ends(Vec<String>);

impl Observer for Ends {
    fn lesson_done(&mut self, lesson: &LessonOutcome) {
        self.0.push(lesson.id.clone());
    }
}

#[test]
fn alone_lessons_and_sections_never_overlap_and_the_others_do() {
    let (dir, set) = lesson_set();
    let plan: Vec<(&Lesson, bool)> = set.lessons.iter().map(|l| (l, true)).collect();
    let footprints: Vec<Footprint> = plan.iter().map(|(l, _)| footprint(l, dir.path())).collect();
    let alone: Vec<&str> = plan
        .iter()
        .zip(&footprints)
        .filter(|(_, f)| f.alone.is_some())
        .map(|((l, _), _)| l.id.as_str())
        .collect();
    assert_eq!(alone, ["c", "e"]);
    // Who waits for whom: `g` reads what `f` writes; `c` and `e` wait for
    // everything before them, and everything after waits for them.
    let after = constraints(&plan, &footprints);
    assert_eq!(
        after,
        [
            vec![],
            vec![],
            vec![0, 1],
            vec![2],
            vec![0, 1, 2, 3],
            vec![2, 4],
            vec![2, 4, 5],
            vec![2, 4],
            vec![2, 4],
            vec![2, 4],
        ]
    );
    for _ in 0..5 {
        let probe = Probe {
            board: Arc::default(),
            alone: vec!["c", "e"],
        };
        let engine = engine("28.5.2");
        let runner = Runner {
            engine: Some(&engine),
            backend: Box::new(probe.clone()),
        };
        // The footprints read the Dockerfile from the backend's folder, or ".".
        let mut ends = Ends::default();
        let outcome = runner.run_jobs(&plan, 3, &mut ends);
        let board = probe.board.0.lock().unwrap();
        assert_eq!(board.broken, Vec::<String>::new());
        let statuses: Vec<(String, Status, Option<String>)> = outcome
            .lessons
            .iter()
            .flat_map(|l| {
                l.steps
                    .iter()
                    .map(|s| (l.id.clone(), s.status, s.actual.clone()))
            })
            .collect();
        assert!(
            statuses
                .iter()
                .all(|(_, s, out)| *s == Status::Passed && out.as_deref() == Some("ok\n")),
            "{statuses:?}"
        );
        // Verdicts in file order, whatever order the lessons ended in.
        assert_eq!(ends.0, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
        let ids: Vec<&str> = outcome.lessons.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ends.0);
        // `g` started after `f` ended.
        let pos = |id: &str| board.started.iter().position(|l| l == id).unwrap();
        assert!(pos("f") < pos("g"), "{:?}", board.started);
    }
}

/// A step skipped for a requirement the engine lacks touches nothing, so it
/// does not make its lesson run alone: the tutorial's `interesting-outputs`
/// runs alone only where its `regctl` step would run.
#[test]
fn a_step_the_engine_skips_keeps_no_lesson_waiting() {
    let set = load_dir(Path::new("lessons")).unwrap();
    let lesson = set
        .lessons
        .iter()
        .find(|l| l.id == "interesting-outputs")
        .unwrap();
    let offline = engine("28.5.2");
    assert_eq!(offline.registry, Some(false));
    assert_eq!(
        footprint(lesson, Path::new(".")).alone.as_deref(),
        Some("step 'regctl manifest' runs `regctl`, which may change what other lessons see")
    );
    let fp = footprint_of(lesson, Path::new("."), will_run(Some(&offline)));
    assert_eq!(fp.alone, None);
    // Without engine facts every step counts.
    let fp = footprint_of(lesson, Path::new("."), will_run(None));
    assert_eq!(
        fp.alone.as_deref(),
        Some("step 'regctl manifest' runs `regctl`, which may change what other lessons see")
    );
    // With the registry reachable the step also needs `regctl` on PATH.
    let online = Engine {
        registry: Some(true),
        ..engine("28.5.2")
    };
    let runs: Vec<bool> = lesson.steps.iter().map(will_run(Some(&online))).collect();
    assert_eq!(
        runs,
        [
            true,
            true,
            true,
            true,
            crate::engine::which("regctl").is_some()
        ]
    );
}
