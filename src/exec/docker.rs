//! Removing what a run created, with the real client: the containers it
//! labelled, and the images it left dangling.
//!
//! An image is the run's to remove when it is dangling after the run and was
//! not before it: the run's builds, pulls and tags made it so (each
//! `--no-cache` rebuild leaves the previous image without a tag). Each is
//! removed on its own and without force, so an image a container still uses
//! stays, and one failure does not keep the others. Another client building
//! on the same engine during the run could leave a dangling image that this
//! comparison counts as the run's; runs on one engine are meant to be alone
//! on it (see `tests/live.rs`'s engine lock).

use std::collections::BTreeSet;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::shim::{RUN_LABEL, STEP_LABEL};

/// How long one `docker ps` or `docker rm` may take.
const DOCKER_TIMEOUT: Duration = Duration::from_secs(60);

/// Run the real client; its stdout on success.
fn docker(program: &Path, args: &[String], env: &[(String, String)]) -> anyhow::Result<String> {
    let mut expr = duct::cmd(program, args)
        .stdin_null()
        .stdout_capture()
        .stderr_capture()
        .unchecked();
    for (name, value) in env {
        expr = expr.env(name, value);
    }
    let shown = format!("`{} {}`", program.display(), args.join(" "));
    let handle = expr.start().with_context(|| format!("run {shown}"))?;
    let start = Instant::now();
    let output = loop {
        if let Some(output) = handle
            .try_wait()
            .with_context(|| format!("wait for {shown}"))?
        {
            break output;
        }
        if start.elapsed() > DOCKER_TIMEOUT {
            let _ = handle.kill();
            bail!(
                "{shown} did not answer within {} s",
                DOCKER_TIMEOUT.as_secs()
            );
        }
        thread::sleep(Duration::from_millis(20));
    };
    if !output.status.success() {
        bail!(
            "{shown} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Remove the containers matching `filters` (all, or only running ones);
/// returns their short IDs.
fn remove(
    program: &Path,
    env: &[(String, String)],
    filters: &[String],
    all: bool,
) -> anyhow::Result<Vec<String>> {
    let mut args = vec![String::from("ps")];
    args.push(String::from(if all { "-aq" } else { "-q" }));
    args.push(String::from("--no-trunc"));
    for filter in filters {
        args.push(String::from("--filter"));
        args.push(format!("label={filter}"));
    }
    let listed = docker(program, &args, env)?;
    let ids: Vec<String> = listed.split_whitespace().map(str::to_string).collect();
    if ids.is_empty() {
        return Ok(ids);
    }
    let mut rm = vec![String::from("rm"), String::from("-f")];
    rm.extend(ids.iter().cloned());
    docker(program, &rm, env)?;
    Ok(ids.iter().map(|id| id.chars().take(12).collect()).collect())
}

/// Remove every container the run `run_id` created (running or not), and
/// nothing else, on the engine `env` points the client at. Returns the removed container IDs (short form).
pub fn cleanup(
    docker: &Path,
    env: &[(String, String)],
    run_id: &str,
) -> anyhow::Result<Vec<String>> {
    remove(docker, env, &[format!("{RUN_LABEL}={run_id}")], true)
        .with_context(|| format!("remove the containers of run `{run_id}`"))
}

/// Remove the running containers step `step` (`<lesson>/<index>`) of run
/// `run_id` created.
pub(crate) fn remove_step_containers(
    docker: &Path,
    env: &[(String, String)],
    run_id: &str,
    step: &str,
) -> anyhow::Result<Vec<String>> {
    let filters = [
        format!("{RUN_LABEL}={run_id}"),
        format!("{STEP_LABEL}={step}"),
    ];
    remove(docker, env, &filters, false)
        .with_context(|| format!("remove the containers of step {step}"))
}

/// The full IDs of the engine's dangling images.
pub fn dangling_images(
    program: &Path,
    env: &[(String, String)],
) -> anyhow::Result<BTreeSet<String>> {
    let args = [
        "image",
        "ls",
        "-q",
        "--no-trunc",
        "--filter",
        "dangling=true",
    ]
    .map(String::from);
    let listed = docker(program, &args, env).context("list the dangling images")?;
    Ok(listed.split_whitespace().map(str::to_string).collect())
}

/// Remove the images dangling now that were not in `before`. Returns the
/// short IDs removed, and a message for each that could not be.
pub fn remove_new_dangling(
    program: &Path,
    env: &[(String, String)],
    before: &BTreeSet<String>,
) -> (Vec<String>, Vec<String>) {
    let now = match dangling_images(program, env) {
        Ok(now) => now,
        Err(e) => return (Vec::new(), vec![format!("{e:#}")]),
    };
    let mut removed = Vec::new();
    let mut problems = Vec::new();
    for id in now.difference(before) {
        let args = [String::from("image"), String::from("rm"), id.clone()];
        match docker(program, &args, env) {
            Ok(_) => removed.push(short_image_id(id)),
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    (removed, problems)
}

/// `sha256:0123…` as `docker image ls` shows it: 12 hex digits.
fn short_image_id(id: &str) -> String {
    id.strip_prefix("sha256:")
        .unwrap_or(id)
        .chars()
        .take(12)
        .collect()
}
