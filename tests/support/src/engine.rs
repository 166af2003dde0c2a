//! The real engine, shared: tests that run lessons on it take turns.
//!
//! They share one engine and one image tag, so each holds an exclusive lock
//! on a file in the temporary folder while it runs, which also keeps out the
//! same tests run from another checkout, and lessons run by hand under
//! `flock /tmp/knowing-scratch-live-engine.lock`. The lock is an `flock(2)`
//! on a descriptor of its own, so tests of one binary, on parallel threads,
//! wait for each other too. A test run started under that `flock` already
//! has the turn: waiting for it would wait forever, so it goes ahead.

use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

/// The turn on the real engine, held until dropped.
pub struct Engine {
    _lock: File,
}

impl Engine {
    /// Wait for the other tests on the engine, then make sure it answers to
    /// `client`: these tests fail, not skip, without one.
    pub fn take(client: &Path) -> Engine {
        let path = std::env::temp_dir().join("knowing-scratch-live-engine.lock");
        let lock = File::create(&path).expect("create the engine lock file");
        if held_by_an_ancestor(&lock) {
            return Engine::answers(client, lock);
        }
        // SAFETY: flock on a descriptor this function owns; the lock goes
        // away when the file is closed.
        let locked = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(locked, 0, "lock {}", path.display());
        Engine::answers(client, lock)
    }

    fn answers(client: &Path, lock: File) -> Engine {
        let answer = Command::new(client)
            .args(["version", "--format", "{{.Server.Version}}"])
            .output()
            .expect("run the docker client");
        assert!(
            answer.status.success(),
            "no Docker engine answers to {}: {}\
             these tests need a real engine: run `sudo tests/engine/setup.sh`, then the tests again",
            client.display(),
            String::from_utf8_lossy(&answer.stderr)
        );
        Engine { _lock: lock }
    }
}

/// Whether the `flock` on `lock`'s file is held by a process this one runs
/// under (`flock LOCKFILE cargo test`), as `/proc/locks` tells.
fn held_by_an_ancestor(lock: &File) -> bool {
    let Ok(inode) = lock.metadata().map(|m| m.ino()) else {
        return false;
    };
    let locks = fs::read_to_string("/proc/locks").unwrap_or_default();
    // `1: FLOCK  ADVISORY  WRITE 303 fe:00:10011510 0 EOF`; a waiter's line has `->`.
    let holders: Vec<u32> = locks
        .lines()
        .filter(|l| !l.contains("->"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let file_inode: u64 = f.get(5)?.rsplit(':').next()?.parse().ok()?;
            if f.get(1) != Some(&"FLOCK") || file_inode != inode {
                return None;
            }
            f.get(4)?.parse().ok()
        })
        .collect();
    let mut pid = std::process::id();
    while pid > 1 {
        let Some(parent) = parent_of(pid) else {
            return false;
        };
        if holders.contains(&parent) {
            return true;
        }
        pid = parent;
    }
    false
}

/// The parent of process `pid`, from `/proc/PID/stat` (after the command
/// name in parentheses: the state, then the parent).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
