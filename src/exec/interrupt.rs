//! Ctrl-C and SIGTERM.
//!
//! The first signal only sets a flag: running steps poll it, kill what they
//! started and end as `Interrupted`, so the runner can still remove its
//! containers and report. A second signal means the user is done waiting:
//! the handler kills the session shells' process groups and exits with 130.

use std::sync::atomic::{AtomicBool, Ordering};

use super::kill;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ask every session to stop its current step: called from the signal
/// handler's thread on Ctrl-C or SIGTERM.
pub fn request_interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether an interrupt was requested.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// On SIGINT or SIGTERM call [`request_interrupt`]; on a second one kill the
/// session shells and exit with 130 at once.
pub fn install_signal_handlers() -> std::io::Result<()> {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the action only touches atomics and calls kill(2) and
        // _exit(2), all async-signal-safe.
        unsafe {
            signal_hook::low_level::register(sig, || {
                if INTERRUPTED.swap(true, Ordering::SeqCst) {
                    kill::kill_registered_groups();
                    libc::_exit(130);
                }
            })?;
        }
    }
    Ok(())
}
