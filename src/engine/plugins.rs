//! Finding a docker client plugin (`docker-buildx`) where the client looks,
//! and asking the plugin alone for its version.
//!
//! `docker buildx version` starts three programs: the client, the plugin
//! for its metadata, and the plugin again for the answer (about 50 ms). The
//! client finds plugins in `cliPluginsExtraDirs` from its config file, then
//! `<config dir>/cli-plugins`, then four system folders, and takes the first
//! `docker-<name>` it sees; the plugin counts only if its metadata names
//! schema 0.1.0 and a vendor. Doing the same here costs a few file lookups
//! and at most one program. Where the folders are not certain (extra
//! folders configured, a config file that cannot be read), [`find`] says
//! so and the caller asks the client.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::gobuild::BuildInfo;

/// Where the client looks after its config folder (Linux and other unixes).
const SYSTEM_DIRS: [&str; 4] = [
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
];

/// Where a plugin is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    At(PathBuf),
    Absent,
    /// The client may look elsewhere: ask it.
    Unknown,
}

/// The plugin `docker-<name>` the client would run.
pub(crate) fn find(name: &str) -> Found {
    let var = |n: &str| std::env::var_os(n).filter(|v| !v.is_empty());
    let config = match var("DOCKER_CONFIG") {
        Some(dir) => PathBuf::from(dir),
        None => match var("HOME") {
            Some(home) => PathBuf::from(home).join(".docker"),
            None => return Found::Unknown,
        },
    };
    match std::fs::read_to_string(config.join("config.json")) {
        Ok(text) => {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                return Found::Unknown;
            };
            let extra = json.get("cliPluginsExtraDirs");
            if extra.is_some_and(|e| e.as_array().is_none_or(|dirs| !dirs.is_empty())) {
                return Found::Unknown;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => return Found::Unknown,
    }
    let own = config.join("cli-plugins");
    find_in(
        std::iter::once(own.as_path()).chain(SYSTEM_DIRS.iter().map(Path::new)),
        name,
    )
}

/// The first `docker-<name>` in `dirs` that is a file; absent when none is,
/// or when the first one found cannot be run.
fn find_in<'a>(dirs: impl IntoIterator<Item = &'a Path>, name: &str) -> Found {
    use std::os::unix::fs::PermissionsExt;
    for dir in dirs {
        let path = dir.join(format!("docker-{name}"));
        if let Ok(meta) = path.metadata() {
            if meta.is_dir() {
                continue;
            }
            if meta.permissions().mode() & 0o111 == 0 {
                return Found::Absent;
            }
            return Found::At(path);
        }
    }
    Found::Absent
}

/// The version a release build of the plugin set with `-X <variable>=`,
/// without a leading `v`.
pub(crate) fn version(plugin: &Path, variable: &str) -> Option<String> {
    let info = BuildInfo::read(plugin)?;
    Some(info.ldflag(variable)?.trim_start_matches('v').to_string())
}

/// The version in the plugin's metadata, if the client would accept the
/// plugin; `None` when it would not (it then builds without it).
pub(crate) fn metadata_version(plugin: &Path) -> Option<String> {
    let (ok, out, _) = super::run_with_deadline(
        Command::new(plugin).arg("docker-cli-plugin-metadata"),
        Duration::from_secs(10),
    )?;
    if !ok {
        return None;
    }
    accepted_version(&out)
}

/// The version in plugin metadata the client accepts: schema 0.1.0 and a
/// vendor.
fn accepted_version(metadata: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(metadata.trim()).ok()?;
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).unwrap_or("");
    if field("SchemaVersion") != "0.1.0" || field("Vendor").is_empty() {
        return None;
    }
    Some(field("Version").trim_start_matches('v').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn make(dir: &Path, name: &str, mode: u32) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn the_first_folder_holding_the_plugin_wins() {
        let root = tempfile::tempdir().unwrap();
        let dirs: Vec<PathBuf> = ["a", "b", "c"]
            .iter()
            .map(|d| root.path().join(d))
            .collect();
        for d in &dirs {
            std::fs::create_dir(d).unwrap();
        }
        let look = || find_in(dirs.iter().map(PathBuf::as_path), "buildx");
        assert_eq!(look(), Found::Absent);
        let later = make(&dirs[2], "docker-buildx", 0o755);
        assert_eq!(look(), Found::At(later));
        // A folder of that name is passed over, as by the client.
        std::fs::create_dir(dirs[0].join("docker-buildx")).unwrap();
        let earlier = make(&dirs[1], "docker-buildx", 0o755);
        assert_eq!(look(), Found::At(earlier));
        // The first file found is the one the client runs, even if it cannot.
        std::fs::set_permissions(
            dirs[1].join("docker-buildx"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        assert_eq!(look(), Found::Absent);
    }

    #[test]
    fn metadata_counts_only_as_the_client_accepts_it() {
        let meta = |s: &str| accepted_version(s);
        assert_eq!(
            meta(r#"{"SchemaVersion":"0.1.0","Vendor":"Docker Inc.","Version":"v0.13.1"}"#),
            Some("0.13.1".into())
        );
        assert_eq!(
            meta(r#"{"SchemaVersion":"0.1.0","Vendor":"Docker Inc.","Version":"0.13.1+ds1"}"#),
            Some("0.13.1+ds1".into())
        );
        assert_eq!(
            meta(r#"{"SchemaVersion":"0.2.0","Vendor":"x","Version":"1"}"#),
            None
        );
        assert_eq!(meta(r#"{"SchemaVersion":"0.1.0","Version":"1"}"#), None);
        assert_eq!(meta("not json"), None);
    }

    #[test]
    fn asks_the_plugin_alone() {
        let root = tempfile::tempdir().unwrap();
        let text = root.path().join("script");
        std::fs::write(
            &text,
            "#!/bin/sh\n[ \"$1\" = docker-cli-plugin-metadata ] || exit 1\n\
             echo '{\"SchemaVersion\":\"0.1.0\",\"Vendor\":\"Docker Inc.\",\"Version\":\"v0.29.1\"}'\n",
        )
        .unwrap();
        // Copied by another process: no file handle open for writing here
        // when another test thread forks, so running it never meets
        // "text file busy".
        let plugin = root.path().join("docker-buildx");
        let copied = Command::new("install")
            .args(["-m", "755"])
            .arg(&text)
            .arg(&plugin)
            .status()
            .unwrap();
        assert!(copied.success());
        assert_eq!(metadata_version(&plugin), Some("0.29.1".into()));
        // A script has no build info.
        assert_eq!(
            version(&plugin, "github.com/docker/buildx/version.Version"),
            None
        );
    }
}
