//! Validated settings: the plain data every command works from.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{self, Cli};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// What to do.
#[derive(Debug, Clone)]
pub enum Action {
    List {
        commands: bool,
    },
    Walk {
        lesson: Option<String>,
    },
    Run {
        lessons: Vec<String>,
        deps: bool,
    },
    Check {
        lessons: Vec<String>,
        deps: bool,
        format: Format,
        report: Option<PathBuf>,
        bless: bool,
    },
    Doctor,
    Render {
        check: bool,
        readme: PathBuf,
    },
    Import {
        file: PathBuf,
        out: Option<PathBuf>,
    },
    Completions(Shell),
    Man,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub action: Action,
    /// `None`: `lessons/` if present, else the built-in lessons.
    pub lessons: Option<PathBuf>,
    pub docker: Option<PathBuf>,
    pub color_stdout: bool,
    pub color_stderr: bool,
    pub verbosity: Verbosity,
    /// Both stdin and stdout are terminals.
    pub interactive: bool,
}

/// Colors on a stream: `auto` means a terminal, `NO_COLOR` unset or empty,
/// and `TERM` not `dumb`.
fn color_for(choice: cli::ColorChoice, is_terminal: bool) -> bool {
    match choice {
        cli::ColorChoice::Always => true,
        cli::ColorChoice::Never => false,
        cli::ColorChoice::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

impl Settings {
    pub fn from_cli(cli: Cli) -> Settings {
        let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let format = |f| match f {
            cli::Format::Human => Format::Human,
            cli::Format::Json => Format::Json,
            cli::Format::Junit => Format::Junit,
        };
        let action = match cli.command {
            None => {
                if interactive {
                    Action::Walk { lesson: None }
                } else {
                    Action::Check {
                        lessons: Vec::new(),
                        deps: true,
                        format: Format::Human,
                        report: None,
                        bless: false,
                    }
                }
            }
            Some(cli::Command::List { commands }) => Action::List { commands },
            Some(cli::Command::Walk { lesson }) => Action::Walk { lesson },
            Some(cli::Command::Run { lessons, no_deps }) => Action::Run {
                lessons,
                deps: !no_deps,
            },
            Some(cli::Command::Check {
                lessons,
                no_deps,
                format: f,
                report,
                bless,
            }) => Action::Check {
                lessons,
                deps: !no_deps,
                format: format(f),
                report,
                bless,
            },
            Some(cli::Command::Doctor) => Action::Doctor,
            Some(cli::Command::Render { check, readme }) => Action::Render { check, readme },
            Some(cli::Command::Import { file, out }) => Action::Import { file, out },
            Some(cli::Command::Completions { shell }) => Action::Completions(match shell {
                cli::Shell::Bash => Shell::Bash,
                cli::Shell::Zsh => Shell::Zsh,
                cli::Shell::Fish => Shell::Fish,
            }),
            Some(cli::Command::Man) => Action::Man,
        };
        Settings {
            action,
            lessons: cli.lessons,
            docker: cli.docker.filter(|p| !p.as_os_str().is_empty()),
            color_stdout: color_for(cli.color, std::io::stdout().is_terminal()),
            color_stderr: color_for(cli.color, std::io::stderr().is_terminal()),
            verbosity: if cli.quiet {
                Verbosity::Quiet
            } else if cli.verbose {
                Verbosity::Verbose
            } else {
                Verbosity::Normal
            },
            interactive,
        }
    }
}
