//! `knowing-scratch check`: replay lessons without prompting and tell whether
//! the docs still match (for CI).

use std::io::{IsTerminal, Write};

use anyhow::Context;

use crate::bless::{self, Change};
use crate::color::Palette;
use crate::commands::{client, connect, load_lessons, lock_engine, select};
use crate::engine::Needs;
use crate::error::{Error, Exit};
use crate::exec;
use crate::lesson::{Lesson, Step};
use crate::matrix;
use crate::outcome::{LessonOutcome, MatrixOutcome, RunOutcome, StepOutcome};
use crate::report::human::Human;
use crate::report::json::Json;
use crate::report::junit::Junit;
use crate::report::markdown::Markdown;
use crate::report::Reporter;
use crate::runner::{Observer, Runner, Running};
use crate::settings::{Bless, CheckArgs, Format, Settings, Verbosity};

/// Prints each lesson's verdicts as the lesson ends (in file order), and
/// with `--jobs` on a terminal a line on stderr saying what runs now.
struct Progress<W: Write> {
    human: Human,
    out: W,
    /// Draw the running lessons on stderr.
    live: bool,
    /// The line is on screen.
    shown: bool,
}

impl<W: Write> Progress<W> {
    fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr();
            let _ = err.write_all(b"\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

impl<W: Write> Observer for Progress<W> {
    fn step_done(&mut self, _l: &Lesson, _s: &Step, _o: &StepOutcome, _needed_only: bool) {}

    fn lesson_done(&mut self, lesson: &LessonOutcome) {
        self.clear();
        let _ = self.out.write_all(self.human.lesson(lesson).as_bytes());
        let _ = self.out.flush();
    }

    fn running(&mut self, now: &Running) {
        if !self.live {
            return;
        }
        self.clear();
        if now.lessons.is_empty() {
            return;
        }
        let line = running_line(now, terminal_width());
        let mut err = std::io::stderr();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
        self.shown = true;
    }
}

/// `running: a (step 2/5), b (step 1/3) · 4 of 12 lessons done`, cut short
/// of `width` columns: a line that wraps would not be cleared whole, and the
/// last column stays free for what the terminal echoes (`^C`).
fn running_line(now: &Running, width: usize) -> String {
    let lessons: Vec<String> = now
        .lessons
        .iter()
        .map(|(id, settled, steps)| format!("{id} (step {}/{steps})", (settled + 1).min(*steps)))
        .collect();
    let line = format!(
        "running: {} · {} of {} lessons done",
        lessons.join(", "),
        now.done,
        now.total
    );
    let fits = width.saturating_sub(1).max(10);
    if line.chars().count() <= fits {
        return line;
    }
    let mut cut: String = line.chars().take(fits - 1).collect();
    cut.push('…');
    cut
}

/// Columns of the terminal on stderr (80 when it does not say).
fn terminal_width() -> usize {
    // SAFETY: TIOCGWINSZ fills a winsize we own.
    unsafe {
        let mut size: libc::winsize = std::mem::zeroed();
        if libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) == 0 && size.ws_col > 0 {
            usize::from(size.ws_col)
        } else {
            80
        }
    }
}

pub fn check(settings: &Settings, args: &CheckArgs) -> Result<Exit, Error> {
    let lessons = load_lessons(settings)?;
    if args.bless.is_some() && lessons.unpacked.is_some() {
        return Err(Error::Usage(
            "`--bless` writes into lesson files: run it beside a `lessons/` folder or pass `--lessons DIR`".into(),
        ));
    }
    let mut wanted = select(&lessons.set, &args.lessons)?;
    if let Some(shard) = args.shard {
        wanted = shard.pick(wanted);
    }
    let plan = lessons.set.plan(&wanted, args.deps);
    if !args.engines.is_empty() {
        return check_matrix(settings, args, lessons.workdir.clone(), &plan);
    }
    let mut needs = Needs::of(plan.iter().map(|(l, _)| *l));
    // A blessed variant's `recorded:` line names the buildx version.
    needs.builder |= args.bless == Some(Bless::Variant);
    let engine = connect(settings, needs)?;
    exec::install_signal_handlers().context("install the Ctrl-C handler")?;
    let _lock = lock_engine(settings, &engine)?;
    let runner = Runner::on_engine(&engine, lessons.workdir.clone());
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
    let out: Box<dyn Write + Send> = if machine_on_stdout {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    let live =
        args.jobs > 1 && std::io::stderr().is_terminal() && settings.verbosity != Verbosity::Quiet;
    let mut obs = Progress {
        human,
        out,
        live,
        shown: false,
    };
    let _ = obs.out.write_all(obs.human.header(&engine).as_bytes());
    let outcome = runner.run_jobs(&plan, usize::from(args.jobs), &mut obs);
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
    if let Some(how) = args.bless {
        let plan = bless::plan(&lessons.set, &outcome, how);
        let written = bless::write(&plan)?;
        let err = Palette::new(settings.color_stderr);
        let mut out = obs.out;
        print_blessed(&plan, &written, &Palette::new(color), &err, &mut out);
        return Ok(bless::tally(&plan, &written).exit(&outcome));
    }
    Ok(outcome.exit())
}

/// `--engine A --engine B`: every engine at once, then the matrix.
fn check_matrix(
    settings: &Settings,
    args: &CheckArgs,
    workdir: std::path::PathBuf,
    lessons: &[(&Lesson, bool)],
) -> Result<Exit, Error> {
    if args.bless.is_some() {
        return Err(Error::Usage(
            "`--bless` writes one engine's outputs: leave out `--engine`, and point DOCKER_HOST or DOCKER_CONTEXT at the engine".into(),
        ));
    }
    let targets = matrix::targets(&args.engines).map_err(Error::Usage)?;
    let docker = client(settings)?;
    exec::install_signal_handlers().context("install the Ctrl-C handler")?;
    let machine_on_stdout = args.format != Format::Human && args.report.is_none();
    let p = Palette::new(settings.color_stderr);
    let plan = matrix::Plan {
        docker,
        workdir,
        lessons,
        progress: std::io::stderr().is_terminal() && settings.verbosity != Verbosity::Quiet,
        jobs: usize::from(args.jobs),
        say: &|msg| eprintln!("{}", p.hint(msg)),
    };
    let outcome = matrix::run(&plan, &targets);
    let human = Human {
        palette: Palette::new(if machine_on_stdout {
            settings.color_stderr
        } else {
            settings.color_stdout
        }),
        verbosity: settings.verbosity,
    };
    let text = human.render_matrix(&outcome);
    if machine_on_stdout {
        eprint!("{text}");
    } else {
        let _ = std::io::stdout().write_all(text.as_bytes());
    }
    if args.format != Format::Human || args.report.is_some() {
        let text = render_matrix(args.format, &outcome, settings.verbosity);
        match &args.report {
            Some(path) => std::fs::write(path, text)
                .with_context(|| format!("write the report {}", path.display()))?,
            None => {
                let _ = std::io::stdout().write_all(text.as_bytes());
            }
        }
    }
    if exec::interrupted() {
        return Ok(Exit::Interrupted);
    }
    Ok(outcome.exit())
}

/// What `--bless` wrote, where the human report goes, and what it left, on stderr.
fn print_blessed(
    plan: &bless::Plan,
    written: &[bless::Written],
    p: &Palette,
    err: &Palette,
    out: &mut dyn Write,
) {
    for l in &plan.left {
        eprintln!(
            "{} {}: step '{}': {}",
            err.fail("not blessed"),
            l.file.display(),
            l.title,
            l.why
        );
    }
    for w in written {
        let edits = match &w.result {
            Ok(edits) => edits,
            Err(e) => {
                eprintln!(
                    "{} {}: {e}; nothing was written to it",
                    err.fail("not blessed"),
                    w.file.display()
                );
                continue;
            }
        };
        for e in edits {
            let what = match &e.change {
                Change::Replace {
                    variant,
                    output,
                    exit,
                    ..
                } => {
                    let variant = variant
                        .as_ref()
                        .map(|v| format!(" (variant {})", v.when))
                        .unwrap_or_default();
                    let exit = match (output, exit) {
                        (Some(_), Some(code)) => format!(", and exit code {code}"),
                        (None, Some(code)) => format!(": exit code {code}"),
                        _ => String::new(),
                    };
                    format!("{variant}{exit}")
                }
                Change::AddVariant { variant, .. } => {
                    let mut s = format!(" as a new variant `{}`", variant.when);
                    if !variant.also.is_empty() {
                        let also: Vec<String> =
                            variant.also.iter().map(|c| format!("`{c}`")).collect();
                        s.push_str(&format!(
                            " ({} would tell the engines apart too)",
                            also.join(", ")
                        ));
                    }
                    s
                }
            };
            let _ = writeln!(
                out,
                "{} {}: step '{}'{what}",
                p.pass("blessed"),
                w.file.display(),
                e.title
            );
        }
    }
}

fn reporter(format: Format, verbosity: Verbosity) -> Box<dyn Reporter> {
    match format {
        Format::Human => Box::new(Human {
            palette: Palette { enabled: false },
            verbosity,
        }),
        Format::Json => Box::new(Json),
        Format::Junit => Box::new(Junit),
        Format::Markdown => Box::new(Markdown),
    }
}

fn render(format: Format, outcome: &RunOutcome, verbosity: Verbosity) -> String {
    reporter(format, verbosity).render(outcome)
}

fn render_matrix(format: Format, outcome: &MatrixOutcome, verbosity: Verbosity) -> String {
    reporter(format, verbosity).render_matrix(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_line_names_each_lesson_and_fits_the_terminal() {
        let now = Running {
            lessons: vec![
                ("create-from-scratch".into(), 1, 3),
                ("how-small".into(), 0, 4),
            ],
            done: 4,
            total: 12,
        };
        assert_eq!(
            running_line(&now, 120),
            "running: create-from-scratch (step 2/3), how-small (step 1/4) · 4 of 12 lessons done"
        );
        assert_eq!(running_line(&now, 30), "running: create-from-scratch…");
        assert_eq!(running_line(&now, 30).chars().count(), 29);
    }
}
