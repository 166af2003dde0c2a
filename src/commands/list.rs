//! `knowing-scratch list [--commands]`: the lessons, their steps, needs and
//! requirements; with `--commands`, every command exactly as `check` would
//! run it, so a tutorial written by someone else can be read before it runs.

use std::fmt::Write as _;
use std::path::Path;

use crate::color::Palette;
use crate::commands::load_lessons;
use crate::error::{Error, Exit};
use crate::lesson::footprint::footprint;
use crate::lesson::Lesson;
use crate::settings::Settings;

pub fn list(settings: &Settings, commands: bool) -> Result<Exit, Error> {
    let lessons = load_lessons(settings)?;
    let p = Palette::new(settings.color_stdout);
    if commands {
        print!(
            "{}",
            list_commands(&lessons.set.lessons, &lessons.workdir, &p)
        );
        return Ok(Exit::Ok);
    }
    let width = lessons
        .set
        .lessons
        .iter()
        .map(|l| l.id.len())
        .max()
        .unwrap_or(0);
    for l in &lessons.set.lessons {
        let mut requires: Vec<&str> = l
            .steps
            .iter()
            .flat_map(|s| s.requires.iter().map(String::as_str))
            .collect();
        requires.sort_unstable();
        requires.dedup();
        let mut extra = Vec::new();
        if !l.needs.is_empty() {
            extra.push(format!("needs {}", l.needs.join(", ")));
        }
        if !requires.is_empty() {
            extra.push(format!("requires {}", requires.join(", ")));
        }
        if footprint(l, &lessons.workdir).alone.is_some() {
            extra.push("runs alone under --jobs".to_string());
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!("  {}", p.dim(&format!("({})", extra.join("; "))))
        };
        let steps = l.steps.len();
        println!(
            "{:<width$}  {:>2} {:<5}  {}{}",
            p.heading(&l.id),
            steps,
            if steps == 1 { "step" } else { "steps" },
            l.title,
            extra,
            width = width + if p.enabled { 8 } else { 0 }
        );
    }
    Ok(Exit::Ok)
}

/// Each lesson, each step's title and requirements, and its command as
/// typed; and what keeps the lesson from running beside others (`--jobs`).
fn list_commands(lessons: &[Lesson], workdir: &Path, p: &Palette) -> String {
    let mut out = String::new();
    for l in lessons {
        let _ = writeln!(out, "{} ({})", p.heading(&l.id), l.file.display());
        let fp = footprint(l, workdir);
        if let Some(why) = &fp.alone {
            let _ = writeln!(
                out,
                "  {}",
                p.dim(&format!("runs alone under --jobs: {why}"))
            );
        }
        for s in &fp.sections {
            let steps = if s.first == s.last {
                format!("step {}", s.first + 1)
            } else {
                format!("steps {}-{}", s.first + 1, s.last + 1)
            };
            let _ = writeln!(
                out,
                "  {}",
                p.dim(&format!(
                    "holds the engine for {steps} under --jobs: {}",
                    s.why
                ))
            );
        }
        for (i, s) in l.steps.iter().enumerate() {
            let mut notes = Vec::new();
            if !s.requires.is_empty() {
                notes.push(format!("requires {}", s.requires.join(", ")));
            }
            if let Some(input) = &s.tty {
                notes.push(if input.is_empty() {
                    "in a terminal".to_string()
                } else {
                    format!("in a terminal, typing {} line(s)", input.len())
                });
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!("  {}", p.dim(&format!("({})", notes.join("; "))))
            };
            let _ = writeln!(out, "  {}. {} [line {}]{notes}", i + 1, s.title, s.line);
            for (k, line) in s.run.trim_end_matches('\n').lines().enumerate() {
                let lead = if k == 0 { "$ " } else { "  " };
                let _ = writeln!(out, "     {lead}{line}");
            }
            if let Some(input) = &s.tty {
                for x in input {
                    let _ = writeln!(out, "       after {:?} types {:?}", x.wait, x.send);
                }
            }
        }
    }
    out
}
