//! A session's temporary folder, and the part of running a step that the
//! shell and the pseudo-terminal share.
//!
//! The folder holds the shell library, the docker shim (first on the
//! session's PATH), each step's command file and the saved state. It lives
//! in memory (`/dev/shm`) where there is one, since every step writes small
//! files there and a disk file system flushes them.
//!
//! [`run_step`] is the frame around a step, the same for every executor
//! that runs commands: refuse bad capture names, write the step's files,
//! collect bounded output, and remove the running containers of a step that
//! was stopped or timed out (killing a `docker run` client does not stop its
//! container).

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{bail, Context};
use tempfile::TempDir;

use super::output::Output;
use super::script::{self, Files};
use super::{docker, interrupted, shim, End, SessionConfig, StepResult, StepRun};

/// The folder one session (or one pseudo-terminal executor) works in.
pub(crate) struct Workspace {
    dir: TempDir,
    nonce: String,
    /// What `captures.env` holds, so it is written only when it changes.
    captures: Mutex<Option<Vec<u8>>>,
    /// Step numbers run here: only a number run before can have left a
    /// `created-<step>` file behind.
    ran: Mutex<HashSet<usize>>,
}

impl Workspace {
    /// Create the folder with the library, the setup script and the shim.
    pub(crate) fn create(config: &SessionConfig) -> anyhow::Result<Workspace> {
        if !config.docker.is_absolute() {
            bail!(
                "the docker client must be given as an absolute path, not `{}`",
                config.docker.display()
            );
        }
        let dir = session_dir().context("create the session's temporary folder")?;
        let nonce = nonce().context("read /dev/urandom")?;
        let lib = dir.path().join("lib.sh");
        write(&lib, script::library(&nonce).as_bytes())?;
        write(&dir.path().join("setup.sh"), script::setup(&lib).as_bytes())?;
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).with_context(|| format!("create `{}`", bin.display()))?;
        let shim_path = bin.join("docker");
        let shim_text =
            shim::docker_shim(&config.docker, &config.run_id, &config.lesson, dir.path());
        write(&shim_path, shim_text.as_bytes())?;
        fs::set_permissions(&shim_path, fs::Permissions::from_mode(0o755))
            .with_context(|| format!("make `{}` executable", shim_path.display()))?;
        Ok(Workspace {
            dir,
            nonce,
            captures: Mutex::new(None),
            ran: Mutex::new(HashSet::new()),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn files(&self) -> Files<'_> {
        Files {
            dir: self.dir.path(),
        }
    }

    pub(crate) fn nonce(&self) -> &str {
        &self.nonce
    }

    /// Note that step `index` runs; false when it ran here before.
    fn first_run(&self, index: usize) -> bool {
        let mut ran = self.ran.lock().unwrap_or_else(|e| e.into_inner());
        ran.insert(index)
    }

    /// Write the captures for `__ks_load`, unless the file holds them already.
    fn write_captures(&self, captures: &[(String, String)]) -> anyhow::Result<()> {
        let bytes = script::pairs(captures);
        let mut written = self.captures.lock().unwrap_or_else(|e| e.into_inner());
        if written.as_ref() != Some(&bytes) {
            write(&self.files().path("captures.env"), &bytes)?;
            *written = Some(bytes);
        }
        Ok(())
    }
}

/// How the body of a step ended.
pub(crate) struct Ran {
    pub end: End,
    /// The shell had to be replaced (see [`StepResult::session_restarted`]).
    pub restarted: bool,
    pub warnings: Vec<String>,
}

impl Ran {
    pub(crate) fn end(end: End) -> Ran {
        Ran {
            end,
            restarted: false,
            warnings: Vec::new(),
        }
    }
}

/// Whether steps should stop: this executor's own flag or a signal.
pub(crate) fn interrupt_requested(flag: &AtomicBool) -> bool {
    interrupted() || flag.load(Ordering::SeqCst)
}

/// What an executor that runs commands is made of besides its processes.
#[derive(Clone)]
pub(crate) struct Frame {
    pub config: SessionConfig,
    pub space: Arc<Workspace>,
    pub interrupt: Arc<AtomicBool>,
}

impl Frame {
    pub(crate) fn new(config: &SessionConfig) -> anyhow::Result<Frame> {
        Ok(Frame {
            config: config.clone(),
            space: Arc::new(Workspace::create(config)?),
            interrupt: Arc::new(AtomicBool::new(false)),
        })
    }

    pub(crate) fn interrupted(&self) -> bool {
        interrupt_requested(&self.interrupt)
    }

    /// Run `step`: `body` runs the command, feeding `Output`.
    pub(crate) fn run_step(
        &self,
        step: &StepRun,
        live: &mut dyn FnMut(&str),
        body: impl FnOnce(&mut Output, Instant) -> anyhow::Result<Ran>,
    ) -> anyhow::Result<StepResult> {
        run_step(&self.config, &self.space, &self.interrupt, step, live, body)
    }
}

fn run_step(
    config: &SessionConfig,
    space: &Workspace,
    interrupt: &AtomicBool,
    step: &StepRun,
    live: &mut dyn FnMut(&str),
    body: impl FnOnce(&mut Output, Instant) -> anyhow::Result<Ran>,
) -> anyhow::Result<StepResult> {
    let started = Instant::now();
    if let Some((name, _)) = step.captures.iter().find(|(n, _)| !script::is_name(n)) {
        bail!("capture `{name}` is not a shell variable name");
    }
    let mut result = StepResult::interrupted();
    if interrupt_requested(interrupt) {
        return Ok(result);
    }

    let files = space.files();
    let mut command = step.command.to_string();
    if !command.ends_with('\n') {
        command.push('\n');
    }
    write(
        &files.path(&script::step_file(step.index)),
        command.as_bytes(),
    )?;
    space.write_captures(step.captures)?;
    let created = files.path(&format!("created-{}", step.index));
    if !space.first_run(step.index) {
        let _ = fs::remove_file(&created);
    }

    let mut out = Output::new(config.output_limit, step.stop.lines, live);
    let ran = body(&mut out, started)?;
    (result.output, result.dropped) = out.finish();
    result.warnings = ran.warnings;

    if matches!(ran.end, End::Stopped | End::TimedOut) && created.exists() {
        match docker::remove_step_containers(
            &config.docker,
            &config.env,
            &config.run_id,
            &format!("{}/{}", config.lesson, step.index),
        ) {
            Ok(ids) => result.removed_containers = ids,
            Err(e) => result.warnings.push(format!("{e:#}")),
        }
    }
    result.session_restarted = ran.restarted;
    if ran.restarted {
        result.warnings.push(String::from(
            "the session shell was restarted: what this step set is lost",
        ));
    }
    result.end = ran.end;
    result.duration = started.elapsed();
    Ok(result)
}

/// The session's folder: in memory (`/dev/shm`) where there is one.
fn session_dir() -> std::io::Result<TempDir> {
    let builder = || {
        let mut b = tempfile::Builder::new();
        b.prefix("knowing-scratch-");
        b
    };
    let shm = Path::new("/dev/shm");
    if std::env::var_os("TMPDIR").is_none() && shm.is_dir() {
        if let Ok(dir) = builder().tempdir_in(shm) {
            return Ok(dir);
        }
    }
    builder().tempdir()
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    fs::write(path, bytes).with_context(|| format!("write `{}`", path.display()))
}

/// 32 random hex digits.
fn nonce() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
