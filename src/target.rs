//! Which Docker engine a run talks to, as the user named it: the client's own
//! choice (no `--engine`), a context name, or a `DOCKER_HOST` URL.
//!
//! A target is only environment for the docker client. Every process that
//! talks to the engine (detection, the session shells and their pty steps,
//! cleanup, the engine lock) gets the same variables, so a container is only
//! ever made, listed and removed on one engine. `DOCKER_HOST` beats
//! `DOCKER_CONTEXT` in the client, so a context target sets `DOCKER_HOST` to
//! the empty string (which the client reads as unset), and a URL target
//! empties `DOCKER_CONTEXT`.
//!
//! The transport (local socket, TCP, ssh) matters to matching: the ssh
//! connection helper prints its own log lines into the client's output, and
//! only remote transports may have them tolerated.

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

/// How the client reaches the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// A socket on this machine (`unix://`, `npipe://`, `fd://`).
    #[default]
    Local,
    /// `tcp://`, `http://`, `https://`.
    Tcp,
    /// `ssh://`: the client runs `ssh` and speaks HTTP through it.
    Ssh,
}

impl Transport {
    /// From a `DOCKER_HOST`-style URL.
    pub fn of_url(url: &str) -> Transport {
        match url.split_once("://").map(|(scheme, _)| scheme) {
            Some("ssh") => Transport::Ssh,
            Some("tcp" | "http" | "https") => Transport::Tcp,
            _ => Transport::Local,
        }
    }

    /// Whether the engine is behind a network transport.
    pub fn is_remote(self) -> bool {
        self != Transport::Local
    }
}

/// One engine to run on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// As given to `--engine`; `None` is whatever the client connects to.
    pub name: Option<String>,
}

impl Target {
    /// `--engine NAME`: a URL (it has `://`) or a context name.
    pub fn parse(name: &str) -> Result<Target, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("`--engine` needs a Docker context name or a DOCKER_HOST URL".into());
        }
        if let Some((scheme, rest)) = name.split_once("://") {
            if !matches!(
                scheme,
                "unix" | "npipe" | "fd" | "tcp" | "http" | "https" | "ssh"
            ) || rest.is_empty()
            {
                return Err(format!(
                    "`--engine {name}`: not a DOCKER_HOST URL (unix://, tcp://, ssh://…)"
                ));
            }
        }
        Ok(Target {
            name: Some(name.to_string()),
        })
    }

    /// The URL, when the target is one.
    pub(crate) fn url(&self) -> Option<&str> {
        self.name.as_deref().filter(|n| n.contains("://"))
    }

    /// Environment that points a docker client at this engine.
    pub fn env(&self) -> Vec<(String, String)> {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        match (&self.name, self.url()) {
            (None, _) => Vec::new(),
            (Some(_), Some(url)) => vec![pair("DOCKER_HOST", url), pair("DOCKER_CONTEXT", "")],
            (Some(ctx), None) => vec![pair("DOCKER_HOST", ""), pair("DOCKER_CONTEXT", ctx)],
        }
    }

    /// A short name for columns and labels.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| "default".to_string())
    }

    /// Where the client will connect, as the user would name it.
    pub fn endpoint(&self) -> String {
        match (&self.name, self.url()) {
            (Some(_), Some(url)) => url.to_string(),
            (Some(ctx), None) => format!("the context `{ctx}`"),
            (None, _) => {
                if let Some(host) = env_var("DOCKER_HOST") {
                    format!("DOCKER_HOST={host}")
                } else if let Some(ctx) = env_var("DOCKER_CONTEXT") {
                    format!("the context `{ctx}` (DOCKER_CONTEXT)")
                } else {
                    "unix:///var/run/docker.sock".to_string()
                }
            }
        }
    }

    /// How the client reaches the engine. A context is asked about only when
    /// one is in play, so the usual local run spends no process on it.
    pub fn transport(&self, docker: &Path) -> Transport {
        if let Some(url) = self.url() {
            return Transport::of_url(url);
        }
        let context = match &self.name {
            Some(ctx) => Some(ctx.clone()),
            None => {
                if let Some(host) = env_var("DOCKER_HOST") {
                    return Transport::of_url(&host);
                }
                env_var("DOCKER_CONTEXT").or_else(current_context)
            }
        };
        match context.filter(|c| c != "default") {
            Some(ctx) => {
                context_host(docker, &ctx).map_or(Transport::Local, |h| Transport::of_url(&h))
            }
            None => Transport::Local,
        }
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The `currentContext` of the client's configuration, when set.
fn current_context() -> Option<String> {
    let dir = env_var("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| env_var("HOME").map(|h| Path::new(&h).join(".docker")))?;
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("currentContext")?
        .as_str()
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

/// The engine URL a context points at.
fn context_host(docker: &Path, context: &str) -> Option<String> {
    let out = Command::new(docker)
        .args([
            "context",
            "inspect",
            context,
            "--format",
            "{{.Endpoints.docker.Host}}",
        ])
        .env("DOCKER_HOST", "")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_contexts_become_client_environment() {
        let url = Target::parse("ssh://root@127.0.0.1:2222").unwrap();
        assert_eq!(
            url.env(),
            vec![
                (
                    "DOCKER_HOST".to_string(),
                    "ssh://root@127.0.0.1:2222".to_string()
                ),
                ("DOCKER_CONTEXT".to_string(), String::new()),
            ]
        );
        assert_eq!(url.endpoint(), "ssh://root@127.0.0.1:2222");
        let ctx = Target::parse("engine-28").unwrap();
        assert_eq!(
            ctx.env(),
            vec![
                ("DOCKER_HOST".to_string(), String::new()),
                ("DOCKER_CONTEXT".to_string(), "engine-28".to_string()),
            ]
        );
        assert_eq!(ctx.endpoint(), "the context `engine-28`");
        assert!(Target::default().env().is_empty());
    }

    #[test]
    fn bad_names_are_refused() {
        assert!(Target::parse("").is_err());
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("ssh://").is_err());
    }

    #[test]
    fn transports_by_scheme() {
        assert_eq!(Transport::of_url("ssh://u@h"), Transport::Ssh);
        assert_eq!(Transport::of_url("tcp://h:2375"), Transport::Tcp);
        assert_eq!(
            Transport::of_url("unix:///var/run/docker.sock"),
            Transport::Local
        );
        assert!(!Transport::Local.is_remote());
        assert!(Transport::Ssh.is_remote());
    }
}
