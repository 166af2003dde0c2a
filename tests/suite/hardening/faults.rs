//! Faults: no engine, an engine that hangs or stops mid-run, steps that hang
//! or flood, and interrupts. All use the fake `docker` (the faults are tapes
//! of `tests/fixtures/tapes/faults/`) except the first test, which uses the
//! real client pointed at a socket that does not exist.

use std::fs;
use std::time::Duration;

use support::lab::{alive, has_ancestor, ks, real_docker, run, spawn, wait_until, Lab};
use support::text::{assert_text, normalize, HEADER};

const HINT: &str = "hint: start one with `sudo systemctl start docker` (or `sudo dockerd &`), \
point `DOCKER_HOST` at a running engine, or run `sudo tests/engine/setup.sh` from this \
repository to install and start one\n";

/// The engine and clients of the 28 tape, and a container the lessons start.
const ENGINE: [&str; 2] = ["docker-28-buildx.tape", "faults/container.tape"];

/// `check` in the lab with the fake client playing `tapes`.
fn fake_check(lab: &Lab, tapes: &[&str]) -> std::process::Command {
    let mut cmd = ks(lab.path());
    cmd.arg("--color=never");
    lab.fake_docker(&mut cmd, tapes);
    cmd.args(["check", "--lessons", "lessons"]);
    cmd
}

#[test]
fn no_engine_with_the_real_client_is_reported_within_two_seconds() {
    let lab = Lab::new();
    lab.lessons(&["hello.yaml"], &[]);
    let mut cmd = ks(lab.path());
    cmd.env("DOCKER_HOST", "unix:///nonexistent.sock")
        .arg("--docker")
        .arg(real_docker())
        .args(["check", "--lessons", "lessons"]);
    let ran = run(cmd, Duration::from_secs(30));
    assert_eq!(ran.code, Some(3), "{ran:?}");
    assert!(
        ran.elapsed < Duration::from_secs(5),
        "took {:?}",
        ran.elapsed
    );
    assert_text(
        "stderr",
        &format!(
            "error: no Docker engine answers at DOCKER_HOST=unix:///nonexistent.sock: \
             Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?\n{HINT}"
        ),
        &ran.stderr,
    );
    assert_eq!(ran.stdout, "");
}

#[test]
fn an_engine_that_never_answers_is_given_up_on_after_its_deadline() {
    let lab = Lab::new();
    lab.lessons(&["hello.yaml"], &[]);
    let ran = run(
        fake_check(&lab, &["faults/engine-hangs.tape"]),
        Duration::from_secs(30),
    );
    assert_eq!(ran.code, Some(3), "{ran:?}");
    assert!(
        ran.elapsed < Duration::from_secs(5),
        "took {:?}",
        ran.elapsed
    );
    assert!(
        ran.elapsed >= Duration::from_millis(1700),
        "gave up before the deadline: {:?}",
        ran.elapsed
    );
    let client = fs::canonicalize(support::fake_docker()).unwrap();
    assert_text(
        "stderr",
        &format!(
            "error: no Docker engine answers at unix:///var/run/docker.sock: \
             `{} version` did not answer within 1.8s\n{HINT}",
            client.display()
        ),
        &ran.stderr,
    );
    assert_eq!(lab.calls(), "version --format '{{json .}}'\n");
}

#[test]
fn an_engine_that_stops_mid_run_fails_the_step_and_skips_the_rest() {
    let lab = Lab::new();
    lab.lessons(
        &["engine-stops/01-engine.yaml", "engine-stops/02-after.yaml"],
        &[],
    );
    let tapes = [ENGINE[0], ENGINE[1], "faults/engine-dies.tape"];
    let ran = run(fake_check(&lab, &tapes), Duration::from_secs(60));
    assert_eq!(ran.code, Some(3), "{ran:?}");
    let gone = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";
    assert_text(
        "stdout",
        &format!(
            "{HEADER}engine · Engine\n\
             \x20 ok Start a container N.NNs\n\
             \x20 FAIL List images N.NNs\n\
             \x20   where: engine › step 2 `List images`\n\
             \x20   why: the Docker engine stopped answering: {gone}\n\
             \x20   command: docker image ls\n\
             \x20   diff: - documented + real\n\
             \x20   - REPOSITORY   TAG       IMAGE ID       CREATED         SIZE\n\
             \x20   - busybox      latest    <id>   10 months ago   4.86MB\n\
             \x20   + {gone}\n\
             \x20 ---- List containers (not run: the Docker engine stopped answering)\n\
             after · After\n\
             \x20 ---- Say hello (not run: the Docker engine stopped answering)\n\
             the Docker engine stopped answering; the steps after it were not run\n\
             1 passed, 1 failed, 2 skipped\n"
        ),
        &normalize(&ran.stdout),
    );
    // Cleanup was attempted even though the engine was gone.
    let calls = lab.calls();
    let cleanup = regex::Regex::new(
        r"(?m)^ps -aq --no-trunc --filter label=io\.knowing-scratch\.run=[0-9a-f]+$",
    )
    .unwrap();
    assert!(cleanup.is_match(&calls), "no cleanup attempt in:\n{calls}");
}

#[test]
fn a_hanging_step_is_killed_with_its_whole_process_tree() {
    let lab = Lab::new();
    let child = lab.file("child.pid");
    let grandchild = lab.file("grandchild.pid");
    lab.lessons(
        &["hang.yaml"],
        &[
            ("CHILD", &child.display()),
            ("GRANDCHILD", &grandchild.display()),
        ],
    );
    let ran = run(fake_check(&lab, &ENGINE), Duration::from_secs(60));
    assert_eq!(ran.code, Some(1), "{ran:?}");
    assert_text(
        "stdout",
        &format!(
            "{HEADER}hang · Hang\n\
         \x20 FAIL Hang N.NNs\n\
         \x20   where: hang › step 1 `Hang`\n\
         \x20   why: timed out after 2s\n\
         \x20   command: sleep 600 & …\n\
         \x20 ok Go on N.NNs\n\
         1 passed, 1 failed, 0 skipped\n"
        ),
        &normalize(&ran.stdout),
    );
    for file in [&child, &grandchild] {
        let pid: i32 = fs::read_to_string(file).unwrap().trim().parse().unwrap();
        assert!(
            wait_until(Duration::from_secs(3), || !alive(pid)),
            "{} (pid {pid}) survived the timeout",
            file.display()
        );
    }
}

/// `yes` cut at `mib` MiB: the exit code, the bytes dropped (from the note
/// in the report), the bytes kept (from the JSON report), the peak memory in
/// MiB and the length of the human report. The flood has a size, not a
/// duration, so what is dropped does not depend on how busy the machine is.
fn flood(mib: u64) -> (Option<i32>, u64, usize, i64, usize) {
    let lab = Lab::new();
    lab.lessons(&["flood.yaml"], &[("BYTES", &(mib << 20))]);
    let mut cmd = fake_check(&lab, &ENGINE);
    lab.json_report(&mut cmd);
    let ran = run(cmd, Duration::from_secs(300));
    let note = regex::Regex::new(r"(?m)^    \(output truncated: (\d+) more bytes were not kept\)$")
        .unwrap();
    let dropped: u64 = note
        .captures(&ran.stdout)
        .unwrap_or_else(|| panic!("no truncation note in:\n{}", ran.stdout))[1]
        .parse()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&lab.report()).unwrap();
    let step = &report["lessons"][0]["steps"][0];
    assert_eq!(step["dropped_bytes"].as_u64(), Some(dropped));
    assert_eq!(step["failures"], serde_json::json!([{"kind": "output"}]));
    let kept = step["actual"].as_str().unwrap().len();
    (
        ran.code,
        dropped,
        kept,
        ran.max_rss_kib / 1024,
        ran.stdout.len(),
    )
}

#[test]
fn a_flood_of_output_is_truncated_and_memory_stays_bounded() {
    let (code, dropped, kept, peak, report) = flood(24);
    let (long_code, long_dropped, long_kept, long_peak, long_report) = flood(64);
    assert_eq!((code, long_code), (Some(1), Some(1)));
    // 16 MiB is kept, every other byte counted.
    assert_eq!((kept, long_kept), (16 << 20, 16 << 20), "bytes kept");
    assert_eq!(
        (dropped, long_dropped),
        (8 << 20, 48 << 20),
        "bytes dropped"
    );
    // Memory and the report do not grow with the flood...
    assert!(
        long_peak <= peak + peak / 10 + 32,
        "peak memory grew from {peak} MiB to {long_peak} MiB with the flood"
    );
    // ...and stay modest for 16 MiB kept.
    for (mib, bytes) in [(peak, report), (long_peak, long_report)] {
        assert!(mib < 1024, "peak memory {mib} MiB for 16 MiB kept");
        assert!(bytes < 1 << 20, "a human report of {bytes} bytes");
    }
}

/// A lesson whose first step starts a container and whose second runs until
/// interrupted; `started` appears when the second is running.
fn long_lesson(lab: &Lab) -> (std::path::PathBuf, std::path::PathBuf) {
    let started = lab.file("started");
    let pid = lab.file("sleep.pid");
    lab.lessons(
        &["long.yaml"],
        &[("PID", &pid.display()), ("STARTED", &started.display())],
    );
    (started, pid)
}

fn interrupt_stops_the_step_and_cleans_up(sig: i32) {
    let lab = Lab::new();
    let (started, pid_file) = long_lesson(&lab);
    let running = spawn(fake_check(&lab, &ENGINE));
    assert!(
        running.wait_for_file(&started, Duration::from_secs(30)),
        "the long step never started"
    );
    // The fake engine's ledger also holds the engine lock, a named container.
    let ledger = fs::read_to_string(lab.file("fake/containers")).unwrap();
    let id = ledger
        .lines()
        .find(|l| l.contains(" create ") && !l.contains("@name=knowing-scratch-lock"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the step's container in the fake's ledger")
        .to_string();
    running.signal(sig);
    let ran = running.wait(Duration::from_secs(30));
    assert_eq!(ran.code, Some(130), "{ran:?}");
    assert_text(
        "stdout",
        &format!(
            "{HEADER}long · Long\n\
         \x20 ok Start a container N.NNs\n\
         \x20 FAIL Wait N.NNs\n\
         \x20   where: long › step 2 `Wait`\n\
         \x20   why: interrupted\n\
         \x20   command: sleep 600 & …\n\
         \x20 ---- Never (not run: the run was interrupted)\n\
         cleaned up 1 container(s) this run created: <id>\n\
         interrupted\n\
         1 passed, 1 failed, 1 skipped\n"
        ),
        &normalize(&ran.stdout),
    );
    assert!(ran.stdout.contains(&id[..12]), "{}", ran.stdout);
    let calls = lab.calls();
    assert!(
        calls.lines().any(|l| l == format!("rm -f {id}")),
        "the container was not removed:\n{calls}"
    );
    let pid: i32 = fs::read_to_string(pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(3), || !alive(pid)),
        "the step's sleep {pid} survived"
    );
}

#[test]
fn sigint_stops_the_step_removes_the_runs_containers_and_reports() {
    interrupt_stops_the_step_and_cleans_up(libc::SIGINT);
}

#[test]
fn sigterm_stops_the_step_removes_the_runs_containers_and_reports() {
    interrupt_stops_the_step_and_cleans_up(libc::SIGTERM);
}

#[test]
fn a_second_sigint_exits_at_once() {
    let lab = Lab::new();
    let (started, _) = long_lesson(&lab);
    // `ps` (the cleanup) blocks until `release` exists.
    let tapes = [ENGINE[0], ENGINE[1], "faults/slow-cleanup.tape"];
    let running = spawn(fake_check(&lab, &tapes));
    assert!(running.wait_for_file(&started, Duration::from_secs(30)));
    running.signal(libc::SIGINT);
    let cleaning = wait_until(Duration::from_secs(10), || {
        lab.calls().lines().any(|l| l.starts_with("ps -aq"))
    });
    let first = running.elapsed();
    running.signal(libc::SIGINT);
    let ran = running.wait(Duration::from_secs(30));
    fs::write(lab.file("fake/release"), "").unwrap();
    assert!(cleaning, "cleanup never started: {}", lab.calls());
    assert_eq!(ran.code, Some(130), "{ran:?}");
    let waited = ran.elapsed - first;
    assert!(
        waited < Duration::from_secs(1),
        "took {waited:?} after the second SIGINT"
    );
}

/// The pids of running `sleep SECONDS` processes started under `root`.
fn sleeping_under(root: i32, seconds: &str) -> Vec<i32> {
    let root = u32::try_from(root).expect("a process id");
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if cmdline == format!("sleep\0{seconds}\0").as_bytes() && has_ancestor(pid, |p| p == root) {
            found.push(i32::try_from(pid).expect("a process id"));
        }
    }
    found
}

#[test]
fn interrupting_lessons_side_by_side_cleans_up_both_and_reports_in_file_order() {
    let lab = Lab::new();
    lab.lessons(&["long-a.yaml", "long-b.yaml"], &[]);
    let mut cmd = fake_check(&lab, &ENGINE);
    cmd.args(["--jobs", "2"]);
    let running = spawn(cmd);
    // Both lessons are in their second step at once.
    let mut sleeps = Vec::new();
    let both = wait_until(Duration::from_secs(30), || {
        sleeps = [
            sleeping_under(running.pid(), "601"),
            sleeping_under(running.pid(), "602"),
        ]
        .concat();
        sleeps.len() == 2
    });
    assert!(
        both,
        "the two lessons never waited side by side: {}",
        lab.calls()
    );
    let ledger = fs::read_to_string(lab.file("fake/containers")).unwrap();
    let ids: Vec<String> = ledger
        .lines()
        .filter(|l| l.contains(" create ") && !l.contains("@name=knowing-scratch-lock"))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    assert_eq!(ids.len(), 2, "{ledger}");
    running.signal(libc::SIGINT);
    let ran = running.wait(Duration::from_secs(30));
    assert_eq!(ran.code, Some(130), "{ran:?}");
    // Exactly the run's two containers were removed, and both sleeps ended.
    let calls = lab.calls();
    // The cleanup's `rm -f` follows its listing of the run's containers.
    let lines: Vec<&str> = calls.lines().collect();
    let listing = lines
        .iter()
        .position(|l| l.starts_with("ps -aq --no-trunc --filter label=io.knowing-scratch.run="))
        .expect("the cleanup listed the run's containers");
    let mut removed_sorted: Vec<&str> = lines[listing + 1]
        .strip_prefix("rm -f ")
        .expect("the cleanup removed containers")
        .split_whitespace()
        .collect();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.sort_unstable();
    removed_sorted.sort_unstable();
    assert_eq!(removed_sorted, expected, "{calls}");
    assert_text(
        "stdout",
        &format!(
            "{HEADER}long-a · Long A\n\
         \x20 ok Start a container N.NNs\n\
         \x20 FAIL Wait N.NNs\n\
         \x20   where: long-a › step 2 `Wait`\n\
         \x20   why: interrupted\n\
         \x20   command: sleep 601\n\
         long-b · Long B\n\
         \x20 ok Start a container N.NNs\n\
         \x20 FAIL Wait N.NNs\n\
         \x20   where: long-b › step 2 `Wait`\n\
         \x20   why: interrupted\n\
         \x20   command: sleep 602\n\
         cleaned up 2 container(s) this run created: <id> <id>\n\
         interrupted\n\
         2 passed, 2 failed, 0 skipped\n"
        ),
        &normalize(&ran.stdout),
    );
    for pid in sleeps {
        assert!(
            wait_until(Duration::from_secs(3), || !alive(pid)),
            "the step's sleep {pid} survived"
        );
    }
}
