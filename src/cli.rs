//! Command-line arguments, as clap sees them. `settings` turns them into plain
//! data; nothing past that point knows about clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "knowing-scratch",
    version,
    about = "Learn the quirks of Docker's `scratch` image by replaying a tutorial against a real engine, and check in CI that the docs still match reality.",
    after_help = "Exit codes: 0 every step matched, 1 drift, 2 usage or lesson-file error, 3 Docker engine unreachable, 130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the lessons: steps, needs and requirements
    List {
        /// Print every step's command exactly as it would run, and nothing else runs
        #[arg(long)]
        commands: bool,
    },
    /// Walk through the lessons in the terminal, step by step
    Walk {
        /// One lesson (its needs run first); all of them when absent
        lesson: Option<String>,
    },
    /// Replay lessons, showing each command, its real output and a verdict
    Run {
        /// Lessons to replay (their needs run first, quietly)
        #[arg(required = true)]
        lessons: Vec<String>,
        /// Do not run the lessons' needs first
        #[arg(long)]
        no_deps: bool,
    },
    /// Check that the documented outputs still match reality (for CI)
    Check {
        /// Lessons to check; all of them when absent
        lessons: Vec<String>,
        /// Do not run the lessons' needs first
        #[arg(long)]
        no_deps: bool,
        /// Report format on stdout (or in --report)
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Write the report to FILE; the human summary still goes to the terminal
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Accept reality: write the real output of failing steps into the lesson files
        #[arg(long)]
        bless: bool,
    },
    /// Tell what this machine can run: engine, client, builder, registry, images, tools
    Doctor,
    /// Write the tutorial part of README.md from the lessons
    Render {
        /// Write nothing; print the diff and exit 1 when the README is stale
        #[arg(long)]
        check: bool,
        /// The README to render into
        #[arg(long, default_value = "README.md", value_name = "FILE")]
        readme: PathBuf,
    },
    /// Turn a Markdown tutorial into lesson files
    Import {
        /// The Markdown tutorial
        file: PathBuf,
        /// Write one lesson file per section here instead of printing them
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff)
    Man,
}
