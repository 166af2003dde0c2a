//! `knowing-scratch check`: replay lessons without prompting and tell whether
//! the docs still match (for CI).

use std::io::Write;

use anyhow::Context;

use crate::color::Palette;
use crate::commands::{connect, load_lessons, select};
use crate::error::{Error, Exit};
use crate::exec;
use crate::lesson::{Lesson, Step};
use crate::outcome::{LessonOutcome, RunOutcome, StepOutcome};
use crate::report::human::Human;
use crate::report::json::Json;
use crate::report::junit::Junit;
use crate::report::Reporter;
use crate::runner::{new_run_id, Observer, Runner};
use crate::settings::{CheckArgs, Format, Settings, Verbosity};

/// Prints each lesson's verdicts as the lesson ends.
struct Progress<W: Write> {
    human: Human,
    out: W,
}

impl<W: Write> Observer for Progress<W> {
    fn step_done(&mut self, _l: &Lesson, _s: &Step, _o: &StepOutcome, _needed_only: bool) {}

    fn lesson_done(&mut self, lesson: &LessonOutcome) {
        let _ = self.out.write_all(self.human.lesson(lesson).as_bytes());
        let _ = self.out.flush();
    }
}

pub fn check(settings: &Settings, args: &CheckArgs) -> Result<Exit, Error> {
    let lessons = load_lessons(settings)?;
    if args.bless && lessons.unpacked.is_some() {
        return Err(Error::Usage(
            "`--bless` writes into lesson files: run it beside a `lessons/` folder or pass `--lessons DIR`".into(),
        ));
    }
    let wanted = select(&lessons.set, &args.lessons)?;
    let plan = lessons.set.plan(&wanted, args.deps);
    let engine = connect(settings)?;
    exec::install_signal_handlers().context("install the Ctrl-C handler")?;
    let runner = Runner {
        engine: &engine,
        workdir: lessons.workdir.clone(),
        run_id: new_run_id(),
    };
    // Human progress goes where the report does not.
    let machine_on_stdout = args.format != Format::Human && args.report.is_none();
    let color = if machine_on_stdout {
        settings.color_stderr
    } else {
        settings.color_stdout
    };
    let human = Human {
        palette: Palette::new(color),
        verbosity: settings.verbosity,
    };
    let out: Box<dyn Write> = if machine_on_stdout {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    let mut obs = Progress { human, out };
    let _ = obs.out.write_all(obs.human.header(&engine).as_bytes());
    let outcome = runner.run(&plan, &mut obs);
    let _ = obs.out.write_all(obs.human.footer(&outcome).as_bytes());
    if args.format != Format::Human || args.report.is_some() {
        let text = render(args.format, &outcome, settings.verbosity);
        match &args.report.as_deref() {
            Some(path) => std::fs::write(path, text)
                .with_context(|| format!("write the report {}", path.display()))?,
            None => {
                let _ = std::io::stdout().write_all(text.as_bytes());
            }
        }
    }
    if args.bless {
        let blessed = crate::bless::bless(&lessons.set, &outcome, settings, machine_on_stdout)?;
        return Ok(blessed.exit(&outcome));
    }
    Ok(outcome.exit())
}

fn render(format: Format, outcome: &RunOutcome, verbosity: Verbosity) -> String {
    match format {
        Format::Human => Human {
            palette: Palette { enabled: false },
            verbosity,
        }
        .render(outcome),
        Format::Json => Json.render(outcome),
        Format::Junit => Junit.render(outcome),
    }
}
