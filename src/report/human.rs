//! The report people read: one line per passing step, the command, the reason
//! and a diff for each failing one, and the summary line.

use crate::color::Palette;
use crate::engine::Engine;
use crate::matcher::{DiffLine, DiffTag};
use crate::outcome::{
    Cell, EngineOutcome, LessonOutcome, MatrixOutcome, RunOutcome, Status, StepOutcome,
};
use crate::runner::seconds;
use crate::settings::Verbosity;

use super::{matrix_cells, Reporter};

pub struct Human {
    pub palette: Palette,
    pub verbosity: Verbosity,
}

impl Reporter for Human {
    fn render(&self, outcome: &RunOutcome) -> String {
        let mut out = outcome
            .environment
            .as_ref()
            .map(|e| self.header(e))
            .unwrap_or_default();
        for lesson in &outcome.lessons {
            out.push_str(&self.lesson(lesson));
        }
        out.push_str(&self.footer(outcome));
        out
    }

    /// The matrix, the failing steps labelled with their engine, a closing
    /// line per engine and the total.
    fn render_matrix(&self, outcome: &MatrixOutcome) -> String {
        let p = &self.palette;
        let cells = matrix_cells(outcome);
        let columns = cells[0].len();
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                cells
                    .iter()
                    .map(|r| r[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for (r, row) in cells.iter().enumerate() {
            let mut line = String::new();
            for (c, text) in row.iter().enumerate() {
                let pad = " ".repeat(widths[c] - text.chars().count());
                let painted = if r == 0 {
                    p.heading(text)
                } else if c == 0 {
                    text.clone()
                } else if text == "ok" {
                    p.pass(text)
                } else if text.starts_with("FAIL") {
                    p.fail(text)
                } else {
                    p.skip(text)
                };
                line.push_str(&painted);
                if c + 1 < columns {
                    line.push_str(&pad);
                    line.push_str("  ");
                }
            }
            out.push_str(&line);
            out.push('\n');
        }
        for engine in &outcome.engines {
            let Some(run) = &engine.run else { continue };
            for lesson in &run.lessons {
                if !matches!(Cell::of(lesson), Cell::Fail(_)) {
                    continue;
                }
                let place = format!("{} › {}", engine.name, lesson.id);
                out.push_str(&format!(
                    "\n{} {}\n",
                    p.heading(&place),
                    p.dim(&format!("· {}", lesson.title))
                ));
                for step in lesson.steps.iter().filter(|s| s.status == Status::Failed) {
                    out.push_str(&self.step(&place, step));
                }
            }
        }
        out.push('\n');
        for engine in &outcome.engines {
            out.push_str(&self.closing(engine));
        }
        let line = outcome.summary_line();
        out.push_str(&if outcome.counts().failed > 0 {
            p.fail(&line)
        } else {
            p.pass(&line)
        });
        out.push('\n');
        out
    }
}

impl Human {
    /// The first line: which engine, store, client and builder the run checked.
    pub fn header(&self, engine: &Engine) -> String {
        if self.verbosity == Verbosity::Quiet {
            return String::new();
        }
        format!("{}\n", self.palette.dim(&engine.describe()))
    }

    pub fn lesson(&self, lesson: &LessonOutcome) -> String {
        let mut out = String::new();
        let quiet = self.verbosity == Verbosity::Quiet;
        if !quiet {
            let needed = if lesson.needed_only {
                " (needed by a later lesson)"
            } else {
                ""
            };
            out.push_str(&format!(
                "{} {}{}\n",
                self.palette.heading(&lesson.id),
                self.palette.dim(&format!("· {}", lesson.title)),
                self.palette.dim(needed)
            ));
        }
        for step in &lesson.steps {
            if quiet && step.status != Status::Failed {
                continue;
            }
            out.push_str(&self.step(&lesson.id, step));
        }
        out
    }

    /// A step's verdict line, and for failures the details.
    pub fn step(&self, lesson: &str, s: &StepOutcome) -> String {
        let p = &self.palette;
        let variant = match &s.variant {
            None => String::new(),
            Some(v) => p.dim(&format!(" [variant: {}]", v.when)),
        };
        let mut out = match s.status {
            Status::Passed => format!(
                "  {} {}{} {}\n",
                p.pass("ok"),
                s.title,
                variant,
                p.dim(&seconds(s.duration_ms))
            ),
            Status::Skipped | Status::NotRun => {
                let (mark, why) = if s.status == Status::Skipped {
                    ("skip", "skipped")
                } else {
                    ("----", "not run")
                };
                format!(
                    "  {} {} {}\n",
                    p.skip(mark),
                    s.title,
                    p.dim(&format!(
                        "({})",
                        s.skip_reason
                            .as_ref()
                            .map_or(why.to_string(), ToString::to_string)
                    ))
                )
            }
            Status::Failed => {
                let reasons: Vec<String> = s.failures.iter().map(|f| f.describe()).collect();
                format!(
                    "  {} {}{} {}\n    {} {}\n    {} {}\n",
                    p.fail("FAIL"),
                    s.title,
                    variant,
                    p.dim(&seconds(s.duration_ms)),
                    p.dim("where:"),
                    p.dim(&format!("{lesson} › step {} `{}`", s.index + 1, s.title)),
                    p.dim("why:"),
                    reasons.join("; ")
                )
            }
        };
        for warning in &s.warnings {
            out.push_str(&format!("    {}\n", p.hint(&format!("note: {warning}"))));
        }
        if s.status == Status::Failed {
            out.push_str(&format!(
                "    {} {}\n",
                p.dim("command:"),
                p.command(&first_line(&s.command))
            ));
            if !s.diff.is_empty() {
                out.push_str(&format!(
                    "    {} {} {}\n",
                    p.dim("diff:"),
                    p.diff_removed("- documented"),
                    p.diff_added("+ real")
                ));
                out.push_str(&self.diff(&s.diff, "    "));
            }
            if s.dropped_bytes > 0 {
                out.push_str(&format!(
                    "    {}\n",
                    p.hint(&format!(
                        "(output truncated: {} more bytes were not kept)",
                        s.dropped_bytes
                    ))
                ));
            }
        } else if self.verbosity == Verbosity::Verbose {
            if let Some(actual) = &s.actual {
                for line in actual.lines() {
                    out.push_str(&format!("    {}\n", p.dim(line)));
                }
            }
        }
        out
    }

    /// A diff with `-` documented and `+` real lines, changed words emphasised.
    pub fn diff(&self, diff: &[DiffLine], indent: &str) -> String {
        let p = &self.palette;
        let mut out = String::new();
        for line in diff {
            let text = |paint: &dyn Fn(&str) -> String| -> String {
                line.segments
                    .iter()
                    .map(|(changed, t)| {
                        if *changed {
                            p.emphasis(&paint(t))
                        } else {
                            paint(t)
                        }
                    })
                    .collect()
            };
            match line.tag {
                DiffTag::Same => out.push_str(&format!("{indent}  {}\n", text(&|t| t.to_string()))),
                DiffTag::Removed => out.push_str(&format!(
                    "{indent}{}\n",
                    p.diff_removed("- ") + &text(&|t| p.diff_removed(t))
                )),
                DiffTag::Added => out.push_str(&format!(
                    "{indent}{}\n",
                    p.diff_added("+ ") + &text(&|t| p.diff_added(t))
                )),
                DiffTag::Note => {
                    out.push_str(&format!("{indent}{}\n", p.hint(&text(&|t| t.to_string()))));
                }
                DiffTag::Elided(n) => out.push_str(&format!(
                    "{indent}{}\n",
                    p.dim(&format!("  … {n} matching lines"))
                )),
            }
        }
        out
    }

    /// One engine's closing line: its counts and server, or why it did not answer.
    pub fn closing(&self, engine: &EngineOutcome) -> String {
        let p = &self.palette;
        let Some(run) = &engine.run else {
            return format!(
                "{}: {}\n",
                engine.name,
                p.fail(&format!(
                    "unreachable: {}",
                    engine.unreachable.as_deref().unwrap_or_default()
                ))
            );
        };
        let mut notes = Vec::new();
        if let Some(env) = &run.environment {
            notes.push(env.describe());
        }
        if !run.cleaned.is_empty() {
            notes.push(format!("cleaned up {} container(s)", run.cleaned.len()));
        }
        if run.interrupted {
            notes.push("interrupted".into());
        }
        if run.engine_lost {
            notes.push("the engine stopped answering".into());
        }
        let line = run.summary_line();
        let painted = if run.counts().failed > 0 {
            p.fail(&line)
        } else {
            p.pass(&line)
        };
        format!(
            "{}: {painted} {}\n",
            engine.name,
            p.dim(&format!("({})", notes.join("; ")))
        )
    }

    pub fn footer(&self, outcome: &RunOutcome) -> String {
        let p = &self.palette;
        let mut out = String::new();
        let removed = [
            (
                "cleaned up",
                "container(s) this run created",
                &outcome.cleaned,
            ),
            (
                "removed",
                "dangling image(s) this run left",
                &outcome.cleaned_images,
            ),
        ];
        for (verb, what, ids) in removed {
            if !ids.is_empty() {
                let line = format!("{verb} {} {what}: {}", ids.len(), ids.join(" "));
                out.push_str(&format!("{}\n", p.dim(&line)));
            }
        }
        if outcome.interrupted {
            out.push_str(&format!("{}\n", p.fail("interrupted")));
        }
        if outcome.engine_lost {
            out.push_str(&format!(
                "{}\n",
                p.fail("the Docker engine stopped answering; the steps after it were not run")
            ));
        }
        let c = outcome.counts();
        let line = outcome.summary_line();
        out.push_str(&if c.failed > 0 {
            p.fail(&line)
        } else {
            p.pass(&line)
        });
        out.push('\n');
        out
    }
}

fn first_line(command: &str) -> String {
    let mut lines = command.trim_end().lines();
    let first = lines.next().unwrap_or_default().to_string();
    if lines.next().is_some() {
        format!("{first} …")
    } else {
        first
    }
}
