//! knowing-scratch: replays the scratch-image tutorial against a real Docker
//! engine and tells whether the docs still match reality.
//!
//! `cli` parses, `settings` validates, `commands` holds one entry function per
//! subcommand; `lesson` (model, loading), `matcher` (comparison), `exec`
//! (running commands) and `runner` (replaying lessons) are the machinery, and
//! `report` turns a run's [`outcome::RunOutcome`] into text.

pub mod bless;
pub mod cli;
pub mod color;
pub mod commands;
pub mod embedded;
pub mod engine;
pub mod error;
pub mod exec;
pub mod fsutil;
pub mod lesson;
pub mod lock;
pub mod markdown;
pub mod matcher;
pub mod matrix;
pub mod outcome;
pub mod report;
pub mod runner;
pub mod settings;
pub mod shell;
pub mod suggest;
pub mod target;
pub mod walk;
pub mod yaml_edit;
pub mod yaml_text;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{Error, Exit};
use crate::settings::{Action, Settings};

/// Run the command the settings describe.
pub fn run(settings: &Settings) -> Result<Exit, Error> {
    match &settings.action {
        Action::List(args) => commands::list::list(settings, args.commands),
        Action::Run(args) => commands::run::run(settings, args),
        Action::Check(args) => commands::check::check(settings, args),
        Action::Doctor => commands::doctor::doctor(settings),
        Action::Walk(args) => commands::walk::walk(settings, args),
        Action::Render(args) => commands::render::render(settings, args),
        Action::Import(args) => commands::import::import(args),
        Action::Completions { shell } => commands::completions::completions(*shell),
        Action::Man => commands::completions::man(),
    }
}

/// The binary's entry point: parse, run, print any error once, map to an exit code.
pub fn main_entry() -> ExitCode {
    let cli = cli::Cli::parse();
    // Read where requirements are checked, like `KNOWING_SCRATCH_REGISTRY`;
    // set here, before any thread starts.
    if cli.allow_host {
        std::env::set_var(engine::ALLOW_HOST, "1");
    }
    let settings = cli.into_settings();
    match run(&settings) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => {
            let p = color::Palette::new(settings.color_stderr);
            // One problem a line, each with its own `error:` (lesson files can have several).
            for line in e.with_causes().lines() {
                eprintln!("{} {line}", p.fail("error:"));
            }
            if let Some(hint) = e.hint() {
                eprintln!("{} {hint}", p.hint("hint:"));
            }
            ExitCode::from(e.exit() as u8)
        }
    }
}
