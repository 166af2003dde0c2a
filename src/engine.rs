//! What the Docker engine and client are: detected once per run, before any
//! step, so that variants are chosen from facts and `doctor` can explain them.

use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::lesson::{Builder, Facts, Store, Version};

/// How long the first question to the engine may take: an absent engine must
/// be reported within two seconds.
const PING_DEADLINE: Duration = Duration::from_millis(1800);

/// The engine and client a run talks to.
#[derive(Debug, Clone, Serialize)]
pub struct Engine {
    pub docker: PathBuf,
    pub client: String,
    pub server: String,
    pub runc: Option<String>,
    pub containerd: Option<String>,
    pub buildx: Option<String>,
    pub builder: Builder,
    /// The image store, when the engine said (`None`: it did not answer `docker info`).
    pub store: Option<Store>,
    pub endpoint: String,
    pub registry: bool,
    #[serde(skip)]
    pub facts: Facts,
}

impl Engine {
    /// One line naming what was checked, for report headers:
    /// `engine 28.5.2 (containerd image store), client 28.5.2 with buildx 0.29.1, runc 1.1.5`.
    pub fn describe(&self) -> String {
        let store = match self.store {
            Some(s) => format!(" ({} image store)", s.name()),
            None => String::new(),
        };
        let builder = match self.builder {
            Builder::Buildx => format!(" with buildx {}", self.buildx.as_deref().unwrap_or("?")),
            Builder::Builtin => " with built-in BuildKit".to_string(),
            Builder::Legacy => " with the legacy builder".to_string(),
        };
        let runc = match &self.runc {
            Some(r) => format!(", runc {r}"),
            None => String::new(),
        };
        format!(
            "engine {}{store}, client {}{builder}{runc}",
            self.server, self.client
        )
    }
}

/// No engine answered.
#[derive(Debug, Clone)]
pub struct Unreachable {
    pub endpoint: String,
    /// The client's own words, when it said something.
    pub detail: String,
    /// The client's version, when it answered.
    pub client: Option<String>,
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no Docker engine answers at {}", self.endpoint)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl Unreachable {
    /// How to get an engine, for the message under the error.
    pub fn hint(&self) -> &'static str {
        "start one with `sudo systemctl start docker` (or `sudo dockerd &`), point `DOCKER_HOST` at a running engine, \
         or run `sudo tests/engine/setup.sh` from this repository to install and start one"
    }
}

/// Where the client will connect, as the user would name it.
pub fn endpoint() -> String {
    if let Some(host) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return format!("DOCKER_HOST={host}");
    }
    if let Some(ctx) = std::env::var("DOCKER_CONTEXT")
        .ok()
        .filter(|h| !h.is_empty())
    {
        return format!("the context `{ctx}` (DOCKER_CONTEXT)");
    }
    "unix:///var/run/docker.sock".to_string()
}

/// Run a command with a deadline; `None` when it did not finish in time.
fn run_with_deadline(cmd: &mut Command, deadline: Duration) -> Option<(bool, String, String)> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut out = child.stdout.take()?;
    let mut err = child.stderr.take()?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut o = String::new();
        let mut e = String::new();
        let _ = out.read_to_string(&mut o);
        let _ = err.read_to_string(&mut e);
        let _ = tx.send((o, e));
    });
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let (o, e) = rx.recv_timeout(Duration::from_secs(1)).unwrap_or_default();
            return Some((status.success(), o, e));
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The `docker` to use: an explicit path, else the first on PATH.
pub fn resolve_client(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(p) if p.components().count() > 1 => {
            Some(std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
        }
        Some(p) => which(&p.to_string_lossy()),
        None => which("docker"),
    }
}

/// The first executable called `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

fn json_str(v: &serde_json::Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().map(str::to_string)
}

/// Ask the client and engine what they are.
pub fn detect(docker: &Path) -> Result<Engine, Unreachable> {
    let endpoint = endpoint();
    let answer = run_with_deadline(
        Command::new(docker).args(["version", "--format", "{{json .}}"]),
        PING_DEADLINE,
    );
    let Some((ok, out, err)) = answer else {
        return Err(Unreachable {
            endpoint,
            detail: format!(
                "`{} version` did not answer within {:.1}s",
                docker.display(),
                PING_DEADLINE.as_secs_f64()
            ),
            client: None,
        });
    };
    let json: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_default();
    let client = json_str(&json, &["Client", "Version"]);
    let server = json_str(&json, &["Server", "Version"]);
    let (true, Some(client), Some(server)) = (ok, client.clone(), server) else {
        let detail = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        return Err(Unreachable {
            endpoint,
            detail,
            client,
        });
    };
    let component = |name: &str| {
        json.pointer("/Server/Components")?
            .as_array()?
            .iter()
            .find(|c| c.get("Name").and_then(|n| n.as_str()) == Some(name))
            .and_then(|c| c.get("Version")?.as_str().map(str::to_string))
    };
    let runc = component("runc");
    let containerd = component("containerd");
    let client_v = Version::parse_loose(&client);
    let buildkit_env = std::env::var("DOCKER_BUILDKIT").ok();
    let buildkit_off = matches!(buildkit_env.as_deref(), Some("0" | "false"));
    let buildkit_on = matches!(buildkit_env.as_deref(), Some("1" | "true"));
    let modern = client_v.as_ref().is_some_and(|v| *v >= Version(vec![23]));
    let buildx = buildx_version(docker);
    let builder = if buildkit_off {
        Builder::Legacy
    } else if modern {
        if buildx.is_some() {
            Builder::Buildx
        } else {
            Builder::Legacy
        }
    } else if buildkit_on {
        Builder::Builtin
    } else {
        Builder::Legacy
    };
    // Asked only once the engine answered, so an absent engine costs one call.
    let store = image_store(docker);
    let facts = Facts {
        client: client_v,
        server: Version::parse_loose(&server),
        runc: runc.as_deref().and_then(Version::parse_loose),
        builder,
        store,
    };
    Ok(Engine {
        docker: docker.to_path_buf(),
        client,
        server,
        runc,
        containerd,
        buildx,
        builder,
        store,
        endpoint,
        registry: registry_reachable(),
        facts,
    })
}

/// Which image store the engine uses: `docker info` lists the containerd
/// snapshotter as `driver-type: io.containerd.snapshotter.v1` in the driver's status.
fn image_store(docker: &Path) -> Option<Store> {
    let (ok, out, _) = run_with_deadline(
        Command::new(docker).args(["info", "--format", "{{json .DriverStatus}}"]),
        PING_DEADLINE,
    )?;
    if !ok {
        return None;
    }
    let status: Vec<Vec<String>> = serde_json::from_str(out.trim()).ok()?;
    Some(store_from_driver_status(&status))
}

fn store_from_driver_status(status: &[Vec<String>]) -> Store {
    let containerd = status.iter().any(|pair| {
        pair.first().map(String::as_str) == Some("driver-type")
            && pair
                .get(1)
                .is_some_and(|v| v.starts_with("io.containerd.snapshotter"))
    });
    if containerd {
        Store::Containerd
    } else {
        Store::Classic
    }
}

fn buildx_version(docker: &Path) -> Option<String> {
    let (ok, out, _) = run_with_deadline(
        Command::new(docker).args(["buildx", "version"]),
        Duration::from_secs(10),
    )?;
    if !ok {
        return None;
    }
    // "github.com/docker/buildx 0.13.1 ..." or "github.com/docker/buildx v0.13.1 ..."
    out.split_whitespace()
        .nth(1)
        .map(|v| v.trim_start_matches('v').to_string())
}

/// Whether Docker Hub answers. `KNOWING_SCRATCH_REGISTRY=0|1` decides without
/// asking the network (tests, air-gapped machines).
pub fn registry_reachable() -> bool {
    match std::env::var("KNOWING_SCRATCH_REGISTRY").as_deref() {
        Ok("0") => return false,
        Ok("1") => return true,
        _ => {}
    }
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let ok = ("registry-1.docker.io", 443)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .is_some_and(|addr| {
                TcpStream::connect_timeout(&addr, Duration::from_millis(1500)).is_ok()
            });
        let _ = tx.send(ok);
    });
    rx.recv_timeout(Duration::from_secs(2)).unwrap_or(false)
}

/// Why a step cannot run here: every requirement that is not met, or `None`.
pub fn missing_requirements(requires: &[String], engine: &Engine) -> Option<String> {
    let missing: Vec<String> = requires
        .iter()
        .filter_map(|r| requirement_missing(r, engine))
        .collect();
    (!missing.is_empty()).then(|| missing.join("; "))
}

/// Set to `1` (by `--allow-host`) to run steps marked `requires: [host]`.
pub const ALLOW_HOST: &str = "KNOWING_SCRATCH_ALLOW_HOST";

/// Whether a step requirement is met: `registry`, `host` (allowed), or a tool on PATH.
pub fn requirement_missing(req: &str, engine: &Engine) -> Option<String> {
    match req {
        "host" if std::env::var(ALLOW_HOST).is_ok_and(|v| v == "1" || v == "true") => None,
        "host" => Some(
            "needs `host`: it changes this machine; read it with `list --commands`, then pass --allow-host"
                .to_string(),
        ),
        "registry" if !engine.registry => {
            Some("needs `registry`: Docker Hub is not reachable".to_string())
        }
        "registry" => None,
        tool => which(tool)
            .is_none()
            .then(|| format!("needs `{tool}`: not found on PATH")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(json: &str) -> Vec<Vec<String>> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_store_comes_from_the_driver_status() {
        // Engine 28.5 with `containerd-snapshotter`, then Engine 20.10 with overlay2.
        assert_eq!(
            store_from_driver_status(&status(
                r#"[["driver-type","io.containerd.snapshotter.v1"]]"#
            )),
            Store::Containerd
        );
        assert_eq!(
            store_from_driver_status(&status(
                r#"[["Backing Filesystem","extfs"],["Supports d_type","true"],["Native Overlay Diff","true"],["userxattr","false"]]"#
            )),
            Store::Classic
        );
    }
}
