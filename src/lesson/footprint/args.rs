//! Command lines as the footprint reads them: which docker subcommand does
//! what (`Verb`), which options take a value (so that the words after them
//! are not taken for images or containers; an option in neither table makes
//! the lesson run alone rather than be misread), which shell words write
//! files, and which images a Dockerfile starts from.

use std::path::Path;

/// What a docker subcommand does, for the footprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verb {
    /// Touches no engine state another lesson could see.
    Harmless,
    Build,
    Run,
    Exec,
    /// Takes containers as its arguments.
    Containers,
    Cp,
    /// `ps`, `container ls`.
    List,
    ImageList,
    ImageReads,
    ImageWrites,
    Tag,
    Commit,
    /// Reads or changes the whole engine.
    Engine,
    Unknown,
}

pub(super) fn normalise(group: &str, verb: &str) -> Verb {
    if matches!(verb, "--help" | "-h" | "help") {
        return Verb::Harmless;
    }
    match group {
        "buildx" | "builder" => match verb {
            "build" => Verb::Build,
            "version" | "ls" | "inspect" if group == "buildx" => Verb::Harmless,
            _ => Verb::Engine,
        },
        "image" => match verb {
            "build" => Verb::Build,
            "ls" | "list" => Verb::ImageList,
            "history" | "inspect" | "push" | "save" => Verb::ImageReads,
            "pull" | "rm" | "remove" => Verb::ImageWrites,
            "tag" => Verb::Tag,
            "load" | "import" | "prune" => Verb::Engine,
            _ => Verb::Unknown,
        },
        "container" => match verb {
            "run" | "create" => Verb::Run,
            "exec" => Verb::Exec,
            "cp" => Verb::Cp,
            "ls" | "list" | "ps" => Verb::List,
            "commit" => Verb::Commit,
            "prune" | "stats" => Verb::Engine,
            "remove" | "export" => Verb::Containers,
            v if CONTAINER_VERBS.contains(&v) => Verb::Containers,
            _ => Verb::Unknown,
        },
        _ => match verb {
            "build" => Verb::Build,
            "run" | "create" => Verb::Run,
            "exec" => Verb::Exec,
            "cp" => Verb::Cp,
            "ps" => Verb::List,
            "images" => Verb::ImageList,
            "history" | "push" | "save" | "scan" => Verb::ImageReads,
            "pull" | "rmi" => Verb::ImageWrites,
            "tag" => Verb::Tag,
            "commit" => Verb::Commit,
            "version" | "search" | "manifest" => Verb::Harmless,
            "export" => Verb::Containers,
            v if CONTAINER_VERBS.contains(&v) => Verb::Containers,
            v if ENGINE_VERBS.contains(&v) => Verb::Engine,
            _ => Verb::Unknown,
        },
    }
}

/// Subcommands (top-level or under `container`) whose arguments are containers.
#[rustfmt::skip]
const CONTAINER_VERBS: &[&str] = &[
    "logs", "stop", "start", "kill", "restart", "pause", "unpause", "attach", "wait", "port",
    "top", "diff", "rename", "update", "rm", "inspect",
];

/// Top-level subcommands that read or change the whole engine.
#[rustfmt::skip]
const ENGINE_VERBS: &[&str] = &[
    "info", "events", "system", "volume", "network", "plugin", "context", "login", "logout",
    "compose", "swarm", "node", "service", "stack", "secret", "config", "trust", "checkpoint",
    "load", "import", "stats",
];

/// Options of `docker run`/`create` that take a value.
#[rustfmt::skip]
pub(super) const RUN_VALUES: &[&str] = &[
    "-a", "--attach", "--add-host", "--annotation", "--blkio-weight", "--blkio-weight-device",
    "--cap-add", "--cap-drop", "--cgroup-parent", "--cgroupns", "--cidfile", "--cpu-period",
    "--cpu-quota", "--cpu-rt-period", "--cpu-rt-runtime", "-c", "--cpu-shares", "--cpus",
    "--cpuset-cpus", "--cpuset-mems", "--device", "--device-cgroup-rule", "--device-read-bps",
    "--device-read-iops", "--device-write-bps", "--device-write-iops", "--dns", "--dns-option",
    "--dns-search", "--domainname", "--entrypoint", "-e", "--env", "--env-file", "--expose",
    "--gpus", "--group-add", "--health-cmd", "--health-interval", "--health-retries",
    "--health-start-interval", "--health-start-period", "--health-timeout", "-h", "--hostname",
    "--ip", "--ip6", "--ipc", "--isolation", "--kernel-memory", "-l", "--label", "--label-file",
    "--link", "--link-local-ip", "--log-driver", "--log-opt", "--mac-address", "-m", "--memory",
    "--memory-reservation", "--memory-swap", "--memory-swappiness", "--mount", "--name",
    "--network", "--net", "--network-alias", "--net-alias", "--oom-score-adj", "--pid",
    "--pids-limit", "--platform", "-p", "--publish", "--pull", "--restart", "--runtime",
    "--security-opt", "--shm-size", "--stop-signal", "--stop-timeout", "--storage-opt",
    "--sysctl", "--tmpfs", "--ulimit", "-u", "--user", "--userns", "--uts", "-v", "--volume",
    "--volume-driver", "--volumes-from", "-w", "--workdir", "--detach-keys",
];

/// Options of `docker run`/`create` that take none.
#[rustfmt::skip]
pub(super) const RUN_FLAGS: &[&str] = &[
    "-d", "--detach", "-i", "--interactive", "-t", "--tty", "--rm", "--init", "--privileged",
    "--read-only", "-P", "--publish-all", "--sig-proxy", "--no-healthcheck",
    "--oom-kill-disable", "-q", "--quiet", "--disable-content-trust", "--use-api-socket",
];

#[rustfmt::skip]
pub(super) const BUILD_VALUES: &[&str] = &[
    "--add-host", "--allow", "--annotation", "--attest", "--build-arg", "--build-context",
    "--builder", "--cache-from", "--cache-to", "--call", "--cgroup-parent", "-f", "--file",
    "--iidfile", "--isolation", "--label", "--metadata-file", "--network", "--no-cache-filter",
    "-o", "--output", "--platform", "--progress", "--provenance", "--sbom", "--secret",
    "--shm-size", "--ssh", "-t", "--tag", "--target", "--ulimit", "-m", "--memory",
    "--memory-swap", "--cpu-shares", "-c", "--cpuset-cpus", "--cpuset-mems", "--cpu-period",
    "--cpu-quota",
];

#[rustfmt::skip]
pub(super) const BUILD_FLAGS: &[&str] = &[
    "-q", "--quiet", "--no-cache", "--pull", "--load", "--push", "--rm", "--force-rm",
    "--compress", "--squash", "--check", "--debug",
];

pub(super) const EXEC_VALUES: &[&str] = &[
    "-e",
    "--env",
    "--env-file",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "--detach-keys",
];
pub(super) const CONTAINER_VALUES: &[&str] = &[
    "-t",
    "--time",
    "-s",
    "--signal",
    "--since",
    "--until",
    "-n",
    "--tail",
    "-f",
    "--format",
    "--type",
    "--condition",
    "--detach-keys",
    "-o",
    "--output",
];
pub(super) const LIST_VALUES: &[&str] = &["--filter", "-f", "--format"];
pub(super) const IMAGE_VALUES: &[&str] =
    &["--format", "-f", "--platform", "-o", "--output", "--type"];
pub(super) const COMMIT_VALUES: &[&str] = &["-a", "--author", "-c", "--change", "-m", "--message"];

/// Positional words, and options with their values.
pub(super) type Parsed<'w> = (Vec<&'w str>, Vec<(&'w str, Option<&'w str>)>);

/// Options (name, value) and positional words of `args`, given which
/// options take a value and which take none; `Err` names an option in
/// neither list. `flags` of `None` takes every other option for one that
/// takes no value. With `stop_at_first`, the words after the first
/// positional one are its own arguments (a container's command).
pub(super) fn options<'w>(
    args: &[&'w str],
    values: &[&'static str],
    flags: Option<&[&'static str]>,
    stop_at_first: bool,
) -> Result<Parsed<'w>, String> {
    let is_flag = |w: &str| flags.is_none_or(|f| f.contains(&w));
    let flags = flags.unwrap_or_default();
    let mut pos = Vec::new();
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let w = args[i];
        i += 1;
        if w == "--" {
            pos.extend(&args[i..]);
            break;
        }
        if is_redirect(w) {
            continue;
        }
        if !w.starts_with('-') || w == "-" {
            pos.push(w);
            if stop_at_first {
                break;
            }
            continue;
        }
        if let Some((name, value)) = w.split_once('=') {
            opts.push((name, Some(value)));
            continue;
        }
        if values.contains(&w) {
            opts.push((w, args.get(i).copied()));
            i += 1;
            continue;
        }
        if is_flag(w) {
            opts.push((w, None));
            continue;
        }
        // Short flags together (`-it`, `-dit`), the last one maybe taking a value.
        if !w.starts_with("--") && w.len() > 2 {
            let letters: Vec<String> = w[1..].chars().map(|c| format!("-{c}")).collect();
            let (last, init) = letters.split_last().expect("two letters or more");
            if init.iter().all(|l| flags.contains(&l.as_str())) {
                for l in init {
                    opts.push((flag_name(flags, l), None));
                }
                if flags.contains(&last.as_str()) {
                    opts.push((flag_name(flags, last), None));
                    continue;
                }
                if values.contains(&last.as_str()) {
                    opts.push((flag_name(values, last), args.get(i).copied()));
                    i += 1;
                    continue;
                }
            }
        }
        return Err(w.to_string());
    }
    Ok((pos, opts))
}

/// The table's own spelling of a short option.
fn flag_name(table: &[&'static str], short: &str) -> &'static str {
    table.iter().find(|t| **t == short).copied().unwrap_or("-?")
}

/// Positional words, options skipped by the table (unknown ones taken as
/// flags: a value taken for a word only adds to what the lesson touches).
pub(super) fn positionals<'w>(
    args: &[&'w str],
    values: &[&'static str],
    stop_at_first: bool,
) -> Vec<&'w str> {
    options(args, values, None, stop_at_first).map_or_else(|_| Vec::new(), |(pos, _)| pos)
}

/// `<<EOF`, `<file`, `>out`, `2>&1`, `&>log`: a redirection, no argument.
fn is_redirect(w: &str) -> bool {
    let op = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
    op.starts_with('<') || op.starts_with('>')
}

pub(super) fn is_assignment(w: &str) -> bool {
    w.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The file a redirect writes to, if one writes to a file.
pub(super) fn redirect_target<'w>(words: &[&'w str]) -> Option<&'w str> {
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let op = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
        if let Some(rest) = op.strip_prefix('>') {
            let rest = rest.trim_start_matches(['>', '|']);
            let target = if rest.is_empty() {
                i += 1;
                words.get(i).copied().unwrap_or("")
            } else {
                rest
            };
            let harmless = target.starts_with('&')
                || matches!(target, "/dev/null" | "/dev/stdout" | "/dev/stderr" | "");
            if !harmless {
                return Some(target);
            }
        }
        i += 1;
    }
    None
}

/// `tar` writes files when it extracts without `-O`/`--to-stdout`, or creates
/// an archive into a file.
pub(super) fn tar_writes(args: &[&str]) -> bool {
    let mut extract = false;
    let mut to_stdout = false;
    let mut create_file = false;
    for (i, a) in args.iter().enumerate() {
        if a.starts_with("--") {
            extract |= *a == "--extract" || *a == "--get";
            to_stdout |= *a == "--to-stdout";
            create_file |= a.starts_with("--file") && !a.ends_with("=-");
        } else if let Some(flags) = a.strip_prefix('-').or((i == 0).then_some(*a)) {
            extract |= flags.contains('x');
            to_stdout |= flags.contains('O');
            if flags.contains('c') && flags.contains('f') {
                create_file |= args.get(i + 1).is_some_and(|f| *f != "-");
            }
        }
    }
    (extract && !to_stdout) || create_file
}

/// A Dockerfile: `workdir/context/file` (a `--file` path is relative to
/// the current folder, the default `Dockerfile` to the context).
pub(super) fn read(
    workdir: &Path,
    context: Option<&str>,
    file: &str,
    given: bool,
) -> Option<String> {
    let path = if given {
        workdir.join(file)
    } else {
        workdir.join(context.unwrap_or(".")).join(file)
    };
    std::fs::read_to_string(path).ok()
}

/// The images a Dockerfile starts from, stage names left out.
pub(super) fn from_images(dockerfile: &str) -> Vec<String> {
    let mut stages: Vec<String> = Vec::new();
    let mut images = Vec::new();
    for line in dockerfile.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = words.first() else { continue };
        if first.eq_ignore_ascii_case("FROM") {
            let image = words
                .iter()
                .skip(1)
                .find(|w| !w.starts_with("--"))
                .copied()
                .unwrap_or("");
            if !stages.iter().any(|s| s == image) {
                images.push(image.to_string());
            }
            if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case("AS")) {
                if let Some(name) = words.get(i + 1) {
                    stages.push((*name).to_string());
                }
            }
        }
        for w in &words {
            if let Some(from) = w.strip_prefix("--from=") {
                if !stages.iter().any(|s| s == from) && from.parse::<u32>().is_err() {
                    images.push(from.to_string());
                }
            }
        }
    }
    images
}
