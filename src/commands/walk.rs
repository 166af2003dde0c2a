//! `knowing-scratch walk [LESSON]` (and plain `knowing-scratch` on a
//! terminal): the lessons one step at a time, the reader pressing a key to
//! run, skip or read each command.
//!
//! Without an engine the walk plays the documented outputs and exits 0: it
//! is a way to read the tutorial, not a check. Not on a terminal, it asks
//! nothing: with an engine it replays as `run` does, without one it plays
//! the documented outputs straight through.

use std::io::{IsTerminal, Write};

use crate::color::Palette;
use crate::commands::run::Live;
use crate::commands::{connect, load_lessons, select};
use crate::error::{Error, Exit};
use crate::exec;
use crate::lesson::Lesson;
use crate::report::human::Human;
use crate::runner::{new_run_id, Runner};
use crate::settings::{Settings, Verbosity, WalkArgs};
use crate::walk::{self, KeySource, Screen, Spinner, Terminal, Walker};

pub fn walk(settings: &Settings, args: &WalkArgs) -> Result<Exit, Error> {
    let lessons = load_lessons(settings)?;
    let names: Vec<String> = args.lesson.iter().cloned().collect();
    let wanted = select(&lessons.set, &names)?;
    let err = Palette::new(settings.color_stderr);
    let engine = match connect(settings) {
        Ok(engine) => Some(engine),
        Err(Error::Engine(unreachable)) => {
            eprintln!("{unreachable}");
            eprintln!("playing the documented outputs instead: nothing will run");
            eprintln!(
                "{} for a live run, {}",
                err.hint("hint:"),
                unreachable.hint()
            );
            None
        }
        Err(e) => return Err(e),
    };
    let mut terminal = if settings.interactive {
        Terminal::stdin().ok()
    } else {
        None
    };
    if terminal.is_none() {
        eprintln!(
            "{}",
            err.dim(if engine.is_some() {
                "not a terminal, so no prompts: replaying as `knowing-scratch run` does"
            } else {
                "not a terminal, so no prompts: showing every step"
            })
        );
    }
    let keys = terminal.as_mut().map(|t| t as &mut dyn KeySource);
    let screen = Screen {
        out: Box::new(std::io::stdout()),
        err: Box::new(std::io::stderr()),
        palette: Palette::new(settings.color_stdout),
        err_palette: err,
        erase_prompt: std::io::stderr().is_terminal(),
        keys,
        interrupted: false,
    };
    match engine {
        None => {
            let mut screen = screen;
            let outcome = walk::play(&mut screen, &wanted);
            // Playing the docs finds no drift: only an interrupt changes the code.
            Ok(if outcome.interrupted {
                Exit::Interrupted
            } else {
                Exit::Ok
            })
        }
        Some(engine) => {
            let plan = lessons.set.plan(&wanted, true);
            let runner = Runner {
                engine: &engine,
                workdir: lessons.workdir.clone(),
                run_id: new_run_id(),
            };
            let _ = exec::install_signal_handlers();
            if screen.keys.is_none() {
                return Ok(replay(settings, &runner, &plan));
            }
            Ok(interactive(settings, screen, &runner, &plan))
        }
    }
}

/// Not a terminal: what `run` shows.
fn replay(settings: &Settings, runner: &Runner, plan: &[(&Lesson, bool)]) -> Exit {
    let mut live = Live::new(Human {
        palette: Palette::new(settings.color_stdout),
        verbosity: settings.verbosity,
    });
    let outcome = runner.run(plan, &mut live);
    println!();
    print!("{}", live.human.footer(&outcome));
    let _ = std::io::stdout().flush();
    outcome.exit()
}

fn interactive(
    settings: &Settings,
    screen: Screen,
    runner: &Runner,
    plan: &[(&Lesson, bool)],
) -> Exit {
    let spinner =
        Spinner::new(std::io::stderr().is_terminal() && settings.verbosity != Verbosity::Quiet);
    let mut walker = Walker::new(screen, spinner, plan);
    let mut outcome = runner.run(plan, &mut walker);
    walker.finish(&mut outcome);
    outcome.exit()
}
