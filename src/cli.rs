//! The command line's top level, as clap sees it: the global flags, raw. The
//! subcommands and their arguments are spelled in `settings` as the plain
//! structs commands take. Here the global flags become plain [`Settings`]
//! once; nothing past that point knows about clap.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use crate::settings::{Action, CheckArgs, Settings, Verbosity, WalkArgs};

#[derive(Debug, Parser)]
#[command(
    name = "knowing-scratch",
    version,
    about = "Learn the quirks of Docker's `scratch` image by replaying a tutorial against a real engine, and check in CI that the docs still match reality.",
    after_help = "Exit codes: 0 every step matched, 1 drift, 2 usage or lesson-file error, 3 Docker engine unreachable, 130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Action>,

    /// Folder of lesson files [default: `lessons/`, else the lessons built into the binary]
    // Its own id: `check` and `run` have a positional `lessons` too.
    #[arg(
        long = "lessons",
        id = "lessons_dir",
        global = true,
        value_name = "DIR"
    )]
    pub lessons: Option<PathBuf>,

    /// The docker client the lessons' commands run with
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "KNOWING_SCRATCH_DOCKER"
    )]
    pub docker: Option<PathBuf>,

    /// When to use colors
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only failures and the summary
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print every step's output, passing or not
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Also run steps marked `requires: [host]`: commands that change this machine
    #[arg(long, global = true, env = "KNOWING_SCRATCH_ALLOW_HOST")]
    pub allow_host: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Colors on a stream: `auto` means a terminal, `NO_COLOR` unset or empty,
/// and `TERM` not `dumb`.
fn color_for(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

impl Cli {
    /// The plain settings: colors decided per stream, one verbosity, an action.
    pub fn into_settings(self) -> Settings {
        let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        // No subcommand: a walk for a person at a terminal, a check for CI.
        let action = self.command.unwrap_or_else(|| {
            if interactive {
                Action::Walk(WalkArgs::default())
            } else {
                Action::Check(CheckArgs::default())
            }
        });
        Settings {
            action,
            lessons: self.lessons,
            docker: self.docker.filter(|p| !p.as_os_str().is_empty()),
            color_stdout: color_for(self.color, std::io::stdout().is_terminal()),
            color_stderr: color_for(self.color, std::io::stderr().is_terminal()),
            verbosity: if self.quiet {
                Verbosity::Quiet
            } else if self.verbose {
                Verbosity::Verbose
            } else {
                Verbosity::Normal
            },
            interactive,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::settings::{Bless, Format, RunArgs};

    fn action(args: &[&str]) -> Action {
        let argv = std::iter::once("knowing-scratch").chain(args.iter().copied());
        Cli::try_parse_from(argv).unwrap().command.unwrap()
    }

    #[test]
    fn bare_check_is_the_default_check() {
        assert_eq!(action(&["check"]), Action::Check(CheckArgs::default()));
    }

    #[test]
    fn no_deps_clears_deps() {
        assert_eq!(
            action(&["run", "a", "--no-deps"]),
            Action::Run(RunArgs {
                lessons: vec!["a".into()],
                deps: false
            })
        );
        assert_eq!(
            action(&["check", "--no-deps", "--format", "junit", "--bless"]),
            Action::Check(CheckArgs {
                deps: false,
                format: Format::Junit,
                bless: Some(Bless::Replace),
                ..CheckArgs::default()
            })
        );
        // `=` is required: a word after `--bless` is a lesson.
        assert_eq!(
            action(&["check", "--bless", "variant"]),
            Action::Check(CheckArgs {
                lessons: vec!["variant".into()],
                bless: Some(Bless::Replace),
                ..CheckArgs::default()
            })
        );
        assert_eq!(
            action(&["check", "--bless=variant", "a"]),
            Action::Check(CheckArgs {
                lessons: vec!["a".into()],
                bless: Some(Bless::Variant),
                ..CheckArgs::default()
            })
        );
    }
}
