//! The walkthrough: lessons shown one step at a time, the reader choosing
//! with one key whether each command runs.
//!
//! Design decisions:
//! - The [`Runner`](crate::runner::Runner) does the work; [`Walker`] is only
//!   an [`Observer`] whose `before_step` asks the reader. So a walked step is
//!   run, compared, cleaned up and reported exactly as `run` and `check` do.
//! - Lessons, steps, commands, output and verdicts go to stdout; the key
//!   prompt, notices and the spinner go to stderr. On a terminal both show.
//! - Without an engine nothing can run, yet the walk still teaches: [`play`]
//!   shows each step's default documented output, labelled as recorded with
//!   the lesson's `recorded:` text. Markers in the documented text are shown
//!   as short placeholders (`<hex64>`, `…`) rather than as matcher syntax.
//! - Lessons that are only needed by the chosen one run first without
//!   prompts, under a spinner, and show only failures.

pub mod keys;
mod spinner;

use std::io::Write;

use crate::color::Palette;
use crate::lesson::{Choice, Lesson, Step};
use crate::outcome::{Failure, LessonOutcome, RunOutcome, Status, StepOutcome};
use crate::report::human::Human;
use crate::runner::{Decision, Observer};
use crate::settings::Verbosity;

pub use keys::{Key, KeySource, Scripted, Terminal};
pub use spinner::Spinner;

/// Where the walkthrough writes, and how.
pub struct Screen<'a> {
    /// Lessons, steps, output and verdicts (stdout).
    pub out: Box<dyn Write + 'a>,
    /// Prompts and notices (stderr).
    pub err: Box<dyn Write + 'a>,
    pub palette: Palette,
    pub err_palette: Palette,
    /// Erase the prompt line once a key is read (on a terminal); else end it.
    pub erase_prompt: bool,
    /// `None`: no prompts, every step goes ahead.
    pub keys: Option<&'a mut dyn KeySource>,
    /// Ctrl-C was pressed at a prompt: the walk ends as interrupted.
    pub interrupted: bool,
}

/// Which keys mean what: Enter runs with an engine, plays without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Live,
    Recorded,
}

impl Screen<'_> {
    fn human(&self) -> Human {
        Human {
            palette: self.palette,
            verbosity: Verbosity::Normal,
        }
    }

    fn say(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    fn lesson_header(&mut self, lesson: &Lesson, number: usize, total: usize) {
        let p = self.palette;
        let mut text = format!(
            "\n{} {}\n",
            p.heading(&format!("Lesson {number}/{total} · {}", lesson.title)),
            p.dim(&format!("({})", lesson.id))
        );
        let intro = lesson.intro.trim_end();
        if !intro.is_empty() {
            text.push_str(intro);
            text.push('\n');
        }
        self.say(&text);
    }

    fn step_header(&mut self, lesson: &Lesson, step: &Step) {
        let p = self.palette;
        let index = position(lesson, step);
        let mut text = format!(
            "\n{}\n",
            p.heading(&format!(
                "Step {}/{} · {}",
                index + 1,
                lesson.steps.len(),
                step.title
            ))
        );
        let body = step.text.trim_end();
        if !body.is_empty() {
            text.push_str(body);
            text.push('\n');
        }
        text.push('\n');
        for (i, line) in step.run.trim_end().lines().enumerate() {
            let prompt = if i == 0 { "$ " } else { "  " };
            text.push_str(&format!("{}{}\n", p.dim(prompt), p.command(line)));
        }
        self.say(&text);
    }

    /// The documented output, under a label saying where it comes from.
    fn documented(&mut self, label: &str, output: &str, exit: i32) {
        let p = self.palette;
        let mut text = format!("{}\n", p.dim(label));
        text.push_str(&readable(output));
        if exit != 0 {
            text.push_str(&format!("{}\n", p.dim(&format!("(exit code {exit})"))));
        }
        self.say(&text);
    }

    fn verdict(&mut self, lesson: &str, outcome: &StepOutcome) {
        let text = self.human().step(lesson, outcome);
        self.say(&text);
    }

    /// Ask what to do with the step just shown.
    fn ask(&mut self, mode: Mode) -> Decision {
        let Some(keys) = self.keys.as_deref_mut() else {
            return Decision::Run;
        };
        let p = self.err_palette;
        let prompt = match mode {
            Mode::Live => "[Enter] run  [s] skip  [r] documented output  [q] quit  [?] keys",
            Mode::Recorded => "[Enter] show the recorded output  [s] skip  [q] quit  [?] keys",
        };
        let _ = self.out.flush();
        loop {
            let _ = write!(self.err, "{} ", p.hint(prompt));
            let _ = self.err.flush();
            let key = keys.key();
            if self.erase_prompt {
                let _ = write!(self.err, "\r\x1b[2K");
            } else {
                let _ = writeln!(self.err);
            }
            let _ = self.err.flush();
            match key {
                Key::Enter => return Decision::Run,
                Key::Char('s') => return Decision::Skip,
                Key::Char('r') => return Decision::Recorded,
                Key::Char('q') | Key::Eof => return Decision::Quit,
                Key::Interrupt => {
                    self.interrupted = true;
                    return Decision::Quit;
                }
                Key::Char('?' | 'h') => {
                    let _ = self.err.write_all(p.dim(help(mode)).as_bytes());
                    let _ = self.err.flush();
                }
                Key::Char(_) => {}
            }
        }
    }
}

fn help(mode: Mode) -> &'static str {
    match mode {
        Mode::Live => {
            "  Enter  run the command, then compare its output with the docs\n  \
             s      skip this step\n  \
             r      show the documented output instead of running the command\n  \
             q      quit (containers this walk started are removed)\n  \
             ?      show these keys\n"
        }
        Mode::Recorded => {
            "  Enter  show the output recorded in the docs (no engine: nothing runs)\n  \
             s      skip this step\n  \
             q      quit\n  \
             ?      show these keys\n"
        }
    }
}

/// Where a step sits in its lesson.
fn position(lesson: &Lesson, step: &Step) -> usize {
    lesson
        .steps
        .iter()
        .position(|s| std::ptr::eq(s, step))
        .unwrap_or(0)
}

/// Documented text as a reader should see it: matcher markers become short
/// placeholders (`{{hex64}}` → `<hex64>`, `{{*}}` and `{{...}}` → `…`,
/// `{{ID=hex12}}` → `<hex12>`), `\{{` becomes `{{`. Ends with a newline
/// unless empty.
pub fn readable(documented: &str) -> String {
    let mut out = String::new();
    let mut rest = documented;
    while let Some(at) = rest.find("{{") {
        if rest[..at].ends_with('\\') {
            out.push_str(&rest[..at - 1]);
            out.push_str("{{");
            rest = &rest[at + 2..];
            continue;
        }
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        let inner = after[..end].trim();
        out.push_str(&placeholder(inner).unwrap_or_else(|| format!("{{{{{}}}}}", &after[..end])));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn placeholder(inner: &str) -> Option<String> {
    if inner == "*" || inner == "..." || (inner.len() >= 2 && inner.starts_with('/')) {
        return Some("…".into());
    }
    let kind = match inner.split_once('=') {
        Some((_, kind)) => kind,
        None => inner.split_once('<').map_or(inner, |(kind, _)| kind),
    };
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    word(kind).then(|| format!("<{kind}>"))
}

/// The interactive walk with an engine: asks before each step of the lessons
/// the reader chose, shows real output live, then the verdict.
pub struct Walker<'a> {
    screen: Screen<'a>,
    spinner: Spinner,
    /// Lessons asked for, to number them.
    total: usize,
    number: usize,
    /// Index of the step whose header is on screen.
    announced: Option<usize>,
    /// The current step's output is shown.
    showing: bool,
    open_line: bool,
    /// Quit, interrupted or engine lost: later lessons are not shown.
    ended: bool,
    /// Where the reader quit: lesson id and step number.
    pub quit_at: Option<(String, usize)>,
    /// Lessons already past, to start the cleanup spinner after the last.
    seen: usize,
    planned: usize,
}

impl<'a> Walker<'a> {
    /// `plan` as given to the runner.
    pub fn new(screen: Screen<'a>, spinner: Spinner, plan: &[(&Lesson, bool)]) -> Walker<'a> {
        Walker {
            screen,
            spinner,
            total: plan.iter().filter(|(_, asked)| *asked).count(),
            number: 0,
            announced: None,
            showing: false,
            open_line: false,
            ended: false,
            quit_at: None,
            seen: 0,
            planned: plan.len(),
        }
    }

    /// The closing lines: what was cleaned up, where the walk stopped, the summary.
    /// Ctrl-C at a prompt, or a signal while waiting for a key, ends the
    /// walk as interrupted, as it would during a step.
    pub fn finish(&mut self, outcome: &mut RunOutcome) {
        self.spinner.stop();
        if self.screen.interrupted || crate::exec::interrupted() {
            outcome.interrupted = true;
            self.quit_at = None;
        }
        let p = self.screen.palette;
        let mut text = String::from("\n");
        if let Some((lesson, step)) = &self.quit_at {
            text.push_str(&format!(
                "{}\n",
                p.dim(&format!(
                    "walk ended at {lesson} step {step}; `knowing-scratch walk {lesson}` starts that lesson again"
                ))
            ));
        }
        if outcome.cleaned.is_empty() {
            text.push_str(&format!(
                "{}\n",
                p.dim("nothing to clean up: this walk left no containers")
            ));
        }
        text.push_str(&self.screen.human().footer(outcome));
        self.screen.say(&text);
    }

    fn close_line(&mut self) {
        if self.open_line {
            self.screen.say("\n");
            self.open_line = false;
        }
    }
}

impl Observer for Walker<'_> {
    fn lesson_start(&mut self, lesson: &Lesson, needed_only: bool) {
        if self.ended {
            return;
        }
        if needed_only {
            let p = self.screen.palette;
            self.screen.say(&format!(
                "\n{}\n",
                p.dim(&format!(
                    "running `{}` first, without stopping: a later lesson needs it…",
                    lesson.id
                ))
            ));
        } else {
            self.number += 1;
            self.screen.lesson_header(lesson, self.number, self.total);
        }
    }

    fn before_step(
        &mut self,
        lesson: &Lesson,
        step: &Step,
        choice: &Choice,
        needed_only: bool,
    ) -> Decision {
        self.announced = Some(position(lesson, step));
        self.open_line = false;
        if needed_only {
            self.showing = false;
            self.spinner
                .start(&format!("{} › {}", lesson.id, step.title));
            return Decision::Run;
        }
        self.screen.step_header(lesson, step);
        let decision = self.screen.ask(Mode::Live);
        match decision {
            Decision::Run => {
                self.showing = true;
                self.spinner.start("running");
            }
            Decision::Recorded => {
                let label = match &choice.variant {
                    Some(v) => format!(
                        "documented output, not run ({}):",
                        v.note.as_deref().unwrap_or(v.when.text())
                    ),
                    None => "documented output, not run:".to_string(),
                };
                self.screen.documented(
                    &label,
                    choice.expected.output.source(),
                    choice.expected.exit,
                );
            }
            Decision::Skip => {}
            Decision::Quit => {
                self.ended = true;
                self.quit_at = Some((lesson.id.clone(), position(lesson, step) + 1));
            }
        }
        decision
    }

    fn output(&mut self, text: &str) {
        if !self.showing {
            return;
        }
        let Walker {
            spinner, screen, ..
        } = self;
        spinner.print(text, |t| screen.say(t));
        if !text.is_empty() {
            self.open_line = !text.ends_with('\n');
        }
    }

    fn step_done(
        &mut self,
        lesson: &Lesson,
        step: &Step,
        outcome: &StepOutcome,
        needed_only: bool,
    ) {
        self.spinner.stop();
        self.close_line();
        self.showing = false;
        if outcome
            .failures
            .iter()
            .any(|f| matches!(f, Failure::Interrupted | Failure::EngineLost { .. }))
        {
            self.ended = true;
        }
        if needed_only {
            if outcome.status == Status::Failed {
                let text = self.screen.human().step(&lesson.id, outcome);
                self.screen.say(&text);
            }
            self.announced = None;
            return;
        }
        // Steps the runner settles without asking (a missing requirement)
        // still show what they would have run.
        if self.announced != Some(outcome.index) {
            self.screen.step_header(lesson, step);
        }
        self.announced = None;
        self.screen.verdict(&lesson.id, outcome);
    }

    fn lesson_done(&mut self, lesson: &LessonOutcome) {
        self.seen += 1;
        if lesson.needed_only && !self.ended {
            let failed = lesson
                .steps
                .iter()
                .filter(|s| s.status == Status::Failed)
                .count();
            let p = self.screen.palette;
            let text = if failed == 0 {
                p.dim(&format!("`{}` is done", lesson.id))
            } else {
                p.fail(&format!(
                    "`{}` had {failed} failing step(s): what follows may fail too",
                    lesson.id
                ))
            };
            self.screen.say(&format!("{text}\n"));
        }
        if self.seen == self.planned || self.ended {
            // The runner removes the walk's containers next.
            self.spinner.start("cleaning up");
        }
    }
}

/// Without an engine: show every step of `lessons` with its default
/// documented output, labelled as recorded. Nothing runs; every step counts
/// as skipped.
pub fn play(screen: &mut Screen, lessons: &[&Lesson]) -> RunOutcome {
    let mut outcome = RunOutcome {
        environment: None,
        lessons: Vec::new(),
        cleaned: Vec::new(),
        interrupted: false,
        engine_lost: false,
    };
    let mut quit_at: Option<(String, usize)> = None;
    let mut played = 0;
    for (n, lesson) in lessons.iter().enumerate() {
        if quit_at.is_none() {
            screen.lesson_header(lesson, n + 1, lessons.len());
        }
        let mut lo = LessonOutcome {
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            file: lesson.file.clone(),
            needed_only: false,
            steps: Vec::new(),
        };
        for (i, step) in lesson.steps.iter().enumerate() {
            // No engine, so no facts to pick a variant by: the default output.
            let default = crate::lesson::Choice {
                expected: &step.expected,
                variant: None,
                index: None,
            };
            let mut so = crate::runner::blank(i, step, &default);
            so.skip_reason = Some("not shown: the walkthrough ended".into());
            if quit_at.is_none() {
                screen.step_header(lesson, step);
                match screen.ask(Mode::Recorded) {
                    Decision::Run | Decision::Recorded => {
                        let label = match &lesson.recorded {
                            Some(r) => format!("recorded output · {}", r.trim()),
                            None => "recorded output".to_string(),
                        };
                        screen.documented(
                            &label,
                            step.expected.output.source(),
                            step.expected.exit,
                        );
                        so.status = Status::Skipped;
                        so.recorded = true;
                        so.skip_reason = Some("recorded output, not run".into());
                        played += 1;
                    }
                    Decision::Skip => {
                        so.status = Status::Skipped;
                        so.skip_reason = Some("skipped by the reader".into());
                    }
                    Decision::Quit => quit_at = Some((lesson.id.clone(), i + 1)),
                }
                if quit_at.is_none() {
                    screen.verdict(&lesson.id, &so);
                }
            }
            lo.steps.push(so);
        }
        outcome.lessons.push(lo);
    }
    outcome.interrupted = screen.interrupted;
    if outcome.interrupted {
        quit_at = None;
    }
    let p = screen.palette;
    let mut text = String::from("\n");
    if let Some((lesson, step)) = &quit_at {
        text.push_str(&format!(
            "{}\n",
            p.dim(&format!(
                "walk ended at {lesson} step {step}; `knowing-scratch walk {lesson}` starts that lesson again"
            ))
        ));
    }
    text.push_str(&format!(
        "{}\n",
        p.dim(&format!(
            "played {played} recorded output(s); nothing ran, so there is nothing to clean up"
        ))
    ));
    text.push_str(&screen.human().footer(&outcome));
    screen.say(&text);
    outcome
}

#[cfg(test)]
mod tests;
