//! Removing labelled containers with the real client.

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

/// Remove the running containers step `index` of run `run_id` created.
pub(crate) fn remove_step_containers(
    docker: &Path,
    env: &[(String, String)],
    run_id: &str,
    index: usize,
) -> anyhow::Result<Vec<String>> {
    let filters = [
        format!("{RUN_LABEL}={run_id}"),
        format!("{STEP_LABEL}={index}"),
    ];
    remove(docker, env, &filters, false)
        .with_context(|| format!("remove the containers of step {index}"))
}
