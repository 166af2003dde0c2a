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
    /// Accept reality: write the real output of failing steps into the lesson files
    #[arg(long)]
    pub bless: bool,
}

/// What a bare `knowing-scratch check` means (a test holds it to clap's defaults).
impl Default for CheckArgs {
    fn default() -> CheckArgs {
        CheckArgs {
            lessons: Vec::new(),
            deps: true,
            format: Format::Human,
            report: None,
            bless: false,
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
