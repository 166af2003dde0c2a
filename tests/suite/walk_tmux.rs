//! `walk` in a real terminal (tmux) against the real engine and without one,
//! and the built-in lessons used from an empty folder.
//!
//! These tests need `tmux` and a running Docker engine with `busybox:latest`
//! (`tests/engine/setup.sh`); without them they fail, they do not skip. The
//! tests on the engine take their turn on it (`support::engine`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use regex::Regex;
use support::engine::Engine;
use support::lab::real_docker;

const BIN: &str = env!("CARGO_BIN_EXE_knowing-scratch");
const DEADLINE: Duration = Duration::from_secs(60);
const PROMPT: &str = "[Enter] run  [s] skip  [r] documented output  [q] quit  [?] keys";
const PLAY_PROMPT: &str = "[Enter] show the recorded output  [s] skip  [q] quit  [?] keys";

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn docker(args: &[&str]) -> String {
    let out = run(Command::new("docker").args(args));
    assert!(
        out.status.success(),
        "`docker {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn require_tmux() {
    let ok = Command::new("tmux")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "these tests need tmux on PATH (apt-get install tmux)");
}

/// The turn on the engine the `docker` on PATH talks to.
fn take_engine() -> Engine {
    Engine::take(&real_docker())
}

/// A folder with `tests/fixtures/lessons/background.yaml`: a lesson that
/// leaves a container running in the background, so the test can see the
/// walk remove it.
fn lesson_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("01-background.yaml"),
        support::lesson("background.yaml", &[]),
    )
    .unwrap();
    dir
}

/// One tmux server of our own, killed (with any container the walk left) on drop.
struct Tmux {
    socket: String,
    run_id: Option<String>,
}

impl Tmux {
    /// Start `command` in a 120x40 terminal; the pane stays after it ends.
    /// bash, not sh: on Ctrl-C dash dies with the walk, bash waits for its
    /// exit code.
    fn start(name: &str, cwd: &Path, command: &str) -> Tmux {
        require_tmux();
        let socket = format!("knowing-scratch-test-{}-{name}", std::process::id());
        let shell = format!("{command}; echo \"EXIT=$?\"; sleep 600");
        let out = run(Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "120", "-y", "40", "-c"])
            .arg(cwd)
            .args(["bash", "-c", &shell]));
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmux {
            socket,
            run_id: None,
        }
    }

    fn keys(&self, keys: &[&str]) {
        let out = run(Command::new("tmux")
            .args(["-L", &self.socket, "send-keys"])
            .args(keys));
        assert!(out.status.success(), "tmux send-keys {keys:?} failed");
    }

    /// The whole screen and its history, wrapped lines joined, trailing
    /// blank lines dropped.
    fn screen(&self) -> String {
        let out = run(Command::new("tmux").args([
            "-L",
            &self.socket,
            "capture-pane",
            "-p",
            "-J",
            "-S",
            "-",
        ]));
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        let end = lines
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(0, |i| i + 1);
        lines[..end].join("\n")
    }

    /// Poll the screen until `done` holds; fail with the screen at the deadline.
    fn wait(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "waited {}s for {what}; the screen shows:\n{screen}",
                DEADLINE.as_secs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until step `header` is shown and the prompt waits for a key.
    fn prompt_at(&self, header: &str, prompt: &str) -> String {
        self.wait(&format!("the prompt at `{header}`"), |s| {
            s.contains(header) && s.lines().last() == Some(prompt)
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(Stdio::null())
            .status();
        if let Some(id) = &self.run_id {
            let filter = format!("label=io.knowing-scratch.run={id}");
            let left = Command::new("docker")
                .args(["ps", "-aq", "--filter", &filter])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
                .unwrap_or_default();
            for c in left.split_whitespace() {
                let _ = Command::new("docker")
                    .args(["rm", "-f", c])
                    .stdout(Stdio::null())
                    .status();
            }
        }
    }
}

/// Lines of `screen` after the first line equal to `from` (exclusive).
fn lines_after<'a>(screen: &'a str, from: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == from)
        .unwrap_or_else(|| panic!("no line `{from}` on the screen:\n{screen}"));
    lines[at + 1..].to_vec()
}

fn assert_matches(line: &str, pattern: &str, screen: &str) {
    let re = Regex::new(&format!("^{pattern}$")).unwrap();
    assert!(
        re.is_match(line),
        "line `{line}` does not match `{pattern}`; the screen:\n{screen}"
    );
}

#[test]
fn walk_in_a_terminal_runs_skips_shows_and_quits_then_cleans_up() {
    let _engine = take_engine();
    let lessons = lesson_dir();
    let cwd = tempfile::tempdir().unwrap();
    let command = format!(
        "env KNOWING_SCRATCH_REGISTRY=0 {BIN} --lessons {} walk",
        lessons.path().display()
    );
    let mut tmux = Tmux::start("engine", cwd.path(), &command);

    let screen = tmux.prompt_at("Step 1/6 · Start a container", PROMPT);
    assert_eq!(
        lines_after(
            &screen,
            "Lesson 1/1 · A container in the background (background)"
        ),
        [
            "Start a container that sleeps, then look around.",
            "",
            "Step 1/6 · Start a container",
            "Start busybox in the background; Docker prints the new container's ID.",
            "",
            "$ docker container run --detach busybox sleep 1000",
            PROMPT,
        ]
    );

    // Enter runs the step: the container's ID streams onto the screen.
    tmux.keys(&["Enter"]);
    let screen = tmux.prompt_at("Step 2/6 · Say hello", PROMPT);
    let after = lines_after(
        &screen,
        "$ docker container run --detach busybox sleep 1000",
    );
    assert_matches(after[0], "[0-9a-f]{64}", &screen);
    assert_matches(after[1], r"  ok Start a container \d+\.\d\ds", &screen);
    let container = after[0].to_string();
    let run_id = docker(&[
        "container",
        "inspect",
        "--format",
        "{{index .Config.Labels \"io.knowing-scratch.run\"}}",
        &container,
    ]);
    assert!(!run_id.is_empty(), "the container carries no run label");
    tmux.run_id = Some(run_id.clone());
    assert_eq!(
        docker(&[
            "container",
            "inspect",
            "--format",
            "{{.State.Running}}",
            &container
        ]),
        "true"
    );

    tmux.keys(&["Enter"]);
    let screen = tmux.prompt_at("Step 3/6 · Say something else", PROMPT);
    let after = lines_after(&screen, "$ echo hello");
    assert_eq!(after[0], "hello");
    assert_matches(after[1], r"  ok Say hello \d+\.\d\ds", &screen);

    // A step whose output drifted: the verdict and the diff.
    tmux.keys(&["Enter"]);
    let screen = tmux.prompt_at("Step 4/6 · Skip me", PROMPT);
    let after = lines_after(&screen, "$ echo drift");
    assert_eq!(after[0], "drift");
    assert_matches(after[1], r"  FAIL Say something else \d+\.\d\ds", &screen);
    assert_eq!(
        after[2..9],
        [
            "    where: background › step 3 `Say something else`",
            "    why: output differs from the docs",
            "    command: echo drift",
            "    diff: - documented + real",
            "    - documented",
            "    + drift",
            "",
        ]
    );

    // `?` lists the keys and asks again; `s` skips.
    tmux.keys(&["?"]);
    tmux.wait("the list of keys", |s| {
        s.ends_with(&format!("  ?      show these keys\n{PROMPT}"))
    });
    tmux.keys(&["s"]);
    let screen = tmux.prompt_at("Step 5/6 · Show the docs", PROMPT);
    assert_eq!(
        lines_after(&screen, "$ echo skipped"),
        [
            "  Enter  run the command, then compare its output with the docs",
            "  s      skip this step",
            "  r      show the documented output instead of running the command",
            "  q      quit (containers this walk started are removed)",
            "  ?      show these keys",
            "  skip Skip me (skipped by the reader)",
            "",
            "Step 5/6 · Show the docs",
            "",
            "$ echo never",
            PROMPT,
        ]
    );

    // `r` shows the documented output without running.
    tmux.keys(&["r"]);
    let screen = tmux.prompt_at("Step 6/6 · Never reached", PROMPT);
    assert_eq!(
        lines_after(&screen, "$ echo never")[..4],
        [
            "documented output, not run:",
            "from the docs",
            "  skip Show the docs (shown from the docs, not run)",
            "",
        ]
    );

    // `q` quits; the walk removes its container and sums up.
    tmux.keys(&["q"]);
    let screen = tmux.wait("the walk to end", |s| s.contains("EXIT="));
    assert_eq!(
        lines_after(&screen, "$ echo unreachable"),
        [
            "".to_string(),
            "walk ended at background step 6; `knowing-scratch walk background` starts that lesson again"
                .to_string(),
            format!(
                "cleaned up 1 container(s) this run created: {}",
                &container[..12]
            ),
            "2 passed, 1 failed, 3 skipped".to_string(),
            "EXIT=1".to_string(),
        ]
    );
    let filter = format!("label=io.knowing-scratch.run={run_id}");
    assert_eq!(docker(&["ps", "-aq", "--filter", &filter]), "");
    assert_eq!(
        docker(&[
            "ps",
            "-aq",
            "--no-trunc",
            "--filter",
            &format!("id={container}")
        ]),
        ""
    );
}

#[test]
fn walk_in_a_terminal_without_an_engine_plays_the_recorded_outputs() {
    let lessons = lesson_dir();
    let cwd = tempfile::tempdir().unwrap();
    let command = format!(
        "env DOCKER_HOST=unix:///nonexistent.sock {BIN} --lessons {} walk background",
        lessons.path().display()
    );
    let tmux = Tmux::start("no-engine", cwd.path(), &command);
    let screen = tmux.prompt_at("Step 1/6 · Start a container", PLAY_PROMPT);
    let lines: Vec<&str> = screen.lines().collect();
    assert_matches(
        lines[0],
        "no Docker engine answers at DOCKER_HOST=unix:///nonexistent.sock: .*",
        &screen,
    );
    assert_eq!(
        lines[1],
        "playing the documented outputs instead: nothing will run"
    );
    assert_matches(lines[2], "hint: for a live run, start one with .*", &screen);
    assert_eq!(
        lines[3..6],
        [
            "",
            "Lesson 1/1 · A container in the background (background)",
            "Start a container that sleeps, then look around.",
        ]
    );
    for (n, (title, run, output)) in [
        (
            "Start a container",
            "docker container run --detach busybox sleep 1000",
            "<hex64>",
        ),
        ("Say hello", "echo hello", "hello"),
        ("Say something else", "echo drift", "documented"),
        ("Skip me", "echo skipped", "skipped"),
        ("Show the docs", "echo never", "from the docs"),
        ("Never reached", "echo unreachable", "unreachable"),
    ]
    .into_iter()
    .enumerate()
    {
        tmux.prompt_at(&format!("Step {}/6 · {title}", n + 1), PLAY_PROMPT);
        tmux.keys(&["Enter"]);
        let screen = tmux.wait(&format!("the verdict of `{title}`"), |s| {
            s.contains(&format!("  skip {title} (recorded output, not run)"))
        });
        assert_eq!(
            lines_after(&screen, &format!("$ {run}"))[..3],
            [
                "recorded output · Docker 28.2.2 client, engine 20.10.24",
                output,
                &format!("  skip {title} (recorded output, not run)"),
            ]
        );
    }
    let screen = tmux.wait("the walk to end", |s| s.contains("EXIT="));
    assert_eq!(
        lines_after(&screen, "  skip Never reached (recorded output, not run)"),
        [
            "",
            "played 6 recorded output(s); nothing ran, so there is nothing to clean up",
            "0 passed, 0 failed, 6 skipped",
            "EXIT=0",
        ]
    );
}

fn repo_lessons() -> PathBuf {
    support::repo().join("lessons")
}

/// An installed binary has its lessons inside: `list` in an empty folder
/// shows the same lessons as the repository's `lessons/`.
#[test]
fn list_works_from_an_empty_folder() {
    let empty = tempfile::tempdir().unwrap();
    let built_in = run(Command::new(BIN)
        .args(["--color", "never", "list"])
        .current_dir(empty.path()));
    let from_repo = run(Command::new(BIN)
        .args(["--color", "never", "--lessons"])
        .arg(repo_lessons())
        .arg("list")
        .current_dir(empty.path()));
    assert_eq!(built_in.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&built_in.stderr), "");
    let set = knowing_scratch::lesson::load_dir(&repo_lessons()).unwrap();
    let text = String::from_utf8_lossy(&built_in.stdout);
    assert_eq!(text.lines().count(), set.lessons.len());
    for (line, lesson) in text.lines().zip(&set.lessons) {
        assert!(line.starts_with(&lesson.id), "{line}");
    }
    assert_eq!(built_in.stdout, from_repo.stdout);
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

/// Not a terminal and no engine: no prompts, every documented output played,
/// exit 0, from the built-in lessons.
#[test]
fn walk_without_a_terminal_or_an_engine_plays_everything_from_an_empty_folder() {
    let empty = tempfile::tempdir().unwrap();
    let out = run(Command::new(BIN)
        .args(["--color", "never", "walk"])
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .current_dir(empty.path()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let err: Vec<&str> = stderr.lines().collect();
    assert_eq!(err.len(), 4, "{stderr}");
    assert!(err[0].starts_with("no Docker engine answers at DOCKER_HOST=unix:///nonexistent.sock"));
    assert_eq!(
        err[1],
        "playing the documented outputs instead: nothing will run"
    );
    assert!(err[2].starts_with("hint: for a live run, start one with"));
    assert_eq!(err[3], "not a terminal, so no prompts: showing every step");

    let set = knowing_scratch::lesson::load_dir(&repo_lessons()).unwrap();
    let steps: usize = set.lessons.iter().map(|l| l.steps.len()).sum();
    for (n, lesson) in set.lessons.iter().enumerate() {
        let header = format!(
            "Lesson {}/{} · {} ({})",
            n + 1,
            set.lessons.len(),
            lesson.title,
            lesson.id
        );
        assert!(stdout.lines().any(|l| l == header), "no `{header}`");
        for step in &lesson.steps {
            let verdict = format!("  skip {} (recorded output, not run)", step.title);
            assert!(stdout.lines().any(|l| l == verdict), "no `{verdict}`");
        }
    }
    assert!(stdout.ends_with(&format!(
        "\nplayed {steps} recorded output(s); nothing ran, so there is nothing to clean up\n\
         0 passed, 0 failed, {steps} skipped\n"
    )));
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

/// Not a terminal, with an engine: one line on stderr, then what `run` shows.
#[test]
fn walk_without_a_terminal_replays_like_run() {
    let _engine = take_engine();
    let lessons = lesson_dir();
    let out = run(Command::new(BIN)
        .args(["--color", "never", "--lessons"])
        .arg(lessons.path())
        .arg("walk")
        .env("KNOWING_SCRATCH_REGISTRY", "0"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "not a terminal, so no prompts: replaying as `knowing-scratch run` does\n"
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let id = lines_after(
        &stdout,
        "$ docker container run --detach busybox sleep 1000",
    )[0];
    assert_matches(id, "[0-9a-f]{64}", &stdout);
    for verdict in [
        r"  ok Start a container \d+\.\d\ds",
        r"  ok Say hello \d+\.\d\ds",
        r"  FAIL Say something else \d+\.\d\ds",
        r"  ok Skip me \d+\.\d\ds",
        r"  FAIL Show the docs \d+\.\d\ds",
        r"  ok Never reached \d+\.\d\ds",
    ] {
        let re = Regex::new(&format!("^{verdict}$")).unwrap();
        assert!(
            lines.iter().any(|l| re.is_match(l)),
            "no `{verdict}`:\n{stdout}"
        );
    }
    assert!(!stdout.contains(PROMPT));
    assert_eq!(
        lines[lines.len() - 2..],
        [
            format!("cleaned up 1 container(s) this run created: {}", &id[..12]).as_str(),
            "4 passed, 2 failed, 0 skipped",
        ]
    );
    assert_eq!(
        docker(&["ps", "-aq", "--no-trunc", "--filter", &format!("id={id}")]),
        ""
    );
}

/// Ctrl-C during a silent step: the spinner goes, the step ends as
/// interrupted, the container is removed and the walk exits 130.
#[test]
fn ctrl_c_during_a_step_interrupts_the_walk_and_cleans_up() {
    let _engine = take_engine();
    let lessons = tempfile::tempdir().unwrap();
    std::fs::write(
        lessons.path().join("01-slow.yaml"),
        support::lesson("slow.yaml", &[]),
    )
    .unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let command = format!(
        "env KNOWING_SCRATCH_REGISTRY=0 {BIN} --lessons {} walk",
        lessons.path().display()
    );
    let mut tmux = Tmux::start("interrupt", cwd.path(), &command);
    tmux.prompt_at("Step 1/3 · Start a container", PROMPT);
    tmux.keys(&["Enter"]);
    let screen = tmux.prompt_at("Step 2/3 · Wait", PROMPT);
    let container = lines_after(
        &screen,
        "$ docker container run --detach busybox sleep 1000",
    )[0]
    .to_string();
    assert_matches(&container, "[0-9a-f]{64}", &screen);
    tmux.run_id = Some(docker(&[
        "container",
        "inspect",
        "--format",
        "{{index .Config.Labels \"io.knowing-scratch.run\"}}",
        &container,
    ]));
    tmux.keys(&["Enter"]);
    let spinning = Regex::new(r"^. running \d+s$").unwrap();
    tmux.wait("the spinner", |s| {
        s.lines().last().is_some_and(|l| spinning.is_match(l))
    });
    tmux.keys(&["C-c"]);
    let screen = tmux.wait("the walk to end", |s| s.contains("EXIT="));
    let after = lines_after(&screen, "$ sleep 30");
    assert_matches(after[0], r"  FAIL Wait \d+\.\d\ds", &screen);
    assert_eq!(
        after[1..],
        [
            "    where: slow › step 2 `Wait`".to_string(),
            "    why: interrupted".to_string(),
            "    command: sleep 30".to_string(),
            "".to_string(),
            format!(
                "cleaned up 1 container(s) this run created: {}",
                &container[..12]
            ),
            "interrupted".to_string(),
            "1 passed, 1 failed, 1 skipped".to_string(),
            "EXIT=130".to_string(),
        ]
    );
    assert_eq!(
        docker(&[
            "ps",
            "-aq",
            "--no-trunc",
            "--filter",
            &format!("id={container}")
        ]),
        ""
    );
}
