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

    /// The turn on another engine of the matrix (the context `name` that
    /// the set-up script registers, at `host`): a lock file of its own,
    /// `knowing-scratch-live-engine-NAME.lock`, so engines run side by side.
    pub fn take_other(name: &str, client: &Path, host: &str) -> Engine {
        let path = std::env::temp_dir().join(format!("knowing-scratch-live-engine-{name}.lock"));
        let lock = File::create(&path).expect("create the engine lock file");
        if !held_by_an_ancestor(&lock) {
            // SAFETY: as in `take`.
            let locked = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) };
            assert_eq!(locked, 0, "lock {}", path.display());
        }
        let mut version = Command::new(client);
        version.env("DOCKER_HOST", host);
        Engine::answering(version, client, host, lock)
    }

    fn answers(client: &Path, lock: File) -> Engine {
        Engine::answering(Command::new(client), client, "the default engine", lock)
    }

    fn answering(mut version: Command, client: &Path, engine: &str, lock: File) -> Engine {
        let answer = version
            .args(["version", "--format", "{{.Server.Version}}"])
            .output()
            .expect("run the docker client");
        assert!(
            answer.status.success(),
            "no Docker engine answers to {} ({engine}): {}\
             these tests need real engines: run `sudo tests/engine/setup.sh`, then the tests again",
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
    crate::lab::has_ancestor(std::process::id(), |p| holders.contains(&p))
}
