//! The report people read: one line per passing step, the command, the reason
//! and a diff for each failing one, and the summary line.

use crate::color::Palette;
use crate::engine::Engine;
use crate::matcher::{DiffLine, DiffTag};
use crate::outcome::{LessonOutcome, RunOutcome, Status, StepOutcome};
use crate::runner::seconds;
use crate::settings::Verbosity;

use super::Reporter;

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
        let variant = if s.variant == "default" {
            String::new()
        } else {
            p.dim(&format!(" [variant: {}]", s.variant))
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
                    p.dim(&format!("({})", s.skip_reason.as_deref().unwrap_or(why)))
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

    pub fn footer(&self, outcome: &RunOutcome) -> String {
        let p = &self.palette;
        let mut out = String::new();
        if !outcome.cleaned.is_empty() {
            out.push_str(&format!(
                "{}\n",
                p.dim(&format!(
                    "cleaned up {} container(s) this run created: {}",
                    outcome.cleaned.len(),
                    outcome.cleaned.join(" ")
                ))
            ));
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
