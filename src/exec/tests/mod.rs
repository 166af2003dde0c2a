//! Sessions against a real `bash`, with a fake `docker`; removing what a
//! run created is in `cleanup`.

mod cleanup;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::*;

/// A folder with a work directory and a fake docker client.
struct Lab {
    root: TempDir,
    config: SessionConfig,
}

/// The default fake docker prints its arguments.
const ECHO_DOCKER: &str = "echo \"$*\"\n";

fn lab_with(docker: &str, output_limit: usize) -> Lab {
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("work");
    fs::create_dir(&work).unwrap();
    let fake = root.path().join("fake-docker");
    fs::write(&fake, format!("#!/bin/sh\n{docker}")).unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let config = SessionConfig {
        workdir: work,
        lesson: "lesson".into(),
        docker: fake,
        run_id: String::from("R"),
        env: vec![(String::from("KS_TEST_ENV"), String::from("from config"))],
        output_limit,
    };
    Lab { root, config }
}

fn lab() -> Lab {
    lab_with(ECHO_DOCKER, 1 << 20)
}

impl Lab {
    fn start(&self) -> Session {
        Session::start(&self.config).unwrap()
    }

    fn work(&self) -> &Path {
        &self.config.workdir
    }

    fn file(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }
}

fn step(index: usize, command: &str) -> StepRun<'_> {
    StepRun {
        index,
        command,
        timeout: Duration::from_secs(10),
        stop: Stop::default(),
        tty: None,
        captures: &[],
        recorded: Recorded::default(),
    }
}

fn run(session: &mut Session, step: &StepRun) -> StepResult {
    session.run(step, &mut |_| {}).unwrap()
}

/// Run `command` as step 1 and return its output and end.
fn sh(session: &mut Session, command: &str) -> (String, End) {
    let result = run(session, &step(1, command));
    (result.output, result.end)
}

fn exited(code: i32) -> End {
    End::Exited(code)
}

#[test]
fn variables_and_folder_persist() {
    let lab = lab();
    let mut s = lab.start();
    assert_eq!(sh(&mut s, "X=1"), (String::new(), exited(0)));
    assert_eq!(sh(&mut s, "echo $X"), ("1\n".into(), exited(0)));
    assert_eq!(
        sh(&mut s, "mkdir sub && cd sub"),
        (String::new(), exited(0))
    );
    assert_eq!(sh(&mut s, "basename \"$PWD\""), ("sub\n".into(), exited(0)));
    // `set -a` exports what steps assign; config.env is exported too.
    assert_eq!(
        sh(&mut s, "Z=2; bash -c 'echo $Z'"),
        ("2\n".into(), exited(0))
    );
    assert_eq!(
        sh(&mut s, "echo \"$KS_TEST_ENV\""),
        ("from config\n".into(), exited(0))
    );
}

#[test]
fn exit_codes() {
    let lab = lab();
    let mut s = lab.start();
    assert_eq!(sh(&mut s, "true").1, exited(0));
    assert_eq!(sh(&mut s, "false").1, exited(1));
    assert_eq!(sh(&mut s, "(exit 42)").1, exited(42));
    assert_eq!(
        sh(&mut s, "echo x; bash -c 'exit 7'"),
        ("x\n".into(), exited(7))
    );
}

#[test]
fn exit_ends_the_step_and_restarts_the_shell() {
    let lab = lab();
    let mut s = lab.start();
    sh(&mut s, "X=kept; cd /");
    let result = run(&mut s, &step(2, "echo bye; exit 3"));
    assert_eq!(result.output, "bye\n");
    assert_eq!(result.end, exited(3));
    assert!(result.session_restarted);
    assert_eq!(
        sh(&mut s, "echo \"$X $PWD\""),
        ("kept /\n".into(), exited(0))
    );
}

#[test]
fn a_restart_keeps_what_came_before_the_step_and_drops_what_it_set() {
    let lab = lab();
    let mut s = lab.start();
    sh(&mut s, "X=kept; mkdir -p a b; cd a");
    let result = run(&mut s, &step(2, "Y=lost; X=changed; cd ../b; exit 3"));
    assert_eq!(result.end, exited(3));
    assert!(result.session_restarted);
    assert_eq!(
        sh(&mut s, "echo \"$X ${Y-unset} $(basename \"$PWD\")\""),
        ("kept unset a\n".into(), exited(0))
    );
    // A second restart starts from the state the restarted shell saved.
    sh(&mut s, "cd ../b; Z=later");
    run(&mut s, &step(3, "cd ..; exit 1"));
    assert_eq!(
        sh(&mut s, "echo \"$X $Z $(basename \"$PWD\")\""),
        ("kept later b\n".into(), exited(0))
    );
}

#[test]
fn captures_are_loaded_again_for_every_step_that_has_them() {
    let lab = lab();
    let mut s = lab.start();
    let captures = [(String::from("C"), String::from("captured"))];
    let mut first = step(1, "echo \"$C\"; C=changed");
    first.captures = &captures;
    assert_eq!(run(&mut s, &first).output, "captured\n");
    let mut second = step(2, "echo \"$C\"");
    second.captures = &captures;
    assert_eq!(run(&mut s, &second).output, "captured\n");
}

#[test]
fn bookkeeping_stays_out_of_the_steps_environment() {
    let lab = lab();
    let mut s = lab.start();
    sh(&mut s, "cd /");
    assert_eq!(
        sh(&mut s, "env | grep '^__ks_' || echo none"),
        ("none\n".into(), exited(0))
    );
}

#[test]
fn stdout_and_stderr_in_order() {
    let lab = lab();
    let mut s = lab.start();
    assert_eq!(
        sh(&mut s, "echo a; echo b >&2; echo c"),
        ("a\nb\nc\n".into(), exited(0))
    );
}

#[test]
fn steps_read_stdin_from_dev_null() {
    let lab = lab();
    let mut s = lab.start();
    assert_eq!(
        sh(&mut s, "cat; read x; echo \"read: $?\""),
        ("read: 1\n".into(), exited(0))
    );
    assert_eq!(sh(&mut s, "echo after"), ("after\n".into(), exited(0)));
}

#[test]
fn output_without_trailing_newline() {
    let lab = lab();
    let mut s = lab.start();
    assert_eq!(sh(&mut s, "printf abc"), ("abc".into(), exited(0)));
    assert_eq!(
        sh(&mut s, "printf 'abc\\n\\n'"),
        ("abc\n\n".into(), exited(0))
    );
    assert_eq!(sh(&mut s, "printf '\\n'; false"), ("\n".into(), exited(1)));
}

#[test]
fn multi_line_commands() {
    let lab = lab();
    let mut s = lab.start();
    let command = "cat <<EOF\none\nEOF\nfor i in 1 2; do\n  echo $i\ndone";
    assert_eq!(sh(&mut s, command), ("one\n1\n2\n".into(), exited(0)));
}

fn wait_gone(pid: i32) -> bool {
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        if !kill::alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn timeout_kills_the_command_and_keeps_the_shell() {
    let lab = lab();
    let mut s = lab.start();
    sh(&mut s, "X=7");
    let mut long = step(2, "sh -c 'echo $$; exec sleep 1000'");
    long.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let result = run(&mut s, &long);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(result.end, End::TimedOut);
    assert!(!result.session_restarted);
    let pid: i32 = result.output.trim().parse().unwrap();
    assert!(wait_gone(pid), "sleep {pid} is still running");
    assert_eq!(sh(&mut s, "echo $X"), ("7\n".into(), exited(0)));
}

#[test]
fn busy_shell_is_restarted_with_its_state() {
    let lab = lab();
    let mut s = lab.start();
    sh(&mut s, "X=7");
    let mut busy = step(2, "echo spin; while :; do :; done");
    busy.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let result = run(&mut s, &busy);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(result.end, End::TimedOut);
    assert_eq!(result.output, "spin\n");
    assert!(result.session_restarted);
    assert_eq!(sh(&mut s, "echo $X"), ("7\n".into(), exited(0)));
}

#[test]
fn stop_after_lines() {
    let lab = lab();
    let mut s = lab.start();
    let mut ticks = step(1, "while :; do echo tick; sleep 0.2; done");
    ticks.stop.lines = Some(2);
    let result = run(&mut s, &ticks);
    assert_eq!(result.output, "tick\ntick\n");
    assert_eq!(result.end, End::Stopped);
    assert_eq!(sh(&mut s, "echo next"), ("next\n".into(), exited(0)));
}

#[test]
fn stop_after_lines_of_a_child() {
    let lab = lab();
    let mut s = lab.start();
    sh(&mut s, "X=7");
    let mut ticks = step(2, "bash -c 'while :; do echo tick; sleep 0.1; done'");
    ticks.stop.lines = Some(3);
    let result = run(&mut s, &ticks);
    assert_eq!(result.output, "tick\ntick\ntick\n");
    assert_eq!(result.end, End::Stopped);
    assert!(!result.session_restarted);
    assert_eq!(sh(&mut s, "echo $X"), ("7\n".into(), exited(0)));
}

#[test]
fn stop_after_seconds() {
    let lab = lab();
    let mut s = lab.start();
    let mut waits = step(1, "echo start; sleep 30");
    waits.stop.after = Some(Duration::from_secs(1));
    let started = Instant::now();
    let result = run(&mut s, &waits);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(result.output, "start\n");
    assert_eq!(result.end, End::Stopped);
}

#[test]
fn bounded_output_of_a_flood() {
    let lab = lab_with(ECHO_DOCKER, 1000);
    let mut s = lab.start();
    let result = run(&mut s, &step(1, "yes | head -c 20000000"));
    assert_eq!(result.output, "y\n".repeat(500));
    assert_eq!(result.dropped, 20_000_000 - 1000);
    assert_eq!(result.end, exited(0));
}

#[test]
fn live_output_matches_the_result() {
    let lab = lab();
    let mut s = lab.start();
    let mut seen = String::new();
    let command = "echo héllo; sleep 0.1; printf '€'; echo done >&2";
    let result = s
        .run(&step(1, command), &mut |text| seen.push_str(text))
        .unwrap();
    assert_eq!(result.output, "héllo\n€done\n");
    assert_eq!(seen, result.output);
}

#[test]
fn captures_are_values_not_code() {
    let lab = lab();
    let mut s = lab.start();
    let captures = vec![
        (String::from("NAME"), String::from("x; touch pwned")),
        (String::from("OTHER"), String::from("$(touch pwned2)")),
        (String::from("QUOTED"), String::from("a'b\"c\nd\\")),
    ];
    let mut uses = step(1, "echo \"$NAME\"; echo \"$OTHER\"; echo \"$QUOTED\"");
    uses.captures = &captures;
    let result = run(&mut s, &uses);
    assert_eq!(
        result.output,
        "x; touch pwned\n$(touch pwned2)\na'b\"c\nd\\\n"
    );
    assert!(!lab.work().join("pwned").exists());
    assert!(!lab.work().join("pwned2").exists());
    // Captures stay set for later steps, like any variable.
    assert_eq!(
        sh(&mut s, "echo \"$NAME\""),
        ("x; touch pwned\n".into(), exited(0))
    );
}

#[test]
fn bad_capture_name_is_an_error() {
    let lab = lab();
    let mut s = lab.start();
    let captures = vec![(String::from("A B"), String::from("x"))];
    let mut uses = step(1, "true");
    uses.captures = &captures;
    let err = s.run(&uses, &mut |_| {}).unwrap_err();
    assert_eq!(
        err.to_string(),
        "capture `A B` is not a shell variable name"
    );
}

#[test]
fn interrupt_kills_the_step() {
    let lab = lab();
    let mut s = lab.start();
    let flag = s.interrupt_flag();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, Ordering::SeqCst);
    });
    let started = Instant::now();
    let result = run(&mut s, &step(1, "echo before; sleep 30"));
    setter.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(result.output, "before\n");
    assert_eq!(result.end, End::Interrupted);
    // Later steps do not start.
    let next = run(&mut s, &step(2, "echo never"));
    assert_eq!((next.output.as_str(), next.end), ("", End::Interrupted));
}

fn tty_step<'a>(index: usize, command: &'a str, exchanges: &'a [Exchange]) -> StepRun<'a> {
    StepRun {
        tty: Some(exchanges),
        ..step(index, command)
    }
}

fn exchange(wait: &str, send: &str) -> Exchange {
    Exchange {
        wait: wait.into(),
        send: send.into(),
    }
}

#[test]
fn pty_exchange() {
    let lab = lab();
    let mut s = lab.start();
    let script = [exchange("> ", "hello")];
    let command = "printf '> '; read line; echo \"got $line\"; [ -t 0 ] && echo tty";
    let result = run(&mut s, &tty_step(1, command, &script));
    assert_eq!(result.output, "> hello\r\ngot hello\r\ntty\r\n");
    assert_eq!(result.end, exited(0));
}

#[test]
fn pty_exit_code_and_size() {
    let lab = lab();
    let mut s = lab.start();
    let result = run(&mut s, &tty_step(1, "stty size; exit 126", &[]));
    assert_eq!(result.output, "50 200\r\n");
    assert_eq!(result.end, exited(126));
}

#[test]
fn pty_variables_flow_both_ways() {
    let lab = lab();
    let mut s = lab.start();
    sh(&mut s, "X=1; mkdir sub");
    let result = run(&mut s, &tty_step(2, "echo \"X=$X\"; Y=5; cd sub", &[]));
    assert_eq!(result.output, "X=1\r\n");
    assert_eq!(result.end, exited(0));
    assert_eq!(
        sh(&mut s, "echo \"$Y\"; basename \"$PWD\""),
        ("5\nsub\n".into(), exited(0))
    );
    // Bookkeeping variables stay out of the session.
    assert_eq!(
        sh(&mut s, "echo \"${__ks_rc-unset} $TERM\"").0,
        format!("unset {}\n", std::env::var("TERM").unwrap_or_default())
    );
}

#[test]
fn pty_state_survives_a_restart() {
    let lab = lab();
    let mut s = lab.start();
    sh(&mut s, "mkdir sub");
    run(&mut s, &tty_step(2, "Y=5; cd sub", &[]));
    let result = run(&mut s, &step(3, "Y=6; cd /; exit 4"));
    assert!(result.session_restarted);
    assert_eq!(
        sh(&mut s, "echo \"$Y\"; basename \"$PWD\""),
        ("5\nsub\n".into(), exited(0))
    );
}

#[test]
fn pty_prompt_that_never_comes_times_out() {
    let lab = lab();
    let mut s = lab.start();
    let script = [exchange("never", "x")];
    let mut waits = tty_step(1, "echo waiting; sleep 30", &script);
    waits.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let result = run(&mut s, &waits);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(result.output, "waiting\r\n");
    assert_eq!(result.end, End::TimedOut);
    assert_eq!(sh(&mut s, "echo ok"), ("ok\n".into(), exited(0)));
}

#[test]
fn shim_labels_container_creation_only() {
    let lab = lab();
    let mut s = lab.start();
    let labels = "--label io.knowing-scratch.run=R --label io.knowing-scratch.step=lesson/4";
    let cases = [
        ("docker run --rm img", format!("run {labels} --rm img")),
        ("docker create img", format!("create {labels} img")),
        (
            "docker -H tcp://x container run img",
            format!("-H tcp://x container run {labels} img"),
        ),
        (
            "docker --log-level debug -D --context c container create img",
            format!("--log-level debug -D --context c container create {labels} img"),
        ),
        ("docker image ls", String::from("image ls")),
        ("docker container ls -a", String::from("container ls -a")),
        ("docker -H tcp://x ps", String::from("-H tcp://x ps")),
    ];
    for (command, expected) in cases {
        let result = run(&mut s, &step(4, command));
        assert_eq!(result.output, format!("{expected}\n"), "{command}");
    }
    // In a pseudo-terminal too.
    let result = run(&mut s, &tty_step(4, "docker run -it img", &[]));
    assert_eq!(result.output, format!("run {labels} -it img\r\n"));
}

#[test]
fn close_ends_background_jobs() {
    let lab = lab();
    let mut s = lab.start();
    let (output, _) = sh(&mut s, "sleep 1000 & echo $!");
    let pid: i32 = output.trim().parse().unwrap();
    assert!(kill::alive(pid));
    s.close();
    assert!(wait_gone(pid), "background sleep {pid} survived close");
}
