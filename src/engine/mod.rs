//! What the Docker engine and client are: detected once per run, before any
//! step, so that variants are chosen from facts and `doctor` can explain them.

use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::lesson::{Builder, Facts, Lesson, Store, Version};
use crate::target::{Target, Transport};

pub(crate) mod api;
mod gobuild;
mod plugins;

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
    /// The buildx plugin's version. `None` when there is no plugin, or when
    /// it was not asked: its version can cost a program run, so it is asked
    /// only when a variant tests the builder (and by `doctor`), unless the
    /// plugin's build info tells it for free.
    pub buildx: Option<String>,
    pub builder: Builder,
    /// The image store, when the engine said (`None`: it did not answer `docker info`).
    pub store: Option<Store>,
    pub endpoint: String,
    /// How the client reaches the engine (`local`, `tcp`, `ssh`).
    pub transport: Transport,
    /// Whether Docker Hub answers; `None` when not asked, because no step of
    /// the run requires `registry` (the probe costs a DNS lookup and a
    /// connection, up to two seconds offline).
    pub registry: Option<bool>,
    #[serde(skip)]
    pub facts: Facts,
    /// The engine as named; every docker process of the run gets its environment.
    #[serde(skip)]
    pub target: Target,
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
            Builder::Buildx => match &self.buildx {
                Some(version) => format!(" with buildx {version}"),
                None => " with buildx".to_string(),
            },
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

/// Run a command with a deadline; `None` when it did not finish in time.
/// It waits for the end of the output, which comes with the command's own
/// end, instead of polling on a timer (a 10 ms poll cost up to 10 ms a call).
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
        let errors = std::thread::spawn(move || {
            let mut e = String::new();
            let _ = err.read_to_string(&mut e);
            e
        });
        let mut o = String::new();
        let _ = out.read_to_string(&mut o);
        let e = errors.join().unwrap_or_default();
        let _ = tx.send((o, e));
    });
    let start = Instant::now();
    let late = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
        None
    };
    let output = loop {
        let left = deadline.saturating_sub(start.elapsed());
        match rx.recv_timeout(left.min(Duration::from_millis(10))) {
            Ok(output) => break output,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Ok(Some(status)) = child.try_wait() {
                    // Something it started holds the output open.
                    let (o, e) = rx.recv_timeout(Duration::from_secs(1)).unwrap_or_default();
                    return Some((status.success(), o, e));
                }
                if left.is_zero() {
                    return late(&mut child);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break Default::default(),
        }
    };
    // The output ends as the command exits; its status follows at once.
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some((status.success(), output.0, output.1));
        }
        if start.elapsed() > deadline {
            return late(&mut child);
        }
        std::thread::sleep(Duration::from_micros(200));
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

/// What a run asks beyond the versions and the image store, which cost
/// little. The buildx plugin's version can cost a program run (about 50 ms
/// through the client), and Docker Hub's reachability a DNS lookup and a
/// connection, so each is asked only when a lesson needs it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// A variant tests the builder.
    pub builder: bool,
    /// A step requires `registry`.
    pub registry: bool,
}

impl Needs {
    /// Everything (`doctor`).
    pub fn all() -> Needs {
        Needs {
            builder: true,
            registry: true,
        }
    }

    /// What the steps of `lessons` need.
    pub fn of<'a>(lessons: impl IntoIterator<Item = &'a Lesson>) -> Needs {
        let mut needs = Needs::default();
        for step in lessons.into_iter().flat_map(|l| &l.steps) {
            needs.builder |= step.variants.iter().any(|v| v.when.tests_builder());
            needs.registry |= step.requires.iter().any(|r| r == "registry");
        }
        needs
    }
}

/// What the client and the engine said about themselves, before the facts
/// are drawn from it.
struct Answers {
    client: String,
    server: String,
    /// The engine's `Components` list (`runc`, `containerd`, ...).
    components: serde_json::Value,
    buildx: Option<String>,
    /// Whether the buildx plugin is there even when its version was not asked.
    buildx_present: bool,
    store: Option<Store>,
}

/// A docker client process aimed at `target`.
pub fn client_command(docker: &Path, target: &Target) -> Command {
    let mut cmd = Command::new(docker);
    cmd.envs(target.env());
    cmd
}

/// Ask the client and engine what they are.
pub fn detect(docker: &Path, target: &Target, needs: Needs) -> Result<Engine, Unreachable> {
    let endpoint = target.endpoint();
    // The socket shortcut reads the environment as the client would; an
    // engine named with `--engine` is asked through the client.
    let direct = (*target == Target::default())
        .then(|| ask_directly(docker, needs))
        .flatten();
    let answers = match direct {
        Some(answers) => answers,
        None => ask_client(docker, target, &endpoint)?,
    };
    let Answers {
        client,
        server,
        components,
        buildx,
        buildx_present,
        store,
    } = answers;
    let component = |name: &str| {
        components
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
    let builder = if buildkit_off {
        Builder::Legacy
    } else if modern {
        if buildx_present {
            Builder::Buildx
        } else {
            Builder::Legacy
        }
    } else if buildkit_on {
        Builder::Builtin
    } else {
        Builder::Legacy
    };
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
        transport: target.transport(docker),
        registry: needs.registry.then(registry_reachable),
        facts,
        target: target.clone(),
    })
}

/// Which image store the engine uses: `docker info` lists the containerd
/// snapshotter as `driver-type: io.containerd.snapshotter.v1` in the driver's status.
fn image_store(docker: &Path, target: &Target) -> Option<Store> {
    let (ok, out, _) = run_with_deadline(
        client_command(docker, target).args(["info", "--format", "{{json .DriverStatus}}"]),
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

/// The engine's own socket, when asking it there gives what the client
/// `docker` would get: `docker` is the docker CLI, and the target is the
/// socket the client would use (see [`api::local_socket`]) or a `unix://`
/// URL. For the engine lock, which then needs no client process.
pub(crate) fn direct_socket(docker: &Path, target: &Target) -> Option<PathBuf> {
    gobuild::BuildInfo::docker_cli(docker)?;
    match (&target.name, target.url()) {
        (None, _) => api::local_socket(),
        (Some(_), Some(url)) => {
            let path = Path::new(url.strip_prefix("unix://")?);
            path.is_absolute().then(|| path.to_path_buf())
        }
        (Some(_), None) => None,
    }
}

/// The answers without running the client: its version from its build
/// info, the engine's from its socket, the plugin from the folders the
/// client looks in. `None` wherever that is not certain to give what the
/// client would say (another program than the docker CLI, a remote engine).
fn ask_directly(docker: &Path, needs: Needs) -> Option<Answers> {
    let info = gobuild::BuildInfo::docker_cli(docker)?;
    let client = info.ldflag("github.com/docker/cli/cli/version.Version")?;
    let socket = api::local_socket()?;
    // Both questions at once: the engine takes longer over `/info`.
    let info = {
        let socket = socket.clone();
        std::thread::spawn(move || api::get(&socket, "/info", PING_DEADLINE))
    };
    let version = api::get(&socket, "/version", PING_DEADLINE)?;
    let server = json_str(&version, &["Version"])?;
    let info = info.join().ok()??;
    let status: Vec<Vec<String>> =
        serde_json::from_value(info.get("DriverStatus")?.clone()).ok()?;
    let store = Some(store_from_driver_status(&status));
    let (buildx, buildx_present) = match plugins::find("buildx") {
        plugins::Found::Unknown => {
            let buildx = buildx_version(docker, &Target::default());
            let present = buildx.is_some();
            (buildx, present)
        }
        plugins::Found::Absent => (None, false),
        plugins::Found::At(plugin) => {
            match plugins::version(&plugin, "github.com/docker/buildx/version.Version") {
                Some(v) => (Some(v), true),
                None if needs.builder => {
                    let v = plugins::metadata_version(&plugin);
                    let present = v.is_some();
                    (v, present)
                }
                None => (None, true),
            }
        }
    };
    Some(Answers {
        client: client.to_string(),
        server,
        components: version.get("Components").cloned().unwrap_or_default(),
        buildx,
        buildx_present,
        store,
    })
}

/// The answers from `docker version` and `docker buildx version`.
fn ask_client(docker: &Path, target: &Target, endpoint: &str) -> Result<Answers, Unreachable> {
    let answer = run_with_deadline(
        client_command(docker, target).args(["version", "--format", "{{json .}}"]),
        PING_DEADLINE,
    );
    let Some((ok, out, err)) = answer else {
        return Err(Unreachable {
            endpoint: endpoint.to_string(),
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
            endpoint: endpoint.to_string(),
            detail,
            client,
        });
    };
    let buildx = buildx_version(docker, target);
    // Asked only once the engine answered, so an absent engine costs one call.
    let store = image_store(docker, target);
    Ok(Answers {
        client,
        server,
        components: json
            .pointer("/Server/Components")
            .cloned()
            .unwrap_or_default(),
        buildx_present: buildx.is_some(),
        buildx,
        store,
    })
}

/// The buildx plugin's version, through the client.
fn buildx_version(docker: &Path, target: &Target) -> Option<String> {
    let (ok, out, _) = run_with_deadline(
        client_command(docker, target).args(["buildx", "version"]),
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
        "registry" if engine.registry != Some(true) => {
            Some("needs `registry`: Docker Hub is not reachable".to_string())
        }
        "registry" => None,
        tool => which(tool)
            .is_none()
            .then(|| format!("needs `{tool}`: not found on PATH")),
    }
}

#[cfg(test)]
mod tests;
