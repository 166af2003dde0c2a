//! What a command and its documented output say beyond their text: the
//! tools and images they need, whether they reach past Docker and the
//! lesson's folder, whether the output reads as an error or a BuildKit log,
//! and how it is written so that the matcher reads it as the docs meant.
//!
//! All of it is heuristics over words, kept deliberately narrow: a false
//! `requires: [host]` costs the reader one flag, a missed one runs somebody
//! else's `sudo`. So the trust checks look at every simple command outside
//! `docker` arguments (quotes respected, heredoc bodies skipped), and the
//! error table only names exit codes the Docker CLI documents.

use std::sync::LazyLock;

use regex::Regex;

use crate::shell::segments;

/// Commands every POSIX shell and coreutils give: never a `requires:` entry.
#[rustfmt::skip]
const BASIC: &[&str] = &[
    "docker", "echo", "printf", "cat", "ls", "cd", "mkdir", "rm", "cp", "mv", "chmod", "grep",
    "sed", "awk", "head", "tail", "wc", "sort", "uniq", "tr", "cut", "test", "[", "true",
    "false", "export", "sleep", "touch", "tee", "find", "xargs", "env", "id", "pwd", "du", "df",
    "sh", "bash", "exit", "set", "read", "tar", "gzip", "date", "stat", "ln", "basename",
    "dirname", "which", "command", "type", "kill", "ps", "uname", "hostname", "whoami", "seq",
    "yes", "time", "cmp", "diff", "od", "base64", "sha256sum", "md5sum", "readlink", "realpath",
    "unset", "local", "source", ".", "if", "then", "else", "fi", "for", "do", "done", "while",
    "{", "}", "(", ")", "wait", "nohup", "clear", "chown", "rmdir",
];

/// Package managers: installing is a change to the host.
#[rustfmt::skip]
const PACKAGES: &[&str] = &[
    "apt", "apt-get", "yum", "dnf", "apk", "brew", "snap", "zypper", "pacman", "dpkg", "rpm",
];

/// The words of a simple command, without `VAR=value` prefixes.
fn words(segment: &str) -> Vec<&str> {
    segment
        .split_whitespace()
        .skip_while(|w| w.contains('=') && !w.starts_with('-'))
        .collect()
}

/// Why a command reaches past Docker and the lesson's folder, if it does.
pub fn host_reasons(run: &str) -> Vec<String> {
    let mut why: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !why.contains(&s) {
            why.push(s);
        }
    };
    let segs = segments(run);
    for (n, seg) in segs.iter().enumerate() {
        let w = words(seg);
        let Some(&cmd) = w.first() else { continue };
        if cmd == "docker" || cmd == "podman" {
            continue;
        }
        let args = &w[1..];
        match cmd {
            "sudo" | "su" | "doas" | "reboot" | "shutdown" | "mount" | "umount" | "sysctl" => {
                add(format!("runs `{cmd}`"));
            }
            "systemctl" | "service" | "launchctl" => add(format!("manages services (`{cmd}`)")),
            "usermod" | "useradd" | "groupadd" | "newgrp" | "passwd" => {
                add(format!("changes users or groups (`{cmd}`)"));
            }
            "rm" if args.iter().any(|a| a.starts_with('-') && a.contains('r'))
                && args.iter().any(outside) =>
            {
                add("removes files outside the lesson folder (`rm -r`)".into());
            }
            "sh" | "bash" | "zsh" if n > 0 && fetches(&segs[n - 1]) => {
                add("pipes a download into a shell".into());
            }
            "pip" | "pip3" | "npm" | "gem" if args.first() == Some(&"install") => {
                add(format!("installs packages (`{cmd} install`)"));
            }
            "tee" | "cp" | "mv" | "chmod" | "chown" | "ln" | "install" | "touch" | "mkdir"
                if args.last().is_some_and(outside) =>
            {
                add(format!("writes outside the lesson folder (`{cmd}`)"));
            }
            _ => {}
        }
        if PACKAGES.contains(&cmd) {
            add(format!("installs packages (`{cmd}`)"));
        }
        // What `sudo` runs counts too.
        if matches!(cmd, "sudo" | "doas") {
            let inner: Vec<&str> = args
                .iter()
                .copied()
                .skip_while(|a| a.starts_with('-'))
                .collect();
            for r in host_reasons(&inner.join(" ")) {
                add(r);
            }
        }
        for (k, word) in w.iter().enumerate() {
            let target = match *word {
                ">" | ">>" => w.get(k + 1).copied(),
                _ => word
                    .strip_prefix(">>")
                    .or_else(|| word.strip_prefix('>'))
                    .filter(|t| !t.is_empty()),
            };
            if target.is_some_and(|t| outside(&t)) {
                add("writes outside the lesson folder (a `>` redirect)".into());
            }
        }
    }
    why
}

/// A path outside the lesson's folder: absolute, home or parent.
fn outside(path: &&str) -> bool {
    let p = path.trim_matches(|c| matches!(c, '"' | '\'' | '(' | ')' | ';'));
    let allowed = ["/dev/null", "/dev/stdout", "/dev/stderr", "/tmp"];
    if allowed
        .iter()
        .any(|a| p == *a || p.starts_with(&format!("{a}/")))
    {
        return false;
    }
    p.starts_with('/') || p.starts_with('~') || p.starts_with("$HOME") || p.starts_with("..")
}

fn fetches(segment: &str) -> bool {
    matches!(words(segment).first(), Some(&"curl" | &"wget"))
}

/// Tools beyond the shell and Docker that a command calls.
pub fn tools(run: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for seg in segments(run) {
        let w = words(&seg);
        let Some(&cmd) = w.first() else { continue };
        let cmd = cmd.trim_start_matches(['(', '{', '!']);
        let host = ["sudo", "su", "doas", "systemctl", "service"];
        let plain = cmd
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if cmd.is_empty()
            || !plain
            || BASIC.contains(&cmd)
            || host.contains(&cmd)
            || PACKAGES.contains(&cmd)
        {
            continue;
        }
        if !out.iter().any(|x| x == cmd) {
            out.push(cmd.to_string());
        }
    }
    out
}

/// Images a command pulls or runs, and images it builds (`-t`).
pub fn images(run: &str) -> (Vec<String>, Vec<String>) {
    let mut used = Vec::new();
    let mut built = Vec::new();
    let mut stages: Vec<String> = Vec::new();
    for line in run.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        if w.first().is_some_and(|x| x.eq_ignore_ascii_case("FROM")) {
            let args: Vec<&str> = w[1..]
                .iter()
                .copied()
                .filter(|a| !a.starts_with("--"))
                .collect();
            if let Some(image) = args.first() {
                if *image != "scratch" && !stages.iter().any(|s| s == image) {
                    used.push((*image).to_string());
                }
            }
            if args.len() >= 3 && args[1].eq_ignore_ascii_case("AS") {
                stages.push(args[2].to_string());
            }
        }
    }
    for seg in segments(run) {
        let w = words(&seg);
        if w.first() != Some(&"docker") {
            continue;
        }
        let mut rest: &[&str] = &w[1..];
        if rest
            .first()
            .is_some_and(|x| matches!(*x, "container" | "image"))
        {
            rest = &rest[1..];
        }
        match rest.first().copied() {
            Some("run" | "create" | "pull") => {
                if let Some(image) = image_arg(&rest[1..]) {
                    used.push(image.to_string());
                }
            }
            Some("build") => {
                let mut k = 1;
                while k < rest.len() {
                    if matches!(rest[k], "-t" | "--tag") {
                        if let Some(t) = rest.get(k + 1) {
                            built.push((*t).to_string());
                        }
                    } else if let Some(t) = rest[k].strip_prefix("--tag=") {
                        built.push(t.to_string());
                    }
                    k += 1;
                }
            }
            _ => {}
        }
    }
    // A name made of a variable or an unfilled template is only known at run time.
    used.retain(|image| !image.contains('$') && !image.contains("{{"));
    (used, built)
}

/// The image of `docker run OPTIONS IMAGE …`: the first word that is not an
/// option or an option's value.
fn image_arg<'a>(args: &[&'a str]) -> Option<&'a str> {
    #[rustfmt::skip]
    const VALUED: &[&str] = &[
        "-p", "-v", "-e", "-w", "-u", "-h", "-l", "-m", "--name", "--user", "--workdir",
        "--entrypoint", "--network", "--net", "--pid", "--ipc", "--volume", "--publish", "--env",
        "--env-file", "--mount", "--platform", "--label", "--hostname", "--add-host", "--cap-add",
        "--cap-drop", "--restart", "--memory", "--cpus", "--tmpfs", "--device", "--log-driver",
        "--security-opt", "--ulimit", "--volumes-from", "--dns", "--expose", "--pull",
        "--stop-signal", "--health-cmd",
    ];
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        if a.starts_with('-') {
            k += if VALUED.contains(&a) { 2 } else { 1 };
            continue;
        }
        let plain = a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@".contains(c));
        return (plain && !a.starts_with('$')).then_some(a);
    }
    None
}

/// A command that is one `docker build` (`image build`, `buildx build`).
pub fn builds(run: &str) -> bool {
    let segs = segments(run);
    segs.len() == 1 && {
        let w = words(&segs[0]);
        w.first() == Some(&"docker")
            && (w.get(1) == Some(&"build")
                || matches!(w.get(1..3), Some(["image" | "buildx", "build"])))
    }
}

/// A `--progress plain` BuildKit log, or a BuildKit terminal summary.
pub fn buildkit(output: &[String]) -> bool {
    static VERTEX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^#\d+ (\[|DONE|CACHED|naming|exporting|writing|load|transferring)")
            .expect("vertex regex")
    });
    output.iter().any(|l| l.starts_with("[+] Building "))
        || output.iter().filter(|l| VERTEX.is_match(l)).count() >= 2
}

/// The exit code an error output implies: `None` when it reads as success,
/// `Some(None)` when it is an error whose code the docs do not give.
pub fn error_exit(run: &str, output: &[String]) -> Option<Option<i32>> {
    static ERROR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^(docker: )?(error|fatal)\b|Error response from daemon|^ERROR: failed to|executable file not found|command not found|: not found$|permission denied|No such (file|container|image)|Unable to find image .* locally$|manifest unknown|exec format error",
        )
        .expect("error regex")
    });
    let errors: Vec<&String> = output.iter().filter(|l| ERROR.is_match(l)).collect();
    let last = output.iter().rev().find(|l| !l.trim().is_empty())?;
    // An error in the middle of a long success (a pull message) does not count.
    if errors.is_empty() || !(ERROR.is_match(last) || last.starts_with("See '")) {
        return None;
    }
    let run_like = segments(run).iter().any(|s| {
        let w = words(s);
        w.first() == Some(&"docker")
            && (w.get(1) == Some(&"run") || w.get(1..3) == Some(&["container", "run"]))
    });
    let all = errors
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    // The codes `docker run` documents: 125 the daemon, 126 cannot invoke,
    // 127 not found. Other docker commands exit 1 on an error.
    let code = if run_like {
        if all.contains("executable file not found") || all.contains("no such file or directory") {
            Some(127)
        } else if all.contains("permission denied") {
            Some(126)
        } else if all.contains("docker: Error response from daemon") {
            Some(125)
        } else {
            None
        }
    } else if first_is_docker(run) {
        Some(1)
    } else {
        None
    };
    Some(code)
}

fn first_is_docker(run: &str) -> bool {
    let segs = segments(run);
    segs.len() == 1 && words(&segs[0]).first() == Some(&"docker")
}

/// Why a command cannot be replayed as written, if it cannot.
pub fn skip_reason(run: &str, has_input: bool) -> Option<String> {
    static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"<[A-Za-z][A-Za-z0-9 _-]*>|\b(YOUR|MY)_[A-Z_]+\b").expect("placeholder regex")
    });
    for seg in segments(run) {
        let w = words(&seg);
        match w.first().copied() {
            Some("vi" | "vim" | "nano" | "emacs" | "code") => {
                return Some("opens an editor".into());
            }
            Some("docker") if w.get(1) == Some(&"login") => {
                return Some("asks for credentials".into());
            }
            Some("docker") if super::shell::interactive(&seg) && !has_input => {
                return Some("opens an interactive session the docs do not show".into());
            }
            _ => {}
        }
    }
    let first = run.lines().next().unwrap_or("");
    PLACEHOLDER
        .find(first)
        .map(|m| format!("has a placeholder `{}` to fill in", m.as_str()))
}

/// Output lines as a documented output: literal `{{` escaped, elision lines
/// (`...`, `…`, `[...]`) as `{{...}}`.
pub fn documented(lines: &[String]) -> String {
    let mut out = String::new();
    for l in lines {
        let t = l.trim();
        if matches!(t, "..." | "…" | "[...]" | "(...)" | ". . ." | "[…]") {
            out.push_str("{{...}}");
        } else {
            out.push_str(&l.replace("{{", "\\{{"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[path = "shape_tests.rs"]
mod tests;
