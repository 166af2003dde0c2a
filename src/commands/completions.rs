//! `knowing-scratch completions SHELL` and `knowing-scratch man`: generated
//! from the clap definition, so they never fall behind the real flags. These
//! are the only commands past `settings` that need clap, because clap is
//! what they describe.

use std::io::Write;

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{Error, Exit};
use crate::settings::Shell;

pub fn completions(shell: Shell) -> Result<Exit, Error> {
    let mut cmd = Cli::command();
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "knowing-scratch", &mut out);
    write_stdout(&out)
}

pub fn man() -> Result<Exit, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .context("render the man page")?;
    write_stdout(title_first(&String::from_utf8_lossy(&out)).as_bytes())
}

/// The page with its `.TH` line first: tools that index man pages look for
/// it there, and the apostrophe definitions clap_mangen puts before it work
/// as well after it.
fn title_first(page: &str) -> String {
    let Some(th) = page.lines().find(|l| l.starts_with(".TH ")) else {
        return page.to_string();
    };
    let mut out = format!("{th}\n");
    let mut moved = false;
    for line in page.lines() {
        if !moved && line == th {
            moved = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A closed pipe (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<Exit, Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Other(
            anyhow::Error::new(e).context("write to stdout"),
        )),
        _ => Ok(Exit::Ok),
    }
}
