//! Validated settings: the plain data every command works from.
//!
//! Each subcommand's arguments are spelled once, here: [`Action`] and its
//! per-command structs ([`CheckArgs`], [`RunArgs`], …) are what the commands
//! take, field for field. They derive clap's `Args`/`Subcommand` so that clap
//! fills them directly (a flag is one field, with its help, default and type
//! in one place), yet their fields are plain data: commands and tests build
//! them by hand and never call clap. Nothing past this module imports clap.
//! `cli` keeps the global flags, whose raw form (`--color auto`, `-q`/`-v`)
//! differs from what commands want, converts those once into [`Settings`]
//! and picks the action for a bare `knowing-scratch`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Junit,
    /// The matrix as a Markdown table (for `$GITHUB_STEP_SUMMARY`).
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
        let bad = || "expected K/N with 1 <= K <= N, e.g. `--shard 1/2`".to_string();
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

/// Where `check --bless` writes the real output of a failing step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Bless {
    /// Over the documented output that was compared
    Replace,
    /// Into a new variant for the facts that differ from where the compared output was recorded
    Variant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// What to do: one variant per subcommand.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Action {
    /// List the lessons: steps, needs and requirements
    List(ListArgs),
    /// Walk through the lessons in the terminal, step by step
    Walk(WalkArgs),
    /// Replay lessons, showing each command, its real output and a verdict
    Run(RunArgs),
    /// Check that the documented outputs still match reality (for CI)
    Check(CheckArgs),
    /// Tell what this machine can run: engine, client, builder, registry, images, tools
    Doctor,
    /// Write the tutorial part of README.md from the lessons
    Render(RenderArgs),
    /// Turn a Markdown tutorial into lesson files
    Import(ImportArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff)
    Man,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct ListArgs {
    /// Print every step's command exactly as it would run; nothing runs
    #[arg(long)]
    pub commands: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct WalkArgs {
    /// One lesson (its needs run first); all of them when absent
    pub lesson: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RunArgs {
    /// Lessons to replay (their needs run first, quietly)
    #[arg(required = true)]
    pub lessons: Vec<String>,
    /// Do not run the lessons' needs first
    #[arg(long = "no-deps", action = clap::ArgAction::SetFalse)]
    pub deps: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct CheckArgs {
    /// Lessons to check; all of them when absent
    pub lessons: Vec<String>,
    /// Do not run the lessons' needs first
    #[arg(long = "no-deps", action = clap::ArgAction::SetFalse)]
    pub deps: bool,
    /// Report format on stdout (or in --report)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE; the human summary still goes to the terminal
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Accept reality: write the real output of failing steps into the lesson files,
    /// over the compared output (`--bless`) or as a new variant (`--bless=variant`)
    // `=` is required, so `check --bless LESSON` still names a lesson.
    #[arg(
        long,
        value_enum,
        value_name = "HOW",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "replace"
    )]
    pub bless: Option<Bless>,
    /// Check on this engine: a Docker context name or a DOCKER_HOST URL (ssh:// too); repeat it for a matrix of engines, checked at once
    #[arg(long = "engine", value_name = "NAME")]
    pub engines: Vec<String>,
    /// Check only share K of N of the lessons (their needs still run), for a CI matrix
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Run up to N lessons at once on each engine, where what they touch allows
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
}

/// What a bare `knowing-scratch check` means (a test holds it to clap's defaults).
impl Default for CheckArgs {
    fn default() -> CheckArgs {
        CheckArgs {
            lessons: Vec::new(),
            deps: true,
            format: Format::Human,
            report: None,
            bless: None,
            engines: Vec::new(),
            shard: None,
            jobs: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RenderArgs {
    /// Write nothing; print the diff and exit 1 when the README is stale
    #[arg(long)]
    pub check: bool,
    /// The README to render into
    #[arg(long, default_value = "README.md", value_name = "FILE")]
    pub readme: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ImportArgs {
    /// The Markdown tutorial
    pub file: PathBuf,
    /// Write one lesson file per section here instead of printing them
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The value of a Hugo site parameter, for `{{% param NAME %}}` in the
    /// page (repeatable; overrides the nearest hugo.yaml)
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Of each group of Hugo tabs, keep the one named NAME (repeatable, in
    /// order of preference; default: the Linux one, else the first)
    #[arg(long = "tab", value_name = "NAME")]
    pub tabs: Vec<String>,
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
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

#[cfg(test)]
mod shard_tests {
    use super::*;

    #[test]
    fn shards_cover_every_item_once() {
        let items: Vec<usize> = (0..12).collect();
        let one = Shard::parse("1/2").unwrap().pick(items.clone());
        let two = Shard::parse("2/2").unwrap().pick(items.clone());
        assert_eq!(one, vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(two, vec![1, 3, 5, 7, 9, 11]);
        let fifths: Vec<Vec<usize>> = (1..=5)
            .map(|k| Shard { index: k, count: 5 }.pick(items.clone()))
            .collect();
        let mut all: Vec<usize> = fifths.concat();
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
