//! The engine lock: one run at a time on an engine, whichever machine the
//! runs start from.
//!
//! Two runs on one engine break each other (BuildKit merges identical builds,
//! both retag the same images), which would read as drift. A lock file would
//! only see runs of the same machine, so the engine itself holds the lock: a
//! container named [`LOCK_NAME`], created (never started) at the start of a
//! run and removed at its end. The engine refuses a second container of that
//! name atomically, so exactly one run gets it; the others wait, say so on
//! stderr, and give up after a timeout (`KNOWING_SCRATCH_LOCK_TIMEOUT`
//! seconds, 30 minutes by default) with an error naming the holder.
//!
//! The lock's labels name its holder: host name, boot id, process id and the
//! process's start time. A lock whose holder ran on this machine and is gone
//! (its process ended, or the machine rebooted since) is stale: the waiting
//! run removes it, by its ID so that it never removes a newer lock, and says
//! so. A lock held from another machine cannot be checked; its age is shown,
//! with the command that removes it.
//!
//! The container needs an image; any image the engine has will do, and the
//! oldest is taken (a base image, which the lessons do not rebuild). An
//! engine with no image at all gets an empty one, imported as
//! [`EMPTY_IMAGE`].

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::engine::client_command;
use crate::exec::interrupted;
use crate::target::Target;

/// The lock container's name.
pub const LOCK_NAME: &str = "knowing-scratch-lock";
/// The image imported for an engine that has none.
pub const EMPTY_IMAGE: &str = "knowing-scratch-lock:empty";
const LABEL: &str = "io.knowing-scratch.lock";
/// How long a run waits by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The lock container's ID and labels, as [`Holder::parse`] reads them.
const INSPECT: &str = "{{.Id}}{{range $k, $v := .Config.Labels}} {{$k}}={{$v}}{{end}}";
/// How often a waiting run asks again.
const POLL: Duration = Duration::from_millis(500);

/// Who holds the lock, from its labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holder {
    pub id: String,
    pub host: String,
    pub boot: String,
    pub pid: u32,
    /// The process's start time, in clock ticks since boot.
    pub start: u64,
    /// Unix seconds when the lock was taken.
    pub since: u64,
}

impl Holder {
    /// This process.
    fn me() -> Holder {
        let pid = std::process::id();
        Holder {
            id: String::new(),
            host: hostname(),
            boot: boot_id(),
            pid,
            start: start_ticks(pid).unwrap_or(0),
            since: now(),
        }
    }

    fn labels(&self) -> Vec<String> {
        vec![
            format!("{LABEL}.host={}", self.host),
            format!("{LABEL}.boot={}", self.boot),
            format!("{LABEL}.pid={}", self.pid),
            format!("{LABEL}.start={}", self.start),
            format!("{LABEL}.since={}", self.since),
        ]
    }

    /// From `ID key=value key=value …`.
    fn parse(line: &str) -> Option<Holder> {
        let mut words = line.split_whitespace();
        let mut h = Holder {
            id: words.next()?.to_string(),
            ..Holder::default()
        };
        for word in words {
            let Some((key, value)) = word.split_once('=') else {
                continue;
            };
            match key.strip_prefix(LABEL).and_then(|k| k.strip_prefix('.')) {
                Some("host") => h.host = value.to_string(),
                Some("boot") => h.boot = value.to_string(),
                Some("pid") => h.pid = value.parse().unwrap_or(0),
                Some("start") => h.start = value.parse().unwrap_or(0),
                Some("since") => h.since = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        Some(h)
    }

    /// Whether the holder is known to be gone: it ran on this machine and
    /// its process has ended (or is another process now), or the machine
    /// rebooted since. `None`: it ran elsewhere, no telling.
    fn gone(&self) -> Option<bool> {
        let me = Holder::me();
        if self.host != me.host {
            return None;
        }
        if self.boot != me.boot {
            return Some(true);
        }
        Some(start_ticks(self.pid) != Some(self.start))
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "process {} on `{}`, for {}",
            self.pid,
            self.host,
            age(now().saturating_sub(self.since))
        )
    }
}

fn age(secs: u64) -> String {
    if secs < 120 {
        format!("{secs} s")
    } else {
        format!("{} min", secs / 60)
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|b| b.trim().to_string())
        .unwrap_or_default()
}

/// Field 22 of `/proc/PID/stat`: when the process started. With the pid it
/// names one process, even after the pid is reused.
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another run holds the engine at {endpoint} ({holder}); gave up after {waited} s")]
    Timeout {
        endpoint: String,
        holder: Box<Holder>,
        waited: u64,
    },
    #[error("interrupted while waiting for the engine at {endpoint}")]
    Interrupted { endpoint: String },
    #[error("could not lock the engine at {endpoint}: {detail}")]
    Failed { endpoint: String, detail: String },
}

impl LockError {
    /// The command that removes a lock left by a run that is gone.
    pub fn hint(&self) -> Option<String> {
        match self {
            LockError::Timeout { .. } => Some(format!(
                "if that run is gone, remove its lock with `docker rm {LOCK_NAME}` (on that engine); \
                 KNOWING_SCRATCH_LOCK_TIMEOUT=SECONDS waits longer"
            )),
            _ => None,
        }
    }
}

/// The lock, held until dropped.
pub struct EngineLock {
    docker: PathBuf,
    target: Target,
    id: String,
}

impl Drop for EngineLock {
    fn drop(&mut self) {
        let _ = client(&self.docker, &self.target, &["rm", "-f", &self.id]);
    }
}

/// Run the client; its stdout, or its stderr as the error.
fn client(docker: &Path, target: &Target, args: &[&str]) -> Result<String, String> {
    let out = client_command(docker, target)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("run `{}`: {e}", docker.display()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Whether a failed `create` failed because the name is taken.
fn name_taken(stderr: &str) -> bool {
    stderr.contains("is already in use") || stderr.contains("Conflict")
}

/// An image the lock container can be made from.
fn lock_image(docker: &Path, target: &Target) -> Result<String, String> {
    let listed = client(docker, target, &["image", "ls", "--quiet", "--no-trunc"])?;
    if let Some(oldest) = listed.lines().map(str::trim).rfind(|l| !l.is_empty()) {
        return Ok(oldest.to_string());
    }
    // An empty tar archive: two zero blocks.
    let mut child = client_command(docker, target)
        .args(["image", "import", "-", EMPTY_IMAGE])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("run `{}`: {e}", docker.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(&[0u8; 1024]);
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(EMPTY_IMAGE.to_string())
}

/// Take the engine's lock, waiting while another run holds it. `say`
/// receives what a waiting run tells the user (once per holder).
pub fn acquire(
    docker: &Path,
    target: &Target,
    say: &mut dyn FnMut(&str),
) -> Result<EngineLock, LockError> {
    let timeout = std::env::var("KNOWING_SCRATCH_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let endpoint = target.endpoint();
    let failed = |detail: String| LockError::Failed {
        endpoint: endpoint.clone(),
        detail,
    };
    let image = lock_image(docker, target).map_err(failed)?;
    let me = Holder::me();
    let mut create: Vec<String> = vec!["create".into(), "--name".into(), LOCK_NAME.into()];
    for label in me.labels() {
        create.push("--label".into());
        create.push(label);
    }
    create.push(image);
    // Never started, but an image without a command needs one to be created.
    create.push("/knowing-scratch-lock".into());
    let create: Vec<&str> = create.iter().map(String::as_str).collect();
    let started = Instant::now();
    let mut told: Option<String> = None;
    loop {
        let stderr = match client(docker, target, &create) {
            Ok(id) => {
                if told.is_some() {
                    say(&format!(
                        "got the engine at {endpoint} after {} s",
                        started.elapsed().as_secs()
                    ));
                }
                return Ok(EngineLock {
                    docker: docker.to_path_buf(),
                    target: target.clone(),
                    id,
                });
            }
            Err(stderr) => stderr,
        };
        if !name_taken(&stderr) {
            return Err(failed(stderr));
        }
        // Gone between the two calls: try again at once.
        let Ok(line) = client(
            docker,
            target,
            &["container", "inspect", "--format", INSPECT, LOCK_NAME],
        ) else {
            continue;
        };
        let holder = Holder::parse(&line).unwrap_or_default();
        if holder.gone() == Some(true) {
            // By ID: a newer lock of the same name is never removed.
            if client(docker, target, &["rm", "-f", &holder.id]).is_ok() {
                say(&format!(
                    "removed a stale lock on the engine at {endpoint}: its run ({holder}) is gone"
                ));
            }
            continue;
        }
        if told.as_deref() != Some(&holder.id) {
            let who = if holder.host == me.host && holder.pid == me.pid {
                "this run holds it under another name".to_string()
            } else {
                format!("another run holds it ({holder})")
            };
            say(&format!(
                "waiting for the engine at {endpoint}: {who}; giving up after {}",
                age(timeout.as_secs())
            ));
            told = Some(holder.id.clone());
        }
        if started.elapsed() >= timeout {
            return Err(LockError::Timeout {
                endpoint,
                holder: Box::new(holder),
                waited: started.elapsed().as_secs(),
            });
        }
        if interrupted() {
            return Err(LockError::Interrupted { endpoint });
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_reads_back_from_its_labels() {
        let me = Holder::me();
        let line = format!("abc123 {} other=x", me.labels().join(" "));
        let read = Holder::parse(&line).unwrap();
        assert_eq!(
            read,
            Holder {
                id: "abc123".into(),
                ..me
            }
        );
    }

    #[test]
    fn this_process_is_not_gone_and_a_dead_one_is() {
        let me = Holder::me();
        assert!(me.start > 0);
        assert_eq!(me.gone(), Some(false));
        let reused = Holder {
            start: me.start + 1,
            ..me.clone()
        };
        assert_eq!(reused.gone(), Some(true));
        let rebooted = Holder {
            boot: "another-boot".into(),
            ..me.clone()
        };
        assert_eq!(rebooted.gone(), Some(true));
        let elsewhere = Holder {
            host: "elsewhere".into(),
            ..me
        };
        assert_eq!(elsewhere.gone(), None);
    }
}
