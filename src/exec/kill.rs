//! Finding and ending the processes a step started.
//!
//! The session shell and each pseudo-terminal child lead their own session
//! and process group, so what they run is found by walking `/proc`: every
//! descendant (by parent pid) plus anything left in the group (an orphaned
//! background job). Killing is SIGTERM, a short grace, then SIGKILL; a zombie
//! counts as gone, its parent reaps it.
//!
//! The process groups of live shells are also kept in a fixed table that a
//! signal handler can read without locks, so a second Ctrl-C can kill them
//! before the process exits.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

struct ProcStat {
    ppid: i32,
    pgrp: i32,
    zombie: bool,
}

fn stat(pid: i32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself hold spaces or `)`.
    let rest = text.get(text.rfind(')')? + 2..)?;
    let mut fields = rest.split(' ');
    let state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some(ProcStat {
        ppid,
        pgrp,
        zombie: state == "Z" || state == "X",
    })
}

/// Whether `pid` is a live (not zombie) process.
pub(crate) fn alive(pid: i32) -> bool {
    stat(pid).is_some_and(|s| !s.zombie)
}

/// The descendants of `root` found through the kernel's child lists
/// (`/proc/PID/task/TID/children`): cheap enough to take before every step,
/// unlike [`tree`], which reads every process. Orphans that left the tree
/// are not found.
pub(crate) fn descendants(root: i32) -> HashSet<i32> {
    let mut found = HashSet::new();
    let mut frontier = vec![root];
    while let Some(pid) = frontier.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Ok(list) = std::fs::read_to_string(task.path().join("children")) else {
                continue;
            };
            for child in list
                .split_whitespace()
                .filter_map(|c| c.parse::<i32>().ok())
            {
                if found.insert(child) {
                    frontier.push(child);
                }
            }
        }
    }
    found
}

/// [`descendants`] of a process that has one thread, as the session's
/// `bash` does: its main thread's child list tells whether there are any,
/// which is all that is read before most steps (nothing runs between them).
pub(crate) fn descendants_of_single_threaded(root: i32) -> HashSet<i32> {
    match std::fs::read_to_string(format!("/proc/{root}/task/{root}/children")) {
        Ok(list) if list.trim().is_empty() => HashSet::new(),
        _ => descendants(root),
    }
}

/// Live processes below `root` or in its process group, `root` excluded.
pub(crate) fn tree(root: i32) -> HashSet<i32> {
    let mut table = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<i32>().ok())
            else {
                continue;
            };
            if let Some(s) = stat(pid) {
                if !s.zombie {
                    table.push((pid, s));
                }
            }
        }
    }
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for (pid, s) in &table {
        children.entry(s.ppid).or_default().push(*pid);
    }
    let mut found: HashSet<i32> = table
        .iter()
        .filter(|(pid, s)| s.pgrp == root && *pid != root)
        .map(|(pid, _)| *pid)
        .collect();
    let mut frontier: Vec<i32> = std::iter::once(root).chain(found.iter().copied()).collect();
    while let Some(parent) = frontier.pop() {
        for &pid in children.get(&parent).into_iter().flatten() {
            if pid != root && found.insert(pid) {
                frontier.push(pid);
            }
        }
    }
    found
}

fn signal(pid: i32, sig: libc::c_int) {
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe {
        libc::kill(pid, sig);
    }
}

/// SIGTERM `pids`, wait up to `grace` for them to go, then SIGKILL the rest.
pub(crate) fn terminate(pids: &HashSet<i32>, grace: Duration) {
    if pids.is_empty() {
        return;
    }
    for &pid in pids {
        signal(pid, libc::SIGTERM);
    }
    let start = Instant::now();
    // Most processes go within a millisecond: look again soon, then less
    // often (a fixed 10 ms cost every session 10 ms at its end).
    let mut pause = Duration::from_micros(250);
    while pids.iter().any(|&pid| alive(pid)) {
        if start.elapsed() >= grace {
            for &pid in pids {
                if alive(pid) {
                    signal(pid, libc::SIGKILL);
                }
            }
            break;
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

/// SIGKILL `pids` at once.
pub(crate) fn kill_now(pids: &HashSet<i32>) {
    for &pid in pids {
        signal(pid, libc::SIGKILL);
    }
}

const SLOTS: usize = 64;
static GROUPS: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];

/// Remember a live process group for [`kill_registered_groups`].
pub(crate) fn register_group(pgid: i32) {
    for slot in &GROUPS {
        if slot
            .compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
    }
}

/// Forget a process group that has ended.
pub(crate) fn unregister_group(pgid: i32) {
    for slot in &GROUPS {
        if slot
            .compare_exchange(pgid, 0, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
    }
}

/// SIGKILL every registered process group. Async-signal-safe.
pub(crate) fn kill_registered_groups() {
    for slot in &GROUPS {
        let pgid = slot.load(Ordering::SeqCst);
        if pgid > 0 {
            signal(-pgid, libc::SIGKILL);
        }
    }
}
