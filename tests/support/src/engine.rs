//! The real engine, shared: tests that run lessons on it take turns.
//!
//! They share one engine and one image tag, so each holds an exclusive lock
//! on a file in the temporary folder while it runs, which also keeps out the
//! same tests run from another checkout, and lessons run by hand under
//! `flock /tmp/knowing-scratch-live-engine.lock`. The lock is an `flock(2)`
//! on a descriptor of its own, so tests of one binary, on parallel threads,
//! wait for each other too.

use std::fs::File;
use std::os::fd::AsRawFd;
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
        // SAFETY: flock on a descriptor this function owns; the lock goes
        // away when the file is closed.
        let locked = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(locked, 0, "lock {}", path.display());
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
