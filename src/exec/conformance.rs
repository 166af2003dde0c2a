//! One suite that every executor passes, as scrut's executor tests do: the
//! shell session, the pseudo-terminal and recorded playback each run the
//! same cases, and each must print what the case documents and end as it
//! says. A pseudo-terminal's transcript ends lines in `\r\n`; playback
//! prints the documented text and ends every step as played.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tempfile::TempDir;

use super::*;

#[derive(Clone, Copy)]
enum Kind {
    Shell,
    Pty,
    Playback,
}

struct Lab {
    _root: TempDir,
    config: SessionConfig,
}

fn lab() -> Lab {
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("work");
    fs::create_dir(&work).unwrap();
    let fake = root.path().join("fake-docker");
    fs::write(&fake, "#!/bin/sh\necho \"$*\"\n").unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let config = SessionConfig {
        workdir: work,
        lesson: "lesson".into(),
        docker: fake,
        run_id: String::from("R"),
        env: Vec::new(),
        output_limit: 1 << 20,
    };
    Lab {
        _root: root,
        config,
    }
}

impl Kind {
    fn open(self, lab: &Lab) -> Box<dyn Executor> {
        match self {
            Kind::Shell => Box::new(Session::start(&lab.config).unwrap()),
            Kind::Pty => Box::new(PtySession::start(&lab.config).unwrap()),
            Kind::Playback => Box::new(Playback::default()),
        }
    }

    /// What the executor shows for documented `text`.
    fn transcript(self, text: &str) -> String {
        match self {
            Kind::Pty => text.replace('\n', "\r\n"),
            Kind::Shell | Kind::Playback => text.to_string(),
        }
    }

    fn end(self, exit: i32) -> End {
        match self {
            Kind::Playback => End::Played,
            Kind::Shell | Kind::Pty => End::Exited(exit),
        }
    }
}

/// A step and what the docs say it prints.
struct Case<'a> {
    command: &'a str,
    prints: &'a str,
    exit: i32,
    captures: &'a [(String, String)],
}

fn case<'a>(command: &'a str, prints: &'a str, exit: i32) -> Case<'a> {
    Case {
        command,
        prints,
        exit,
        captures: &[],
    }
}

fn request<'a>(index: usize, case: &Case<'a>) -> StepRun<'a> {
    StepRun {
        index,
        command: case.command,
        timeout: Duration::from_secs(20),
        stop: Stop::default(),
        tty: None,
        captures: case.captures,
        recorded: Recorded {
            output: case.prints,
            exit: case.exit,
        },
    }
}

/// Run `cases` in order on one executor; each must print and end as documented.
fn holds(kind: Kind, cases: &[Case], live: &mut dyn FnMut(&str)) {
    let lab = lab();
    let mut executor = kind.open(&lab);
    for (i, case) in cases.iter().enumerate() {
        let result = executor.run(&request(i + 1, case), live).unwrap();
        assert_eq!(
            result.output,
            kind.transcript(case.prints),
            "{}",
            case.command
        );
        assert_eq!(result.end, kind.end(case.exit), "{}", case.command);
        assert_eq!(result.dropped, 0);
    }
}

fn runs_steps(kind: Kind) {
    holds(
        kind,
        &[
            case("echo hello", "hello\n", 0),
            case("printf abc", "abc", 0),
            case("echo a; echo b >&2; echo c", "a\nb\nc\n", 0),
            case("echo x; (exit 7)", "x\n", 7),
            case(
                "cat <<EOF\none\nEOF\nfor i in 1 2; do\n  echo $i\ndone",
                "one\n1\n2\n",
                0,
            ),
        ],
        &mut |_| {},
    );
}

fn keeps_state_between_steps(kind: Kind) {
    holds(
        kind,
        &[
            case("X=1; mkdir -p sub && cd sub", "", 0),
            case("echo \"$X\"; basename \"$PWD\"", "1\nsub\n", 0),
            case("echo bye; exit 3", "bye\n", 3),
            // What the step that ended its shell set is lost, not what came before.
            case("echo \"$X\"; basename \"$PWD\"", "1\nsub\n", 0),
        ],
        &mut |_| {},
    );
}

fn captures_are_values(kind: Kind) {
    let captures = vec![
        (String::from("NAME"), String::from("x; touch pwned")),
        (String::from("OTHER"), String::from("$(touch pwned)")),
    ];
    let mut uses = case(
        "echo \"$NAME\"; echo \"$OTHER\"; ls",
        "x; touch pwned\n$(touch pwned)\n",
        0,
    );
    uses.captures = &captures;
    holds(kind, &[uses], &mut |_| {});
}

fn live_sees_the_kept_output(kind: Kind) {
    let mut seen = String::new();
    let lab = lab();
    let mut executor = kind.open(&lab);
    let step = case(
        "echo héllo; sleep 0.1; printf '€'; echo done >&2",
        "héllo\n€done\n",
        0,
    );
    let result = executor
        .run(&request(1, &step), &mut |text| seen.push_str(text))
        .unwrap();
    assert_eq!(result.output, kind.transcript("héllo\n€done\n"));
    assert_eq!(seen, result.output);
}

/// A slow reader of the live output (a busy terminal, a loaded machine)
/// loses nothing the step printed before it ended.
fn slow_live_loses_nothing(kind: Kind) {
    let mut seen = String::new();
    let mut slow = |text: &str| {
        std::thread::sleep(Duration::from_millis(400));
        seen.push_str(text);
    };
    holds(
        kind,
        &[case(
            "echo a; sleep 0.2; echo b; sleep 0.2; echo c; sleep 0.2; echo d",
            "a\nb\nc\nd\n",
            0,
        )],
        &mut slow,
    );
    assert_eq!(seen, kind.transcript("a\nb\nc\nd\n"));
}

fn interrupted_step_shows_nothing(kind: Kind) {
    let lab = lab();
    let mut executor = kind.open(&lab);
    executor.interrupt_flag().store(true, Ordering::SeqCst);
    let mut seen = String::new();
    let never = case("echo never", "never\n", 0);
    let result = executor
        .run(&request(1, &never), &mut |text| seen.push_str(text))
        .unwrap();
    assert_eq!((result.output.as_str(), result.end), ("", End::Interrupted));
    assert_eq!(seen, "");
}

macro_rules! suite {
    ($name:ident, $kind:expr) => {
        mod $name {
            #[test]
            fn runs_steps() {
                super::runs_steps($kind);
            }
            #[test]
            fn keeps_state_between_steps() {
                super::keeps_state_between_steps($kind);
            }
            #[test]
            fn captures_are_values() {
                super::captures_are_values($kind);
            }
            #[test]
            fn live_sees_the_kept_output() {
                super::live_sees_the_kept_output($kind);
            }
            #[test]
            fn slow_live_loses_nothing() {
                super::slow_live_loses_nothing($kind);
            }
            #[test]
            fn interrupted_step_shows_nothing() {
                super::interrupted_step_shows_nothing($kind);
            }
        }
    };
}

suite!(shell, super::Kind::Shell);
suite!(pty, super::Kind::Pty);
suite!(playback, super::Kind::Playback);
