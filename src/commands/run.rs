//! `knowing-scratch run LESSON...`: replay lessons and show each command, its
//! real output as it arrives, and a verdict. Needs run first, quietly.

use std::io::Write;

use anyhow::Context;

use crate::color::Palette;
use crate::commands::{connect, load_lessons, select};
use crate::error::{Error, Exit};
use crate::exec;
use crate::lesson::{Choice, Lesson, Step};
use crate::outcome::{Status, StepOutcome};
use crate::report::human::Human;
use crate::runner::{new_run_id, Decision, Observer, Runner};
use crate::settings::{RunArgs, Settings, Verbosity};

/// Shows a replay live on stdout.
pub struct Live {
    pub human: Human,
    /// Whether the current step's output is being shown.
    showing: bool,
    /// The shown output ended without a newline.
    open_line: bool,
}

impl Live {
    pub fn new(human: Human) -> Live {
        Live {
            human,
            showing: false,
            open_line: false,
        }
    }
}

impl Observer for Live {
    fn lesson_start(&mut self, lesson: &Lesson, needed_only: bool) {
        let p = &self.human.palette;
        if needed_only {
            println!(
                "{}",
                p.dim(&format!("running `{}` first (needed)…", lesson.id))
            );
        } else {
            println!(
                "\n{}",
                p.heading(&format!("{} · {}", lesson.id, lesson.title))
            );
        }
    }

    fn before_step(
        &mut self,
        _lesson: &Lesson,
        step: &Step,
        _choice: &Choice,
        needed_only: bool,
    ) -> Decision {
        self.showing = !needed_only && self.human.verbosity != Verbosity::Quiet;
        if self.showing {
            let p = &self.human.palette;
            println!("\n{}", p.heading(&step.title));
            for (i, line) in step.run.trim_end().lines().enumerate() {
                let prompt = if i == 0 { "$ " } else { "  " };
                println!("{}{}", p.dim(prompt), p.command(line));
            }
        }
        self.open_line = false;
        Decision::Run
    }

    fn output(&mut self, text: &str) {
        if self.showing {
            print!("{text}");
            self.open_line = !text.ends_with('\n');
            let _ = std::io::stdout().flush();
        }
    }

    fn step_done(
        &mut self,
        lesson: &Lesson,
        _step: &Step,
        outcome: &StepOutcome,
        needed_only: bool,
    ) {
        if self.open_line {
            println!();
            self.open_line = false;
        }
        if needed_only && outcome.status != Status::Failed {
            return;
        }
        print!("{}", self.human.step(&lesson.id, outcome));
        let _ = std::io::stdout().flush();
    }
}

pub fn run(settings: &Settings, args: &RunArgs) -> Result<Exit, Error> {
    let lessons = load_lessons(settings)?;
    let wanted = select(&lessons.set, &args.lessons)?;
    let plan = lessons.set.plan(&wanted, args.deps);
    let engine = connect(settings)?;
    exec::install_signal_handlers().context("install the Ctrl-C handler")?;
    let runner = Runner {
        engine: &engine,
        workdir: lessons.workdir.clone(),
        run_id: new_run_id(),
    };
    let mut live = Live::new(Human {
        palette: Palette::new(settings.color_stdout),
        verbosity: settings.verbosity,
    });
    print!("{}", live.human.header(&engine));
    let outcome = runner.run(&plan, &mut live);
    println!();
    print!("{}", live.human.footer(&outcome));
    Ok(outcome.exit())
}
