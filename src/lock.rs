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
//!
//! Where the engine's socket is the one the client would use (see
//! `engine::direct_socket`), listing the images, creating the lock and
//! removing it go over the socket: three client processes fewer, about
//! 50 ms of every run. Anything unusual (a name taken, an error) goes back
//! to the client, whose words then explain it.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::engine::{self, api, client_command};
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
    socket: Option<PathBuf>,
    id: String,
}

impl Drop for EngineLock {
    fn drop(&mut self) {
        if let Some(socket) = &self.socket {
            let path = format!("/containers/{}?force=1", self.id);
            if let Some((204 | 404, _)) = api::request(socket, "DELETE", &path, None, API_DEADLINE)
            {
                return;
            }
        }
        let _ = client(&self.docker, &self.target, &["rm", "-f", &self.id]);
    }
}

/// Longest wait for one answer over the socket.
const API_DEADLINE: Duration = Duration::from_secs(30);

/// The oldest image's ID, over the socket; `None` when there is none or the
/// engine could not be asked.
fn oldest_image(socket: &Path) -> Option<String> {
    let (200, images) = api::request(socket, "GET", "/images/json", None, API_DEADLINE)? else {
        return None;
    };
    images
        .as_array()?
        .iter()
        .filter_map(|i| Some((i.get("Created")?.as_i64()?, i.get("Id")?.as_str()?)))
        .min()
        .map(|(_, id)| id.to_string())
}

/// Create the lock container over the socket: `Ok(Some(id))`, `Ok(None)`
/// when the name is taken, `Err(())` when the client should try instead.
fn create_over(socket: &Path, image: &str, labels: &[String]) -> Result<Option<String>, ()> {
    let labels: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.into()))
        .collect();
    let body = serde_json::json!({
        "Image": image,
        "Cmd": ["/knowing-scratch-lock"],
        "Labels": labels,
    });
    let path = format!("/containers/create?name={LOCK_NAME}");
    match api::request(socket, "POST", &path, Some(&body), API_DEADLINE) {
        Some((201, answer)) => answer
            .get("Id")
            .and_then(|id| id.as_str())
            .map(|id| Some(id.to_string()))
            .ok_or(()),
        Some((409, _)) => Ok(None),
        _ => Err(()),
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
    let socket = engine::direct_socket(docker, target);
    let image = match socket.as_deref().and_then(oldest_image) {
        Some(id) => id,
        None => lock_image(docker, target).map_err(failed)?,
    };
    let me = Holder::me();
    let labels = me.labels();
    let mut create: Vec<String> = vec!["create".into(), "--name".into(), LOCK_NAME.into()];
    for label in &labels {
        create.push("--label".into());
        create.push(label.clone());
    }
    create.push(image.clone());
    // Never started, but an image without a command needs one to be created.
    create.push("/knowing-scratch-lock".into());
    let create: Vec<&str> = create.iter().map(String::as_str).collect();
    let started = Instant::now();
    let mut told: Option<String> = None;
    loop {
        let over_socket = match &socket {
            Some(socket) => create_over(socket, &image, &labels),
            None => Err(()),
        };
        let created = match over_socket {
            Ok(Some(id)) => Ok(id),
            // The client says who holds the name, or what went wrong.
            Ok(None) | Err(()) => client(docker, target, &create),
        };
        let stderr = match created {
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
                    socket,
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

    /// An engine socket that answers one request with `answer`, and gives
    /// back the request it read.
    fn engine_answering(
        answer: &'static str,
    ) -> (tempfile::TempDir, std::thread::JoinHandle<String>) {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let listener = std::os::unix::net::UnixListener::bind(dir.path().join("s")).unwrap();
        let served = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Head, then as many body bytes as Content-Length says.
            loop {
                let n = conn.read(&mut buf).unwrap();
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .map_or(0, |v| v.parse().unwrap());
                    if body.len() >= len {
                        break;
                    }
                }
            }
            conn.write_all(answer.as_bytes()).unwrap();
            String::from_utf8(request).unwrap()
        });
        (dir, served)
    }

    #[test]
    fn the_lock_is_created_over_the_socket_with_its_labels() {
        let (dir, served) = engine_answering("HTTP/1.0 201 Created\r\nContent-Type: application/json\r\n\r\n{\"Id\":\"abc123\",\"Warnings\":[]}\n");
        let labels = vec!["io.knowing-scratch.lock.pid=42".to_string()];
        let got = create_over(&dir.path().join("s"), "sha256:0001", &labels);
        assert_eq!(got, Ok(Some("abc123".to_string())));
        let request = served.join().unwrap();
        let (head, body) = request.split_once("\r\n\r\n").unwrap();
        assert_eq!(
            head.lines().next(),
            Some("POST /containers/create?name=knowing-scratch-lock HTTP/1.0")
        );
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "Image": "sha256:0001",
                "Cmd": ["/knowing-scratch-lock"],
                "Labels": {"io.knowing-scratch.lock.pid": "42"},
            })
        );
    }

    #[test]
    fn a_taken_name_over_the_socket_is_no_error_and_others_go_to_the_client() {
        let (dir, served) =
            engine_answering("HTTP/1.0 409 Conflict\r\n\r\n{\"message\":\"Conflict.\"}");
        assert_eq!(create_over(&dir.path().join("s"), "x", &[]), Ok(None));
        served.join().unwrap();
        let (dir, served) =
            engine_answering("HTTP/1.0 500 Internal Server Error\r\n\r\n{\"message\":\"no\"}");
        assert_eq!(create_over(&dir.path().join("s"), "x", &[]), Err(()));
        served.join().unwrap();
        let gone = tempfile::tempdir().unwrap();
        assert_eq!(create_over(&gone.path().join("s"), "x", &[]), Err(()));
    }

    #[test]
    fn the_oldest_image_is_taken() {
        let (dir, served) = engine_answering("HTTP/1.0 200 OK\r\n\r\n[{\"Id\":\"sha256:new\",\"Created\":200},{\"Id\":\"sha256:old\",\"Created\":100}]");
        assert_eq!(
            oldest_image(&dir.path().join("s")),
            Some("sha256:old".to_string())
        );
        served.join().unwrap();
        let (dir, served) = engine_answering("HTTP/1.0 200 OK\r\n\r\n[]");
        assert_eq!(oldest_image(&dir.path().join("s")), None);
        served.join().unwrap();
    }

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
