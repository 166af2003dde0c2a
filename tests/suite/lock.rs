//! The engine lock (`src/lock.rs`), against the fake engine's ledger: a lock
//! left by a run that is gone is removed, and a live one is waited for, then
//! given up on with the holder named. Two real runs at once are in
//! `tests/live.rs`.

use support::test::Test;

fn proc(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
        .unwrap()
        .trim()
        .to_string()
}

/// A lock container in the fake's ledger, held by `host` and `pid` with a
/// process start time of 1 (no process of this machine started then).
fn lock_of(host: &str, pid: u32) -> String {
    format!(
        "{id} create io.knowing-scratch.lock.host={host} io.knowing-scratch.lock.boot={boot} \
         io.knowing-scratch.lock.pid={pid} io.knowing-scratch.lock.start=1 \
         io.knowing-scratch.lock.since=1 @name=knowing-scratch-lock\n{id} exit\n",
        id = "5".repeat(64),
        boot = proc("random/boot_id"),
    )
}

#[test]
fn a_lock_left_by_a_run_that_is_gone_is_removed_and_said() {
    let out = Test::new()
        .engine_state("containers", &lock_of(&proc("hostname"), std::process::id()))
        .redact(r"process \d+ on `[^`]+`, for \d+ min", "process [PID] on `[HOST]`, for [AGE]")
        .args(["check", "interesting-outputs"])
        .stderr("removed a stale lock on the engine at unix:///var/run/docker.sock: its run (process [PID] on `[HOST]`, for [AGE]) is gone\n")
        .run();
    assert!(
        out.stdout.ends_with("4 passed, 0 failed, 1 skipped\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.calls.contains(&format!("rm -f {}\n", "5".repeat(64))),
        "the stale lock is removed by its ID:\n{}",
        out.calls
    );
}

#[test]
fn a_lock_held_from_another_machine_is_waited_for_then_given_up_with_exit_3() {
    let out = Test::new()
        .engine_state("containers", &lock_of("elsewhere", 4242))
        .env("KNOWING_SCRATCH_LOCK_TIMEOUT", "1")
        .redact(r"for \d+ min\)", "for [AGE])")
        .args(["check", "interesting-outputs"])
        .stdout("")
        .stderr(
            "
            waiting for the engine at unix:///var/run/docker.sock: another run holds it (process 4242 on `elsewhere`, for [AGE]); giving up after 1 s
            error: another run holds the engine at unix:///var/run/docker.sock (process 4242 on `elsewhere`, for [AGE]); gave up after 1 s
            hint: if that run is gone, remove its lock with `docker rm knowing-scratch-lock` (on that engine); KNOWING_SCRATCH_LOCK_TIMEOUT=SECONDS waits longer
            ",
        )
        .status(3)
        .run();
    // Nothing ran, and the other run's lock is still there.
    assert!(!out.calls.contains("image pull"), "{}", out.calls);
    assert!(!out.calls.contains("rm -f"), "{}", out.calls);
}
