//! `knowing-scratch list`: the lessons, their steps, needs and requirements.

use crate::color::Palette;
use crate::commands::load_lessons;
use crate::error::{Error, Exit};
use crate::settings::Settings;

pub fn list(settings: &Settings) -> Result<Exit, Error> {
    let lessons = load_lessons(settings)?;
    let p = Palette::new(settings.color_stdout);
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
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!("  {}", p.dim(&format!("({})", extra.join("; "))))
        };
        println!(
            "{:<width$}  {:>2} steps  {}{}",
            p.heading(&l.id),
            l.steps.len(),
            l.title,
            extra,
            width = width + if p.enabled { 8 } else { 0 }
        );
    }
    Ok(Exit::Ok)
}
