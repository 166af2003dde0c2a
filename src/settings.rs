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
    Markdown,
}

/// `--shard K/N`: the K-th of N shares of the selected lessons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`--shard {text}`: expected K/N with 1 <= K <= N, e.g. `--shard 1/2`");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's share of `items`: every N-th, starting at the K-th, so
    /// the shares are as even as they can be and together hold each item
    /// exactly once.
    pub fn pick<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index - 1)
            .map(|(_, t)| t)
            .collect()
    }
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
    List,
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
        /// `--engine`, in order; empty: the client's own engine.
        engines: Vec<String>,
        shard: Option<Shard>,
    },
    Doctor,
    /// Arguments that make no sense (a bad `--shard`): said before anything runs.
    Invalid(String),
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
            cli::Format::Markdown => Format::Markdown,
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
                        engines: Vec::new(),
                        shard: None,
                    }
                }
            }
            Some(cli::Command::List) => Action::List,
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
                engines,
                shard,
            }) => match shard.as_deref().map(Shard::parse).transpose() {
                Err(message) => Action::Invalid(message),
                Ok(shard) => Action::Check {
                    lessons,
                    deps: !no_deps,
                    format: format(f),
                    report,
                    bless,
                    engines,
                    shard,
                },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_item_once() {
        let items: Vec<usize> = (0..12).collect();
        let one = Shard::parse("1/2").unwrap().pick(items.clone());
        let two = Shard::parse("2/2").unwrap().pick(items.clone());
        assert_eq!(one, vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(two, vec![1, 3, 5, 7, 9, 11]);
        let thirds: Vec<Vec<usize>> = (1..=5)
            .map(|k| Shard { index: k, count: 5 }.pick(items.clone()))
            .collect();
        let mut all: Vec<usize> = thirds.concat();
        all.sort_unstable();
        assert_eq!(all, items);
        assert_eq!(Shard::parse("1/1").unwrap().pick(items.clone()), items);
    }

    #[test]
    fn bad_shards_are_refused() {
        for bad in ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
