//! The body of a shell block → the commands a reader types, each with the
//! lines the docs show after it.
//!
//! Prompts people write: `$ `, `# ` (root; only before a known command, so
//! `# build it` stays a comment), `% `, `user@host:path$ `, `[user@host dir]# `
//! and `PS C:\>`/`PS> `. In a block with prompts, a line without one is the
//! output of the command above it, except in a block tagged as a script
//! (`bash`, `sh`…) where a line that starts with a known command is a
//! command too. In a block with no prompt at all every line is a command.
//! A trailing `\`, a heredoc (up to its end word) and, after a prompt, `> `
//! lines keep a command going. Comment lines are skipped and counted.
//!
//! After `docker run -it`/`docker exec -it`, lines with another prompt
//! (`/ # ls`, `root@3f2a…:/# ls`) are what the reader types into that
//! session; they stay in the output too, as a terminal echoes them.

use std::sync::LazyLock;

use regex::Regex;

/// A command as the docs show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    /// The command, its lines joined by `\n`, without a final newline.
    pub run: String,
    /// 1-based line of its first line in the Markdown file.
    pub line: usize,
    /// Lines shown after it.
    pub output: Vec<String>,
    /// (prompt, text) typed into an interactive session.
    pub typed: Vec<(String, String)>,
    /// The session shown ends with the reader typing `exit`.
    pub exited: bool,
    /// Comment lines just before it, without their `#`.
    pub comments: Vec<String>,
}

impl Command {
    pub fn interactive(&self) -> bool {
        interactive(&self.run)
    }
}

/// What a block holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub commands: Vec<Command>,
    /// Comment lines skipped.
    pub comments: usize,
    /// Lines shown before any command (line, text).
    pub stray: Vec<(usize, String)>,
}

/// Words that start a command: a `# ` before one is a root prompt, and a
/// line starting with one in a script block is a command.
#[rustfmt::skip]
pub const KNOWN: &[&str] = &[
    "docker", "podman", "sudo", "apt", "apt-get", "apk", "yum", "dnf", "brew", "snap", "pip",
    "pip3", "npm", "systemctl", "service", "curl", "wget", "ls", "cat", "echo", "printf", "cd",
    "mkdir", "rm", "cp", "mv", "chmod", "chown", "setcap", "getcap", "go", "make", "git",
    "export", "ps", "kill", "touch", "tee", "grep", "which", "id", "whoami", "uname", "env",
    "usermod", "useradd", "groupadd", "newgrp", "tar", "ln", "find", "pwd", "head", "tail",
    "vi", "vim", "nano", "regctl", "crane", "skopeo", "dive", "trivy", "jq", "file", "ldd",
    "strip", "gcc", "cc", "du", "df", "hostname", "mount", "sleep", "true", "false", "sh",
    "bash", "exit", "docker-compose", "journalctl", "dpkg", "rpm", "python", "python3", "node",
    "unzip", "xargs",
];

static USER_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z0-9._-]+@[A-Za-z0-9._-]+(?::[^\s$#]*)?\s?[$#%] |\[[^\]\n]+\][$#] )(.*)$")
        .expect("prompt regex compiles")
});
static POWERSHELL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(PS(?: [^>]*)?> )(.*)$").expect("prompt regex compiles"));
/// Prompts inside a container: `/ # `, `/app $ `, `~ # `, `bash-5.1# `.
static INNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^((?:/[^\s#$]*|~[^\s#$]*) ?[#$] |(?:ba)?sh-[\d.]+[#$] )(.*)$")
        .expect("prompt regex compiles")
});
static HEREDOC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[^<])<<(-?)\s*(?:'([A-Za-z_][A-Za-z0-9_]*)'|"([A-Za-z_][A-Za-z0-9_]*)"|([A-Za-z_][A-Za-z0-9_]*))"#)
        .expect("heredoc regex compiles")
});

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

fn known(s: &str) -> bool {
    KNOWN.contains(&first_word(s))
}

/// The prompt that starts `line`, and the command after it.
pub fn prompt(line: &str) -> Option<(String, &str)> {
    if let Some(rest) = line.strip_prefix("$ ") {
        return Some(("$ ".into(), rest));
    }
    // `$sudo …`: a prompt without its space, before a known command.
    if let Some(rest) = line.strip_prefix('$') {
        if rest.starts_with(|c: char| c.is_ascii_lowercase()) && known(rest) {
            return Some(("$".into(), rest));
        }
    }
    for p in ["# ", "% "] {
        if let Some(rest) = line.strip_prefix(p) {
            if known(rest) {
                return Some((p.into(), rest));
            }
        }
    }
    for re in [&*USER_HOST, &*POWERSHELL] {
        if let Some(c) = re.captures(line) {
            let p = c.get(1).map_or("", |m| m.as_str()).to_string();
            let rest = c.get(2).map_or("", |m| m.as_str());
            return Some((p, rest));
        }
    }
    None
}

/// A prompt inside a running container.
fn inner_prompt(line: &str) -> Option<(String, &str)> {
    if let Some(c) = INNER.captures(line) {
        let p = c.get(1).map_or("", |m| m.as_str()).to_string();
        return Some((p, c.get(2).map_or("", |m| m.as_str())));
    }
    prompt(line)
}

/// `docker run -it …`, `docker exec -ti …`, `-i -t`, `--interactive --tty`.
pub fn interactive(run: &str) -> bool {
    let words: Vec<&str> = run.split_whitespace().collect();
    let docker = words
        .windows(2)
        .any(|w| w[0].ends_with("docker") && matches!(w[1], "run" | "exec" | "container"));
    let flag = |short: char, long: &str| {
        words.iter().any(|w| {
            *w == long || (w.starts_with('-') && !w.starts_with("--") && w[1..].contains(short))
        })
    };
    docker && flag('i', "--interactive") && flag('t', "--tty")
}

/// End words of the heredocs a line opens, with whether tabs may indent them.
fn heredocs(line: &str) -> Vec<(String, bool)> {
    HEREDOC
        .captures_iter(line)
        .filter_map(|c| {
            let word = c.get(2).or(c.get(3)).or(c.get(4))?.as_str().to_string();
            Some((word, c.get(1).is_some_and(|m| !m.as_str().is_empty())))
        })
        .collect()
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Parse a block's body. `first` is the 1-based line of its first line;
/// `script` says the block is tagged as a script (`bash`, `sh`, `shell`).
pub fn parse(body: &str, first: usize, script: bool) -> Parsed {
    let lines: Vec<&str> = body.lines().collect();
    let prompted = lines.iter().any(|l| prompt(l).is_some());
    let mut out = Parsed::default();
    let mut outer: Option<String> = None;
    // Comments wait for the command they explain.
    let mut said: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // Typed into an interactive session that is still open.
        if let Some(cur) = out.commands.last_mut() {
            if cur.interactive() && !cur.exited {
                if let Some((p, rest)) = inner_prompt(line) {
                    if Some(&p) != outer.as_ref() {
                        cur.exited = rest.trim() == "exit";
                        cur.typed.push((p, rest.to_string()));
                        cur.output.push(line.to_string());
                        i += 1;
                        continue;
                    }
                }
            }
        }
        let start = if prompted {
            match prompt(line) {
                Some((p, rest)) => {
                    outer = Some(p);
                    Some(rest)
                }
                None if script && (known(line) || line.starts_with("$(")) => Some(line),
                None => None,
            }
        } else if line.trim().is_empty() {
            i += 1;
            continue;
        } else {
            Some(line)
        };
        let Some(rest) = start else {
            match out.commands.last_mut() {
                Some(c) => c.output.push(line.to_string()),
                None if !line.trim().is_empty() => out.stray.push((first + i, line.to_string())),
                None => {}
            }
            i += 1;
            continue;
        };
        if is_comment(rest) || rest.trim().is_empty() {
            if is_comment(rest) {
                out.comments += 1;
                let words = rest.trim_start().trim_start_matches('#').trim();
                if !words.is_empty() {
                    said.push(words.to_string());
                }
            }
            i += 1;
            continue;
        }
        let (run, next) = gather(&lines, i, rest, prompted);
        out.commands.push(Command {
            run,
            line: first + i,
            comments: std::mem::take(&mut said),
            ..Command::default()
        });
        i = next;
    }
    for c in &mut out.commands {
        while c.output.last().is_some_and(|l| l.trim().is_empty()) {
            c.output.pop();
        }
    }
    out
}

/// The whole command starting with `first` on line `i`: continuation lines
/// and heredoc bodies. Returns it and the index of the line after it.
fn gather(lines: &[&str], i: usize, first: &str, prompted: bool) -> (String, usize) {
    let mut text = vec![first.to_string()];
    let mut pending = heredocs(first);
    let mut more = first.ends_with('\\');
    let mut j = i + 1;
    // After a prompt, `> ` is the shell's continuation prompt.
    let unprompt = |l: &str| -> String {
        if prompted {
            l.strip_prefix("> ")
                .or(l.strip_prefix('>').filter(|r| r.is_empty()))
                .unwrap_or(l)
                .to_string()
        } else {
            l.to_string()
        }
    };
    while j < lines.len() {
        let l = lines[j];
        if let Some((word, tabs)) = pending.first().cloned() {
            let body = unprompt(l);
            let end = if tabs {
                body.trim_start_matches('\t')
            } else {
                &body
            };
            let done = end.trim_end() == word;
            text.push(body);
            j += 1;
            if done {
                pending.remove(0);
            }
            continue;
        }
        let continued = prompted && (l.starts_with("> ") || l == ">");
        if !(more || continued) {
            break;
        }
        let body = unprompt(l);
        more = body.ends_with('\\');
        pending.extend(heredocs(&body));
        text.push(body);
        j += 1;
    }
    (text.join("\n"), j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(p: &Parsed) -> Vec<&str> {
        p.commands.iter().map(|c| c.run.as_str()).collect()
    }

    #[test]
    fn prompts_people_write() {
        for (line, want) in [
            ("$ docker ps", Some(("$ ", "docker ps"))),
            ("$sudo docker ps", Some(("$", "sudo docker ps"))),
            ("# docker ps", Some(("# ", "docker ps"))),
            ("# build the image", None),
            (
                "user@host:~/app$ docker ps",
                Some(("user@host:~/app$ ", "docker ps")),
            ),
            ("root@box:/srv# ls", Some(("root@box:/srv# ", "ls"))),
            ("[me@box tmp]$ ls", Some(("[me@box tmp]$ ", "ls"))),
            (
                "PS C:\\Users\\me> docker ps",
                Some(("PS C:\\Users\\me> ", "docker ps")),
            ),
            ("PS> docker ps", Some(("PS> ", "docker ps"))),
            ("$HOME/bin/x", None),
            ("CONTAINER ID   IMAGE", None),
        ] {
            let got = prompt(line);
            assert_eq!(got.as_ref().map(|(p, r)| (p.as_str(), *r)), want, "{line}");
        }
    }

    #[test]
    fn console_blocks_split_commands_and_outputs() {
        let p = parse(
            "$ echo a \\\n  b\na b\n$ cat <<EOF\n> x\n> EOF\nx\n# docker ps\nCONTAINER ID\n",
            10,
            false,
        );
        assert_eq!(
            runs(&p),
            ["echo a \\\n  b", "cat <<EOF\nx\nEOF", "docker ps"]
        );
        assert_eq!(p.commands[0].output, ["a b"]);
        assert_eq!(p.commands[1].output, ["x"]);
        assert_eq!(p.commands[2].output, ["CONTAINER ID"]);
        assert_eq!(
            p.commands.iter().map(|c| c.line).collect::<Vec<_>>(),
            [10, 13, 17]
        );
    }

    #[test]
    fn script_blocks_are_all_commands() {
        let p = parse(
            "# Build it\ndocker build -t x .\n\ncat > Dockerfile <<'EOF'\nFROM busybox\n# not a comment\nEOF\n$(docker ps -q)\n",
            1,
            true,
        );
        assert_eq!(
            runs(&p),
            [
                "docker build -t x .",
                "cat > Dockerfile <<'EOF'\nFROM busybox\n# not a comment\nEOF",
                "$(docker ps -q)"
            ]
        );
        assert_eq!(p.comments, 1);
        let mixed = parse("$ docker build -t x .\ndocker run x\nhello\n", 1, true);
        assert_eq!(runs(&mixed), ["docker build -t x .", "docker run x"]);
        assert_eq!(mixed.commands[1].output, ["hello"]);
    }

    #[test]
    fn interactive_sessions_are_typed() {
        let p = parse(
            "$ docker run -it --rm busybox\n/ # ls /\nbin  etc\n/ # exit\n$ docker ps -a\nCONTAINER ID\n",
            1,
            false,
        );
        assert_eq!(runs(&p), ["docker run -it --rm busybox", "docker ps -a"]);
        let c = &p.commands[0];
        assert_eq!(
            c.typed,
            [
                ("/ # ".into(), "ls /".into()),
                ("/ # ".into(), "exit".into())
            ]
        );
        assert!(c.exited);
        assert_eq!(c.output, ["/ # ls /", "bin  etc", "/ # exit"]);
        assert!(interactive("docker exec -i -t c sh"));
        assert!(!interactive("docker run -d busybox"));
    }
}
