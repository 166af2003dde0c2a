//! Transport noise: whole lines that the docker client's plumbing prints into
//! a command's output, which are not Docker's answer and are never drift.
//!
//! Each kind is one entry in [`NOISE`], with the transport it belongs to. A
//! line is dropped from the real output only when the run's engine is
//! reached through that transport, so the same text on a local engine is
//! still compared (and shows as drift) like any other line. The documented
//! side is never filtered: a lesson that documents such a line expects it.
//!
//! `ssh-http2-preface`: with `DOCKER_HOST=ssh://…` the client speaks HTTP/2
//! through `ssh … docker system dial-stdio`, and its connection helper logs
//! `2026/12/02 05:10:31 http2: server: error reading preface from client
//! dummy-1: read |0: file already closed` when a connection closes before
//! its first frame (often after `docker build`).

use std::sync::LazyLock;

use regex::Regex;

use super::Options;

/// Which transport a noise line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `ssh://` engines.
    Ssh,
}

pub(crate) struct Noise {
    pub name: &'static str,
    pub scope: Scope,
    /// Matches the whole line (anchors added).
    pub line: &'static str,
}

/// The noise kinds. Adding one is one entry.
pub(crate) const NOISE: &[Noise] = &[Noise {
    name: "ssh-http2-preface",
    scope: Scope::Ssh,
    line: r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} http2: server: error reading preface from client \S+: read \|0: file already closed",
}];

static MATCHERS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    NOISE
        .iter()
        .map(|n| Regex::new(&format!("^(?:{})$", n.line)).expect("noise regex compiles"))
        .collect()
});

fn in_scope(scope: Scope, opts: &Options) -> bool {
    match scope {
        Scope::Ssh => opts.over_ssh,
    }
}

/// The name of the noise kind `line` is, when it is one in this comparison.
pub(crate) fn kind(line: &str, opts: &Options) -> Option<&'static str> {
    NOISE
        .iter()
        .zip(MATCHERS.iter())
        .find(|(n, re)| in_scope(n.scope, opts) && re.is_match(line))
        .map(|(n, _)| n.name)
}

/// The real lines without the noise of this comparison's transport.
pub(crate) fn drop_noise<'a>(lines: Vec<&'a str>, opts: &Options) -> Vec<&'a str> {
    if !opts.over_ssh {
        return lines;
    }
    lines
        .into_iter()
        .filter(|l| kind(l, opts).is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "2026/12/02 05:10:31 http2: server: error reading preface from client dummy-1: read |0: file already closed";

    #[test]
    fn the_ssh_preface_line_is_noise_over_ssh_only() {
        let ssh = Options {
            over_ssh: true,
            ..Options::default()
        };
        assert_eq!(kind(LINE, &ssh), Some("ssh-http2-preface"));
        assert_eq!(kind(LINE, &Options::default()), None);
        assert_eq!(drop_noise(vec!["a", LINE, "b"], &ssh), vec!["a", "b"]);
        assert_eq!(
            drop_noise(vec!["a", LINE], &Options::default()),
            vec!["a", LINE]
        );
    }

    #[test]
    fn only_the_whole_line_is_noise() {
        let ssh = Options {
            over_ssh: true,
            ..Options::default()
        };
        assert_eq!(kind(&format!("x {LINE}"), &ssh), None);
        assert_eq!(kind(&format!("{LINE} y"), &ssh), None);
        assert_eq!(
            kind("http2: server: error reading preface from client dummy-1: read |0: file already closed", &ssh),
            None
        );
    }
}
