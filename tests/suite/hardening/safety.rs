//! Safety: cleanup removes only what the run created (against the real
//! engine), captured values never become shell code, and `check` without
//! `--bless` never writes into the lessons folder.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use support::engine::Engine;
use support::lab::{ks, real_docker, run, spawn, Lab};
use support::text::{assert_text, normalize, HEADER};

/// Removes the named containers when dropped, so a failing test leaves
/// nothing behind.
struct Containers(Vec<String>);

impl Drop for Containers {
    fn drop(&mut self) {
        let _ = Command::new(real_docker())
            .args(["rm", "-f"])
            .args(&self.0)
            .output();
    }
}

fn docker(args: &[&str]) -> (bool, String) {
    let out = Command::new(real_docker())
        .args(args)
        .output()
        .expect("run docker");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn running(name: &str) -> bool {
    docker(&["inspect", "--format", "{{.State.Running}}", name]) == (true, "true\n".into())
}

#[test]
fn cleanup_removes_the_runs_containers_and_nothing_else() {
    let _engine = Engine::take(&real_docker());
    let names = Containers(vec!["ks-keep-before".into(), "ks-keep-during".into()]);
    let _ = docker(&["rm", "-f", &names.0[0], &names.0[1]]);
    let (ok, out) = docker(&[
        "run",
        "-d",
        "--name",
        "ks-keep-before",
        "busybox",
        "sleep",
        "600",
    ]);
    assert!(ok, "is the engine running? (tests/engine/setup.sh) {out}");

    let lab = Lab::new();
    let ready = lab.file("ready");
    let go = lab.file("go");
    lab.lessons(
        &["own.yaml"],
        &[("READY", &ready.display()), ("GO", &go.display())],
    );
    let mut cmd = ks(lab.path());
    cmd.arg("--color=never")
        .arg("--docker")
        .arg(real_docker())
        .args(["check", "--lessons", "lessons"]);
    lab.json_report(&mut cmd);
    let started = spawn(cmd);
    assert!(
        started.wait_for_file(&ready, Duration::from_secs(60)),
        "the lesson never reached its second step"
    );
    // Another process, not the run, starts a container during the run.
    let (ok, out) = docker(&[
        "run",
        "-d",
        "--name",
        "ks-keep-during",
        "busybox",
        "sleep",
        "600",
    ]);
    assert!(ok, "{out}");
    fs::write(&go, "").unwrap();
    let ran = started.wait(Duration::from_secs(120));
    assert_eq!(ran.code, Some(0), "{ran:?}");

    let report: serde_json::Value = serde_json::from_str(&lab.report()).unwrap();
    let own = report["lessons"][0]["steps"][0]["actual"]
        .as_str()
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(own.len(), 64, "not a container ID: {own:?}");
    assert_eq!(report["cleaned"], serde_json::json!([own[..12]]));
    assert_text(
        "stdout",
        &format!(
            "{HEADER}own · Own\n\
         \x20 ok Start a container N.NNs\n\
         \x20 ok Let another process start one N.NNs\n\
         \x20 ok Finish N.NNs\n\
         cleaned up 1 container(s) this run created: <id>\n\
         3 passed, 0 failed, 0 skipped\n"
        ),
        &normalize(&ran.stdout),
    );
    let (exists, text) = docker(&["inspect", "--format", "{{.Id}}", &own]);
    assert!(!exists, "the run's own container survived: {text}");
    assert!(text.contains("No such object"), "{text}");
    assert!(
        running("ks-keep-before"),
        "the container made before the run was touched"
    );
    assert!(
        running("ks-keep-during"),
        "the container made during the run was touched"
    );
}

#[test]
fn captured_values_reach_later_steps_verbatim_and_never_run() {
    let lab = Lab::new();
    lab.lessons(&["capture.yaml"], &[]);
    let mut cmd = ks(lab.path());
    cmd.arg("--color=never");
    lab.fake_docker(&mut cmd, &["docker-28-buildx.tape"]);
    cmd.args(["check", "--lessons", "lessons"]);
    lab.json_report(&mut cmd);
    let ran = run(cmd, Duration::from_secs(60));
    assert_eq!(ran.code, Some(0), "{ran:?}");
    let report: serde_json::Value = serde_json::from_str(&lab.report()).unwrap();
    let steps = &report["lessons"][0]["steps"];
    assert_eq!(steps[1]["actual"], "x; touch pwned\n");
    assert_eq!(steps[3]["actual"], "$(touch pwned2) `touch pwned3`\n");
    for name in ["pwned", "pwned2", "pwned3"] {
        for dir in [lab.path(), &lab.path().join("lessons")] {
            assert!(
                !dir.join(name).exists(),
                "{name} was created in {}",
                dir.display()
            );
        }
    }
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_dir() {
                out.insert(format!("{rel}/"), (Vec::new(), SystemTime::UNIX_EPOCH));
                todo.push(p);
            } else {
                let modified = fs::metadata(&p).unwrap().modified().unwrap();
                out.insert(rel, (fs::read(&p).unwrap(), modified));
            }
        }
    }
    out
}

#[test]
fn check_without_bless_never_writes_into_the_lessons_folder() {
    let lab = Lab::new();
    lab.lessons(&["no-bless/01-drift.yaml", "no-bless/02-more.yaml"], &[]);
    let before = snapshot(&lab.path().join("lessons"));
    for format in ["human", "json", "junit"] {
        let mut cmd = ks(lab.path());
        lab.fake_docker(&mut cmd, &["docker-28-buildx.tape"]);
        cmd.args(["check", "--lessons", "lessons", "--format", format]);
        let ran = run(cmd, Duration::from_secs(60));
        assert_eq!(ran.code, Some(1), "{format}: {ran:?}");
    }
    let after = snapshot(&lab.path().join("lessons"));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert!(before == after, "a lesson file changed");
    // The same run with `--bless` does write: the snapshot can tell.
    let mut cmd = ks(lab.path());
    lab.fake_docker(&mut cmd, &["docker-28-buildx.tape"]);
    cmd.args(["check", "--lessons", "lessons", "--bless"]);
    let ran = run(cmd, Duration::from_secs(60));
    assert!(ran.code.is_some(), "{ran:?}");
    assert!(
        snapshot(&lab.path().join("lessons")) != before,
        "--bless wrote nothing, so this test proves nothing"
    );
}
